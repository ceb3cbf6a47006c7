package source

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/remote"
)

func TestOpenServer(t *testing.T) {
	r := fixtures.StartRedis(t)
	c := r.Conn(t)
	for _, f := range []string{"ratelimit.lua", "wire.lua"} {
		code, err := os.ReadFile(fixtures.LibPath(f))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Do("FUNCTION", "LOAD", string(code)); err != nil || v.IsError() {
			t.Fatalf("%s: %v %v", f, v, err)
		}
	}
	c.Do("SELECT", "5")
	c.Do("SET", "k1", "v")
	c.Do("SET", "k2", "v")
	if v, _ := c.Do("CONFIG", "SET", "requirepass", "pw"); v.IsError() {
		t.Fatal(v.Str)
	}

	src, err := Open("redis://:pw@"+r.Addr+"/5", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind != KindServer || src.Path != "redis://:***@"+r.Addr+"/5" || src.Server.DBSize != 2 || src.Server.Info.RDBVersion != 10 {
		t.Fatalf("%+v %+v", src, src.Server)
	}
	if src.Dump == nil || src.Dump.Version != 10 || len(src.Dump.Records) != 2 {
		t.Fatalf("dump facts %+v", src.Dump)
	}
	// The oracle: FUNCTION LIST WITHCODE, asked with the raw client.
	c2 := r.Conn(t)
	c2.Do("AUTH", "pw")
	list, _ := c2.Do("FUNCTION", "LIST", "WITHCODE")
	if len(list.Elems) != src.Libraries.Len() {
		t.Fatalf("server lists %d libraries, source has %d", len(list.Elems), src.Libraries.Len())
	}
	for _, lib := range list.Elems {
		name, code := lib.Elems[1].Str, lib.Elems[7].Str
		l, ok := src.Libraries.Get(name)
		if !ok || l.Code != code || l.Origin.Path != r.Addr || l.Origin.Format != "server" {
			t.Errorf("library %s: %+v", name, l)
		}
	}
	// A server mixes with files in a merge; conflicts name the server.
	set, _, err := Merge(library.PolicyFail, Options{}, "redis://:pw@"+r.Addr, fixtures.LibPath("sessions.lua"))
	if err != nil || strings.Join(set.Names(), ",") != "ratelimit,sessions,wire" {
		t.Fatalf("merge: %v %v", set, err)
	}
	_, _, err = Merge(library.PolicyFail, Options{}, "redis://:pw@"+r.Addr, fixtures.LibPath("ratelimit_v2.lua"))
	if !errors.Is(err, library.ErrConflict) || !strings.Contains(err.Error(), r.Addr) {
		t.Fatalf("conflict: %v", err)
	}
	// A wrong password is the server's refusal, naming the address.
	_, err = Open("redis://:nope@"+r.Addr, Options{})
	if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), r.Addr+": WRONGPASS") {
		t.Fatalf("wrong password: %v", err)
	}
	_, err = Open("redis://"+r.Addr+":x", Options{})
	if !errors.Is(err, remote.ErrURL) {
		t.Fatalf("bad url: %v", err)
	}
}
