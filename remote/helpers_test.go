package remote

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/resp"
)

// server is a real redis-server started for a test, optionally with a
// password set after startup (the fixtures readiness probe sends PING
// without AUTH).
type server struct {
	*fixtures.Redis
	password string
}

func startServer(t *testing.T, password string, config ...string) *server {
	t.Helper()
	r, err := fixtures.StartRedisWith(t, fixtures.Options{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{Redis: r}
	if password != "" {
		s.must(t, "CONFIG", "SET", "requirepass", password)
		s.password = password
	}
	return s
}

// conn opens an authenticated raw connection.
func (s *server) conn(t testing.TB) *resp.Conn {
	t.Helper()
	c, err := resp.Dial(s.Addr)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if s.password != "" {
		if v, err := c.Do("AUTH", s.password); err != nil || v.IsError() {
			t.Fatalf("AUTH on %s: %v %v", s.Addr, v, err)
		}
	}
	return c
}

// do runs a command and returns the reply (error replies included).
func (s *server) do(t testing.TB, args ...string) resp.Value {
	t.Helper()
	v, err := s.conn(t).Do(args...)
	if err != nil {
		t.Fatalf("%s %v: %v", s.Addr, args, err)
	}
	return v
}

// must runs a command that must not fail.
func (s *server) must(t testing.TB, args ...string) resp.Value {
	t.Helper()
	v := s.do(t, args...)
	if v.IsError() {
		t.Fatalf("%s %v: %s", s.Addr, args, v.Str)
	}
	return v
}

// dump is the server's own FUNCTION DUMP.
func (s *server) dump(t testing.TB) string {
	return s.must(t, "FUNCTION", "DUMP").Str
}

// list is FUNCTION LIST WITHCODE, as name → code, asked with the raw client.
func (s *server) list(t testing.TB) map[string]string {
	t.Helper()
	return fixtures.LibraryCodes(s.must(t, "FUNCTION", "LIST", "WITHCODE"))
}

func (s *server) load(t testing.TB, code string) {
	t.Helper()
	s.must(t, "FUNCTION", "LOAD", code)
}

func (s *server) url(t testing.TB) *URL {
	t.Helper()
	raw := "redis://" + s.Addr
	if s.password != "" {
		raw = "redis://:" + s.password + "@" + s.Addr
	}
	u, err := ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// setOf turns a name → code map into a library.Set.
func setOf(t testing.TB, m map[string]string) *library.Set {
	t.Helper()
	s := &library.Set{}
	for _, code := range m {
		l, err := library.New(code, library.Origin{Offset: -1})
		if err != nil {
			t.Fatal(err)
		}
		s.Put(l)
	}
	return s
}

func codesOf(s *library.Set) map[string]string {
	out := map[string]string{}
	for _, l := range s.Libraries() {
		out[l.Name] = l.Code
	}
	return out
}

// fixtureLibs reads fixtures/libs/<names>.lua as a set.
func fixtureLibs(t testing.TB, files ...string) *library.Set {
	t.Helper()
	s := &library.Set{}
	for _, f := range files {
		b, err := os.ReadFile(fixtures.LibPath(f))
		if err != nil {
			t.Fatal(err)
		}
		l, err := library.New(string(b), library.Origin{Path: f, Format: "lua", Offset: -1})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		s.Put(l)
	}
	return s
}

// theEight are the fixture libraries that load together.
var theEight = []string{"i18n.lua", "inventory.lua", "jobqueue.lua", "kvtools.lua", "leaderboard.lua", "ratelimit.lua", "sessions.lua", "wire.lua"}

// oracleNames loads set into a scratch real server and reads back the
// function names each library registers: the real server plays the
// runtime's part for PushOptions.FunctionNames.
func oracleNames(t testing.TB) func(*library.Set) (map[string][]string, error) {
	scratch := startServer(t.(*testing.T), "")
	return func(set *library.Set) (map[string][]string, error) {
		c := scratch.conn(t)
		if _, err := c.Do("FUNCTION", "FLUSH"); err != nil {
			return nil, err
		}
		for _, l := range set.Libraries() {
			v, err := c.Do("FUNCTION", "LOAD", l.Code)
			if err != nil {
				return nil, err
			}
			if v.IsError() {
				return nil, fmt.Errorf("%s", v.Str)
			}
		}
		n, err := Dial(context.Background(), scratch.url(t), Options{})
		if err != nil {
			return nil, err
		}
		defer n.Close()
		_, fns, err := n.List(context.Background())
		if err != nil {
			return nil, err
		}
		out := map[string][]string{}
		for lib, fs := range fns {
			for _, f := range fs {
				out[lib] = append(out[lib], f.Name)
			}
			sort.Strings(out[lib])
		}
		return out, nil
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func writeFile(t testing.TB, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// sameDump checks that two FUNCTION DUMP payloads hold the same records,
// byte for byte, and the same version. The order of the records is the
// order of the server's dictionary, which is seeded at random per process,
// so two servers holding the same libraries dump them in different orders.
func sameDump(t testing.TB, a, b string) {
	t.Helper()
	ra, va := dumpRecords(t, a)
	rb, vb := dumpRecords(t, b)
	if va != vb {
		t.Errorf("payload versions %d and %d", va, vb)
	}
	if strings.Join(ra, "\x00") != strings.Join(rb, "\x00") {
		t.Errorf("FUNCTION DUMP records differ: %d records (%d bytes) vs %d records (%d bytes)", len(ra), len(a), len(rb), len(b))
	}
}

func dumpRecords(t testing.TB, payload string) ([]string, int) {
	t.Helper()
	p, err := dumpfmt.Decode([]byte(payload), "FUNCTION DUMP")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range p.Records {
		out = append(out, payload[r.Offset:r.End])
	}
	sort.Strings(out)
	return out, p.Version
}
