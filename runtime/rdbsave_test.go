package runtime_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// The RDB round trip (SaveRDB, DEBUG RELOAD) against the real tools: the
// RDB fnkit writes passes redis-check-rdb and loads in a real
// redis-server 7.0.15 with the same DBSIZE per database, the same DEBUG
// DIGEST (which covers every key, type, value and the presence of a TTL),
// the same libraries and the same consumer groups and pending entries.

// keyspaceFacts are what both servers must agree on.
type keyspaceFacts struct {
	sizes   map[int]int64
	digest  string
	libs    map[string]string
	pending map[string]string // "db/key/group" -> XPENDING summary
}

func (f keyspaceFacts) String() string {
	return fmt.Sprintf("sizes %v digest %s libraries %d pending %v", f.sizes, f.digest, len(f.libs), f.pending)
}

// factsOf reads the facts through a connection (any server).
func factsOf(t *testing.T, c *rawConn) keyspaceFacts {
	t.Helper()
	do := func(args ...string) resp.Value {
		v, err := c.Do(args...)
		if err != nil || v.IsError() {
			t.Fatalf("%v: %v %v", args, v, err)
		}
		return v
	}
	f := keyspaceFacts{sizes: map[int]int64{}, pending: map[string]string{}}
	f.digest = do("DEBUG", "DIGEST").Str
	f.libs = fixtures.LibraryCodes(do("FUNCTION", "LIST", "WITHCODE"))
	for db := 0; db < 16; db++ {
		do("SELECT", strconv.Itoa(db))
		n := do("DBSIZE").Int
		if n == 0 {
			continue
		}
		f.sizes[db] = n
		cursor := "0"
		for {
			v := do("SCAN", cursor, "TYPE", "stream", "COUNT", "1000")
			for _, k := range v.Elems[1].Elems {
				for _, g := range do("XINFO", "GROUPS", k.Str).Elems {
					name := ""
					for i := 0; i+1 < len(g.Elems); i += 2 {
						if g.Elems[i].Str == "name" {
							name = g.Elems[i+1].Str
						}
					}
					var detail []string
					for _, p := range do("XPENDING", k.Str, name, "-", "+", "1000").Elems {
						detail = append(detail, p.Elems[0].Str+"@"+p.Elems[1].Str+"x"+strconv.FormatInt(p.Elems[3].Int, 10))
					}
					sum := do("XPENDING", k.Str, name)
					f.pending[fmt.Sprintf("%d/%s/%s", db, k.Str, name)] = canon(sum) + " " + strings.Join(detail, ",")
				}
			}
			if cursor = v.Elems[0].Str; cursor == "0" {
				break
			}
		}
	}
	do("SELECT", "0")
	return f
}

func sameFacts(t *testing.T, what string, got, want keyspaceFacts) {
	t.Helper()
	if fmt.Sprint(got.sizes) != fmt.Sprint(want.sizes) || got.digest != want.digest || fmt.Sprint(got.pending) != fmt.Sprint(want.pending) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
	if len(got.libs) != len(want.libs) {
		t.Errorf("%s: libraries %d, want %d", what, len(got.libs), len(want.libs))
	}
	for name, code := range want.libs {
		if got.libs[name] != code {
			t.Errorf("%s: library %s differs", what, name)
		}
	}
}

func checkRDBFile(t *testing.T, path string) {
	t.Helper()
	tool := fixtures.RequireTool(t, "redis-check-rdb")
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb %s: %v\n%s", path, err, out)
	}
}

// loadInto loads an RDB's libraries and keyspace into a fnkit server.
func loadInto(t *testing.T, srv *runtime.Server, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := rdbfmt.ReadInfo(bytes.NewReader(data), rdbfmt.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadLibraries(info.Libraries); err != nil {
		t.Fatal(err)
	}
	st, err := srv.LoadRDB(bytes.NewReader(data), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Skipped) > 0 {
		t.Fatalf("not loaded: %v", st.Skipped)
	}
}

// TestSaveRDBRealServer: for each RDB fixture of Redis 7.0.15 with a
// keyspace (every type, TTLs, a stream with consumer groups, pending
// entries and consumers), fnkit loads it, its facts equal a real server's
// on the same file, SaveRDB's file passes redis-check-rdb and a real
// server loading it has the same facts again, and DEBUG RELOAD keeps them.
func TestSaveRDBRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	var files []string
	for _, name := range []string{"rdb-functions-keyspace.rdb", "rdb-keyspace-only.rdb", "rdb-functions-keyspace-nocompress.rdb"} {
		if p := fixtures.Path("redis-7.0.15", name); fileExists(p) {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Fatal("no keyspace fixtures")
	}
	for _, src := range files {
		t.Run(filepath.Base(src), func(t *testing.T) {
			real, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: src, Config: []string{"enable-debug-command yes"}})
			if err != nil {
				t.Fatal(err)
			}
			want := factsOf(t, dial(t, real.Addr))
			real.Stop()

			srv, err := runtime.Start(runtime.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			loadInto(t, srv, src)
			conn := dial(t, srv.Addr())
			sameFacts(t, "fnkit after loading the fixture", factsOf(t, conn), want)

			var buf bytes.Buffer
			if err := srv.SaveRDB(&buf); err != nil {
				t.Fatal(err)
			}
			saved := filepath.Join(t.TempDir(), "saved.rdb")
			if err := os.WriteFile(saved, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			checkRDBFile(t, saved)
			again, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: saved, Config: []string{"enable-debug-command yes"}})
			if err != nil {
				t.Fatal(err)
			}
			sameFacts(t, "redis-server loading fnkit's RDB", factsOf(t, dial(t, again.Addr)), want)

			if v, err := conn.Do("DEBUG", "RELOAD"); err != nil || v.Str != "OK" {
				t.Fatalf("DEBUG RELOAD: %v %v", v, err)
			}
			sameFacts(t, "fnkit after DEBUG RELOAD", factsOf(t, conn), want)
		})
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestSaveRDBBuiltKeyspace builds a keyspace with commands on both servers
// (every type, edge values, several databases, a stream whose group has
// pending entries read by two consumers, libraries), then checks fnkit's
// RDB with redis-check-rdb and a real server, both ways.
func TestSaveRDBBuiltKeyspace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	build := append(append([][]string{}, allTypes...),
		many(cmd("RPUSH", "biglist"), 5000, func(i int) []string { return []string{strings.Repeat("e", i%200)} }),
		many(cmd("HSET", "bighash"), 1000, func(i int) []string { return []string{"f" + strconv.Itoa(i), strconv.Itoa(i * i)} }),
		many(cmd("ZADD", "bigzset"), 1000, func(i int) []string { return []string{strconv.Itoa(i) + ".25", "m" + strconv.Itoa(i)} }),
		many(cmd("SADD", "bigset"), 1000, func(i int) []string { return []string{"m" + strconv.Itoa(i)} }),
		cmd("SET", "big", strings.Repeat("0123456789", 10000)),
		cmd("XGROUP", "CREATE", "events", "workers", "0", "MKSTREAM"),
	)
	for i := 0; i < 300; i++ {
		build = append(build, cmd("XADD", "events", fmt.Sprintf("%d-%d", 1000+i/2, i%2), "n", strconv.Itoa(i), "payload", strings.Repeat("p", i%50)))
	}
	build = append(build,
		cmd("XREADGROUP", "GROUP", "workers", "alice", "COUNT", "3", "STREAMS", "events", ">"),
		cmd("XREADGROUP", "GROUP", "workers", "bob", "COUNT", "2", "STREAMS", "events", ">"),
		cmd("XACK", "events", "workers", "1000-0"),
		cmd("XGROUP", "CREATECONSUMER", "events", "workers", "carol"),
		load(fn1("f", "return 1")), load(fixtureLib(t, "ratelimit.lua")),
	)
	ours, theirs := dial(t, srv.Addr()), dial(t, real.Addr)
	for _, c := range []*rawConn{ours, theirs} {
		reset(t, c)
		for _, a := range build {
			if v, err := c.Do(a...); err != nil || v.IsError() {
				t.Fatalf("%s: %v %v", show(a), v, err)
			}
		}
	}
	want := factsOf(t, theirs)
	sameFacts(t, "fnkit built with the same commands", factsOf(t, ours), want)

	var buf bytes.Buffer
	if err := srv.SaveRDB(&buf); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "built.rdb")
	if err := os.WriteFile(saved, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	checkRDBFile(t, saved)
	loaded, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: saved, Config: []string{"enable-debug-command yes"}})
	if err != nil {
		t.Fatal(err)
	}
	sameFacts(t, "redis-server loading fnkit's RDB", factsOf(t, dial(t, loaded.Addr)), want)

	// and the other way: the real server's own save, loaded by fnkit
	if v, err := theirs.Do("SAVE"); err != nil || v.IsError() {
		t.Fatal(v, err)
	}
	fresh, err := runtime.Start(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	loadInto(t, fresh, filepath.Join(real.Dir, "dump.rdb"))
	sameFacts(t, "fnkit loading the real server's RDB", factsOf(t, dial(t, fresh.Addr())), want)
}

// TestSaveRDBRefusesHyperLogLog: the keyspace keeps HyperLogLogs in its own
// representation, which no RDB can carry.
func TestSaveRDBRefusesHyperLogLog(t *testing.T) {
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Do("PFADD", "hll", "a", "b")
	if err := srv.SaveRDB(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "hll") {
		t.Fatalf("SaveRDB: %v", err)
	}
	v := srv.Do("DEBUG", "RELOAD")
	if !v.IsError() || srv.Do("PFCOUNT", "hll").Int != 2 {
		t.Fatalf("DEBUG RELOAD with a HyperLogLog: %v; the key must survive", v)
	}
}

func fixtureLib(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(fixtures.LibPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
