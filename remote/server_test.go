package remote

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

func TestPullMatchesServerWithPassword(t *testing.T) {
	s := startServer(t, "secret")
	want := fixtureLibs(t, theEight...)
	for _, l := range want.Libraries() {
		s.load(t, l.Code)
	}
	p, err := Pull(ctxT(t), s.url(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The oracle: the server's own FUNCTION LIST WITHCODE and FUNCTION DUMP.
	listed := s.list(t)
	if got := codesOf(p.Libraries); len(got) != len(listed) {
		t.Fatalf("pulled %d libraries, server lists %d", len(got), len(listed))
	} else {
		for name, code := range listed {
			if got[name] != code {
				t.Errorf("library %s: pulled code differs from FUNCTION LIST WITHCODE", name)
			}
		}
	}
	if string(p.Payload) != s.dump(t) {
		t.Error("pulled payload differs from the server's FUNCTION DUMP")
	}
	if p.Server.Version == "" || p.Server.RDBVersion != 10 || p.PayloadVersion != 10 {
		t.Errorf("server %+v, payload version %d; want redis 7.0.x writing RDB 10", p.Server, p.PayloadVersion)
	}
	if p.Server.Role != "master" {
		t.Errorf("role %q", p.Server.Role)
	}
	// Function metadata as listed (inventory has descriptions and flags).
	fns := p.Functions["inventory"]
	if len(fns) != 6 {
		t.Fatalf("inventory functions %+v", fns)
	}
}

func TestAuthErrorsInRedisWords(t *testing.T) {
	s := startServer(t, "secret")
	ctx := ctxT(t)
	cases := []struct {
		url, want string
	}{
		{"redis://:wrong@" + s.Addr, "WRONGPASS invalid username-password pair or user is disabled."},
		{"redis://" + s.Addr, "NOAUTH Authentication required."},
		{"redis://nobody:secret@" + s.Addr, "WRONGPASS invalid username-password pair or user is disabled."},
	}
	for _, c := range cases {
		u, err := ParseURL(c.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Pull(ctx, u, Options{})
		if err == nil {
			t.Fatalf("%s: no error", u)
		}
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: %v is not ErrAuth", u, err)
		}
		if !strings.HasPrefix(err.Error(), s.Addr+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want the address and %q", u, err, c.want)
		}
	}
}

func TestACLUser(t *testing.T) {
	s := startServer(t, "secret")
	s.must(t, "ACL", "SETUSER", "deployer", "on", ">deploy-pw", "~*", "&*", "+@all")
	s.must(t, "ACL", "SETUSER", "reader", "on", ">read-pw", "~*", "+@all", "-function|restore")
	ctx := ctxT(t)
	u, err := ParseURL("redis://deployer:deploy-pw@" + s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	set := fixtureLibs(t, "ratelimit.lua")
	rep, err := Push(ctx, set, []*URL{u}, PushOptions{})
	if err != nil {
		t.Fatalf("%v\n%+v", err, rep)
	}
	if got := s.list(t); len(got) != 1 || got["ratelimit"] == "" {
		t.Fatalf("server holds %v", got)
	}
	// A user without FUNCTION RESTORE: the server's refusal, word for word.
	u2, _ := ParseURL("redis://reader:read-pw@" + s.Addr)
	rep, err = Push(ctx, fixtureLibs(t, "sessions.lua"), []*URL{u2}, PushOptions{})
	if !errors.Is(err, ErrRestore) {
		t.Fatalf("err %v", err)
	}
	if e := rep.Nodes[0].Error; !strings.Contains(e, "NOPERM") || !strings.Contains(e, "function|restore") {
		t.Errorf("node error %q", e)
	}
	if got := s.list(t); len(got) != 1 {
		t.Fatalf("server holds %v after a refused restore", got)
	}
}

func TestConnectionRefusedNamesAddress(t *testing.T) {
	s := startServer(t, "")
	addr := s.Addr
	s.Stop()
	u, _ := ParseURL("redis://" + addr)
	_, err := Pull(ctxT(t), u, Options{})
	if !errors.Is(err, ErrUnreachable) || !strings.HasPrefix(err.Error(), addr+": ") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err %v", err)
	}
}

func TestDatabaseInURL(t *testing.T) {
	s := startServer(t, "secret")
	c := s.conn(t)
	c.Do("SELECT", "3")
	for _, k := range []string{"a", "b", "c"} {
		c.Do("SET", k, "1")
	}
	ctx := ctxT(t)
	for db, want := range map[string]int64{"": 0, "/0": 0, "/3": 3} {
		u, err := ParseURL("redis://:secret@" + s.Addr + db)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Dial(ctx, u, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := n.DBSize(ctx)
		n.Close()
		if err != nil || got != want {
			t.Errorf("%s: DBSIZE %d %v, want %d", u, got, err, want)
		}
	}
	u, _ := ParseURL("redis://:secret@" + s.Addr + "/16")
	_, err := Dial(ctx, u, Options{})
	if err == nil || !strings.Contains(err.Error(), "ERR DB index is out of range") {
		t.Fatalf("db 16: %v", err)
	}
}

func TestRoundTripPullPush(t *testing.T) {
	src := startServer(t, "secret")
	for _, l := range fixtureLibs(t, theEight...).Libraries() {
		src.load(t, l.Code)
	}
	dst := startServer(t, "")
	ctx := ctxT(t)
	p, err := Pull(ctx, src.url(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Push(ctx, p.Libraries, []*URL{dst.url(t)}, PushOptions{})
	if err != nil {
		t.Fatalf("%v\n%+v", err, rep.Nodes[0])
	}
	if n := rep.Nodes[0]; n.Result != ResultRestored || len(n.Added) != 8 {
		t.Fatalf("node %+v", n)
	}
	sameDump(t, src.dump(t), dst.dump(t))
}

// TestPlanPredictsRedisErrors checks every conflict the plan predicts
// against what the real server replies to the same FUNCTION RESTORE.
func TestPlanPredictsRedisErrors(t *testing.T) {
	s := startServer(t, "")
	ctx := ctxT(t)
	names := oracleNames(t)
	rl := fixtureLibs(t, "ratelimit.lua")
	rl2 := fixtureLibs(t, "ratelimit_v2.lua")
	s.load(t, rl.Libraries()[0].Code)
	// A library whose function takes a name ratelimit registers.
	clash, err := library.New("#!lua name=clash\nredis.register_function('RL_FIXED_WINDOW', function() return 1 end)\n", library.Origin{Offset: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.must(t, "FUNCTION", "LOAD", "#!lua name=keep\nredis.register_function('keep_me', function() return 1 end)\n")
	before := s.dump(t)
	for _, c := range []struct {
		name string
		set  *library.Set
		mode library.RestoreMode
	}{
		{"append existing library", rl2, library.RestoreAppend},
		{"append function clash", library.NewSet(clash), library.RestoreAppend},
		{"replace function clash", library.NewSet(clash), library.RestoreReplace},
	} {
		rep, err := Push(ctx, c.set, []*URL{s.url(t)}, PushOptions{Mode: c.mode, FunctionNames: names, DryRun: true})
		if !errors.Is(err, ErrPlan) {
			t.Fatalf("%s: err %v", c.name, err)
		}
		payload, _ := dumpfmt.Encode(c.set, 10)
		real := s.do(t, "FUNCTION", "RESTORE", string(payload), strings.ToUpper(c.mode.String()))
		if !real.IsError() {
			t.Fatalf("%s: the server accepted the restore", c.name)
		}
		if got := rep.Nodes[0].Error; got != real.Str {
			t.Errorf("%s: plan says %q, server says %q", c.name, got, real.Str)
		}
		if s.dump(t) != before {
			t.Fatalf("%s: server changed", c.name)
		}
	}
	// And a clean plan is a clean restore.
	rep, err := Push(ctx, rl2, []*URL{s.url(t)}, PushOptions{Mode: library.RestoreReplace, FunctionNames: names})
	if err != nil {
		t.Fatalf("%v %+v", err, rep.Nodes[0])
	}
	if n := rep.Nodes[0]; len(n.Replaced) != 1 || n.Replaced[0] != "ratelimit" || n.Result != ResultRestored {
		t.Errorf("node %+v", n)
	}
}

// A server that accepts the connection and never answers (a hung host, a
// proxy with nothing behind it) ends with the timeout, naming the address.
func TestTimeoutNamesAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	u, _ := ParseURL("redis://" + l.Addr().String())
	_, err = Pull(ctxT(t), u, Options{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) || !strings.HasPrefix(err.Error(), l.Addr().String()+": ") || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Fatalf("err %v", err)
	}
	rep, err := Push(ctxT(t), fixtureLibs(t, "wire.lua"), []*URL{u}, PushOptions{Options: Options{Timeout: 300 * time.Millisecond}})
	if !errors.Is(err, ErrPlan) || !strings.Contains(rep.Nodes[0].Error, "no answer within 300ms") {
		t.Fatalf("push: %v %+v", err, rep.Nodes[0])
	}
}
