package runtime_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime"
)

// plainNodes counts the PLAIN nodes (container 1) of a type-18 value.
func plainNodes(t *testing.T, v []byte) int {
	t.Helper()
	n, _, p, err := rdbfmt.ParseLength(v)
	if err != nil {
		t.Fatal(err)
	}
	plain := 0
	for ; n > 0; n-- {
		c, _, size, err := rdbfmt.ParseLength(v[p:])
		if err != nil {
			t.Fatal(err)
		}
		p += size
		if c == 1 {
			plain++
		}
		_, _, size, err = rdbfmt.ParseString(v[p:])
		if err != nil {
			t.Fatal(err)
		}
		p += size
	}
	return plain
}

// payload seals a DUMP payload: type byte and value, RDB version, CRC-64.
func payload(t byte, value []byte, version uint16) string {
	p := append([]byte{t}, value...)
	p = binary.LittleEndian.AppendUint16(p, version)
	return string(binary.LittleEndian.AppendUint64(p, rdbfmt.CRC64(0, p)))
}

// Lists with PLAIN quicklist nodes (elements stored alone, as Redis
// stores an element above its packed threshold), made by a real Redis
// 7.0.15: RESTORE of its DUMP payloads and LoadRDB of its RDB give the
// same lists as the real server.
func TestQuicklistPlainNodesRealServer(t *testing.T) {
	real, err := fixtures.StartRedisWith(t, fixtures.Options{Config: []string{"enable-debug-command yes", "list-max-listpack-size 4"}})
	if err != nil {
		t.Fatal(err)
	}
	conn := real.Conn(t)
	mustDo(t, conn, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 3000)
	rng.Read(random)
	lists := map[string][]string{
		"plain:middle": {"head", strings.Repeat("x", 500), "tail"},
		"plain:only":   {strings.Repeat("y", 150)},
		"plain:mixed":  {"a", "1", "-7", string(random), "b", "c", "d", "e", "12345678901", strings.Repeat("z", 101), "f", string(random[:200]), "-300000", "g"},
	}
	srv, err := loadRDBFile(t, fixtures.Path("redis-7.0.15", "rdb-keyspace-only.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	for key, elems := range lists {
		mustDo(t, conn, append([]string{"RPUSH", key}, elems...)...)
		p := mustDo(t, conn, "DUMP", key).Str
		if p[0] != rdbfmt.TypeListQuicklist2 || plainNodes(t, []byte(p[1:len(p)-10])) == 0 {
			t.Fatalf("%s: the real server's DUMP is not a quicklist with PLAIN nodes: %q", key, p)
		}
		if r := srv.Do("RESTORE", key, "0", p); r.Str != "OK" {
			t.Fatalf("%s: RESTORE of the real server's payload: %v", key, r)
		}
		want := mustDo(t, conn, "LRANGE", key, "0", "-1").String()
		if got := srv.Do("LRANGE", key, "0", "-1").String(); got != want {
			t.Errorf("%s: RESTORE gave %.200s, want %.200s", key, got, want)
		}
	}
	mustDo(t, conn, "SAVE")
	loaded, err := loadRDBFile(t, filepath.Join(real.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	for key := range lists {
		want := mustDo(t, conn, "LRANGE", key, "0", "-1").String()
		if got := loaded.Do("LRANGE", key, "0", "-1").String(); got != want {
			t.Errorf("%s: LoadRDB gave %.200s, want %.200s", key, got, want)
		}
	}
}

// The value of "list:bigelement" in the Redis 7.4.1 RDB (a PLAIN node
// between two listpacks, the layout github.com/hdt3213/rdb v1.3.2 fails
// on) as a DUMP payload: version 10 is restored by fnkit as by a real
// Redis 7.0.15, version 12 is refused by both (payloads newer than the
// server's RDB version).
func TestRestoreQuicklistPlainNodeFromRedis74(t *testing.T) {
	path := fixtures.Path("redis-7.4.1", "rdb-functions-keyspace.rdb")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rd := rdbfmt.NewReader(bytes.NewReader(data), rdbfmt.ReaderOptions{Values: true})
	var value []byte
	for {
		rec, err := rd.Next()
		if err != nil {
			t.Fatalf("no list:bigelement in %s: %v", path, err)
		}
		if rec.Kind == rdbfmt.KindKey && string(rec.Key) == "list:bigelement" {
			if rec.Type != rdbfmt.TypeListQuicklist2 || plainNodes(t, rec.Value) == 0 {
				t.Fatalf("list:bigelement: type %d without a PLAIN node", rec.Type)
			}
			value = append([]byte(nil), rec.Value...)
			break
		}
	}
	real := fixtures.StartRedis(t)
	conn := real.Conn(t)
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, version := range []uint16{10, 12} {
		p := payload(rdbfmt.TypeListQuicklist2, value, version)
		want, err := conn.Do("RESTORE", "l", "0", p, "REPLACE")
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Do("RESTORE", "l", "0", p, "REPLACE")
		if got.String() != want.String() {
			t.Errorf("version %d: RESTORE: %v, Redis 7.0.15: %v", version, got, want)
		}
		if version == 10 && !want.IsError() {
			w := mustDo(t, conn, "LRANGE", "l", "0", "-1")
			if g := srv.Do("LRANGE", "l", "0", "-1"); g.String() != w.String() || len(w.Elems) != 3 {
				t.Errorf("LRANGE: %.200s, Redis 7.0.15: %.200s", g, w)
			}
		}
	}
}

// A corrupt value makes LoadRDB fail with an error that names the file,
// the offset, the key and what was expected, and keeps what was loaded
// before it.
func TestLoadRDBCorruptValue(t *testing.T) {
	path := fixtures.Path("redis-7.4.1", "rdb-functions-keyspace.rdb")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rd := rdbfmt.NewReader(bytes.NewReader(data), rdbfmt.ReaderOptions{})
	var at int64
	for at == 0 {
		rec, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == rdbfmt.KindKey && string(rec.Key) == "list:bigelement" {
			at = rec.ValueOffset
		}
	}
	// the first node: count 3 (a length byte), container 2, string length
	// 13, then the listpack: 4 bytes of size, 2 of count
	bad := append([]byte(nil), data...)
	if bad[at] != 3 || bad[at+1] != 2 || bad[at+2] != 13 || bad[at+7] != 1 {
		t.Fatalf("list:bigelement at %d does not start as expected: % x", at, bad[at:at+8])
	}
	bad[at+7] = 2 // the listpack's entry count
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	st, err := srv.LoadRDB(bytes.NewReader(bad), "bad.rdb")
	want := fmt.Sprintf(`bad.rdb: offset %d: db 0 key "list:bigelement": value of type 18 (list, quicklist): quicklist node 0 of 3: listpack header counts 2 entries, it holds 1`, at)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("LoadRDB: %v\nwant: %s", err, want)
	}
	if st == nil || st.Keys[0] == 0 {
		t.Errorf("the keys before the corrupt one were not counted: %+v", st)
	}
}
