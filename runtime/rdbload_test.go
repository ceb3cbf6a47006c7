package runtime_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// LoadRDB of every RDB fixture of every server: for Redis 7.0.15's, against
// a real server loading the same file (every key of every database, with
// its type, value and TTL); for the others, against the ground truth the
// producing server recorded.
func TestLoadRDBMatchesRealServer(t *testing.T) {
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "rdb-") {
			path := fixtures.Path(server, name)
			t.Run(server+"/"+name, func(t *testing.T) {
				if server != "redis-7.0.15" {
					// the installed oracle (7.0.15) cannot load newer RDB
					// versions: compare with the ground truth the producing
					// server recorded
					compareWithExpected(t, server, name, path)
					return
				}
				real, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: path})
				if err != nil {
					t.Fatal(err)
				}
				srv, err := loadRDBFile(t, path)
				if err != nil {
					t.Fatal(err)
				}
				conn := real.Conn(t)
				total := 0
				for db := 0; db < 16; db++ {
					sel := []string{"SELECT", strconv.Itoa(db)}
					if v, _ := conn.Do(sel...); v.IsError() {
						t.Fatal(v)
					}
					srv.Do(sel...)
					keys := sortedKeys(t, mustDo(t, conn, "KEYS", "*"))
					ours := sortedKeys(t, srv.Do("KEYS", "*"))
					if len(keys) != len(ours) {
						t.Fatalf("db %d: %d keys, fnkit has %d", db, len(keys), len(ours))
					}
					for i, k := range keys {
						if ours[i] != k {
							t.Fatalf("db %d: key %q missing in fnkit (has %q)", db, k, ours[i])
						}
						typ := mustDo(t, conn, "TYPE", k).Str
						if got := srv.Do("TYPE", k).Str; got != typ {
							t.Errorf("db %d key %q: type %s, fnkit %s", db, k, typ, got)
							continue
						}
						want, got := valueOf(func(a ...string) resp.Value { return mustDo(t, conn, a...) }, typ, k), valueOf(srv.Do, typ, k)
						if want != got {
							t.Errorf("db %d key %q (%s): value differs\n redis: %.200s\n fnkit: %.200s", db, k, typ, want, got)
						}
						wt := mustDo(t, conn, "PEXPIRETIME", k).Int
						gt := srv.Do("PEXPIRETIME", k).Int
						if (wt < 0) != (gt < 0) || wt-gt > 2000 || gt-wt > 2000 {
							t.Errorf("db %d key %q: PEXPIRETIME %d, fnkit %d", db, k, wt, gt)
						}
						total++
					}
				}
				t.Logf("%d keys compared", total)
			})
		}
	}
}

func mustDo(t *testing.T, c *resp.Conn, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sortedKeys(t *testing.T, v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		out = append(out, e.Str)
	}
	sort.Strings(out)
	return out
}

// valueOf renders a key's value in a form independent of element order
// where Redis's order is not defined.
func valueOf(do func(...string) resp.Value, typ, k string) string {
	switch typ {
	case "string":
		return do("GET", k).String()
	case "list":
		return do("LRANGE", k, "0", "-1").String()
	case "set":
		return strconv.Itoa(len(sortedStrings(do("SMEMBERS", k)))) + ":" + joined(sortedStrings(do("SMEMBERS", k)))
	case "zset":
		return do("ZRANGE", k, "0", "-1", "WITHSCORES").String()
	case "hash":
		v := do("HGETALL", k)
		var pairs []string
		for i := 0; i+1 < len(v.Elems); i += 2 {
			pairs = append(pairs, v.Elems[i].Str+"="+v.Elems[i+1].Str)
		}
		sort.Strings(pairs)
		return joined(pairs)
	case "stream":
		return do("XRANGE", k, "-", "+").String() + " groups " + groupsOf(do("XINFO", "GROUPS", k))
	}
	return "?"
}

func groupsOf(v resp.Value) string {
	var out []string
	for _, g := range v.Elems {
		for i := 0; i+1 < len(g.Elems); i += 2 {
			if g.Elems[i].Str == "name" || g.Elems[i].Str == "last-delivered-id" {
				out = append(out, g.Elems[i+1].String())
			}
		}
	}
	sort.Strings(out)
	return joined(out)
}

func sortedStrings(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		out = append(out, e.Str)
	}
	sort.Strings(out)
	return out
}

func joined(s []string) string {
	out := ""
	for _, x := range s {
		out += x + "\x00"
	}
	return out
}

// loadRDBFile is a new fnkit server (closed when the test ends) with the
// RDB file at path loaded; what the load skipped is logged. The error is
// LoadRDB's.
func loadRDBFile(t *testing.T, path string) (*runtime.Server, error) {
	t.Helper()
	srv, _, err := loadRDBFileStats(t, path)
	return srv, err
}

// loadRDBFileStats is loadRDBFile with LoadRDB's statistics.
func loadRDBFileStats(t *testing.T, path string) (*runtime.Server, *runtime.RDBLoadStats, error) {
	t.Helper()
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := srv.LoadRDB(f, path)
	if err != nil {
		return nil, st, err
	}
	for _, s := range st.Skipped {
		t.Logf("skipped: %s", s)
	}
	return srv, st, nil
}

// compareWithExpected loads path into fnkit and checks every key the
// producing server recorded: database, type, length and PEXPIRETIME, and
// that the load skipped nothing but the hash field TTLs the server
// recorded (the keyspace, Redis 7.0's, has none), with their number.
func compareWithExpected(t *testing.T, server, name, path string) {
	exp, err := fixtures.LoadExpected(server, name)
	if err != nil {
		t.Fatal(err)
	}
	srv, st, err := loadRDBFileStats(t, path)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range st.Keys {
		total += n
	}
	if total != len(exp.Keys) || st.Expired != 0 {
		t.Errorf("%d keys loaded and %d expired, %s recorded %d keys", total, st.Expired, server, len(exp.Keys))
	}
	var wantSkipped []string
	lengthCmd := map[string]string{"string": "STRLEN", "list": "LLEN", "set": "SCARD", "zset": "ZCARD", "hash": "HLEN", "stream": "XLEN"}
	for _, raw := range exp.Keys {
		var row []json.RawMessage
		if err := json.Unmarshal(raw, &row); err != nil || len(row) < 6 {
			t.Fatalf("bad key row %s", raw)
		}
		var db int
		var typ string
		var pexp, length int64
		json.Unmarshal(row[0], &db)
		json.Unmarshal(row[2], &typ)
		json.Unmarshal(row[4], &pexp)
		json.Unmarshal(row[5], &length)
		if len(row) > 6 {
			// [field, expiry, ...] of the fields with a TTL
			var fieldTTLs []json.RawMessage
			json.Unmarshal(row[6], &fieldTTLs)
			if len(fieldTTLs) > 0 {
				wantSkipped = append(wantSkipped, fmt.Sprintf("db %d key %s: the TTLs of %d hash fields", db, row[1], len(fieldTTLs)/2))
			}
		}
		var key string
		if json.Unmarshal(row[1], &key) != nil {
			var b struct {
				Base64 string `json:"base64"`
			}
			json.Unmarshal(row[1], &b)
			k, _ := base64.StdEncoding.DecodeString(b.Base64)
			key = string(k)
		}
		srv.Do("SELECT", strconv.Itoa(db))
		if got := srv.Do("TYPE", key).Str; got != typ {
			t.Errorf("db %d key %q: type %s, fnkit %s", db, key, typ, got)
			continue
		}
		if c := lengthCmd[typ]; c != "" {
			if got := srv.Do(c, key).Int; got != length {
				t.Errorf("db %d key %q: %s %d, fnkit %d", db, key, c, length, got)
			}
		}
		got := srv.Do("PEXPIRETIME", key).Int
		if (pexp < 0) != (got < 0) || pexp-got > 2000 || got-pexp > 2000 {
			t.Errorf("db %d key %q: PEXPIRETIME %d, fnkit %d", db, key, pexp, got)
		}
	}
	var gotSkipped []string
	for _, line := range st.Skipped {
		gotSkipped = append(gotSkipped, strings.SplitN(line, " (", 2)[0])
	}
	sort.Strings(wantSkipped)
	sort.Strings(gotSkipped)
	if strings.Join(gotSkipped, "\n") != strings.Join(wantSkipped, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(gotSkipped, "\n"), strings.Join(wantSkipped, "\n"))
	}
	t.Logf("%d keys compared with %s's ground truth", len(exp.Keys), server)
}
