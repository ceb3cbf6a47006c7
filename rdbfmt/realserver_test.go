package rdbfmt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/resp"
)

// addedLib is a library that no fixture holds.
const addedLib = "#!lua name=fnkit_added\nredis.register_function('fnkit_added_f', function(keys, args) return 'added' end)\n"

func loadLib(t testing.TB, file string) *library.Library {
	t.Helper()
	b, err := os.ReadFile(fixtures.LibPath(file))
	if err != nil {
		t.Fatal(err)
	}
	l, err := library.New(string(b), library.Origin{Path: file, Format: "lua", Offset: -1})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rewriteEdits are the edits the real-server tests apply.
func rewriteEdits(t testing.TB) map[string]func(*library.Set) (*library.Set, error) {
	v2 := loadLib(t, "ratelimit_v2.lua")
	added, err := library.New(addedLib, library.Origin{Path: "added.lua", Format: "lua", Offset: -1})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]func(*library.Set) (*library.Set, error){
		"add": func(s *library.Set) (*library.Set, error) {
			s.Put(added)
			return s, nil
		},
		"replace": func(s *library.Set) (*library.Set, error) {
			s.Put(v2)
			return s, nil
		},
		"remove": func(s *library.Set) (*library.Set, error) {
			s.Delete("wire")
			s.Delete("i18n")
			return s, nil
		},
		"flush": func(s *library.Set) (*library.Set, error) {
			return &library.Set{}, nil
		},
		"add-replace-remove": func(s *library.Set) (*library.Set, error) {
			s.Put(added)
			s.Put(v2)
			s.Delete("sessions")
			return s, nil
		},
	}
}

// serverLibraries returns FUNCTION LIST WITHCODE as name -> code.
func serverLibraries(t testing.TB, srv *fixtures.Redis) map[string]string {
	t.Helper()
	return srv.Libraries(t)
}

func setCodes(s *library.Set) map[string]string {
	out := map[string]string{}
	for _, l := range s.Libraries() {
		out[l.Name] = l.Code
	}
	return out
}

// dbSizes returns DBSIZE of databases 0-15 that are not empty.
func dbSizes(t testing.TB, srv *fixtures.Redis) map[int]int64 {
	t.Helper()
	c := srv.Conn(t)
	out := map[int]int64{}
	for db := 0; db < 16; db++ {
		if v, err := c.Do("SELECT", fmt.Sprint(db)); err != nil || v.IsError() {
			t.Fatalf("SELECT %d: %v %v", db, v, err)
		}
		v, err := c.Do("DBSIZE")
		if err != nil {
			t.Fatal(err)
		}
		if v.Int > 0 {
			out[db] = v.Int
		}
	}
	return out
}

// fixtureKeys returns the keys listed in a fixture's ground truth as
// (db, key, type, encoding).
func fixtureKeys(t testing.TB, exp *fixtures.Expected) [][4]string {
	t.Helper()
	var out [][4]string
	for _, row := range exp.Keys {
		var cols []json.RawMessage
		if err := json.Unmarshal(row, &cols); err != nil || len(cols) < 4 {
			t.Fatalf("bad key row %s", row)
		}
		var db int
		var key, typ, enc string
		json.Unmarshal(cols[0], &db)
		if err := json.Unmarshal(cols[1], &key); err != nil {
			var b struct {
				Base64 string `json:"base64"`
			}
			json.Unmarshal(cols[1], &b)
			k, _ := base64.StdEncoding.DecodeString(b.Base64)
			key = string(k)
		}
		json.Unmarshal(cols[2], &typ)
		json.Unmarshal(cols[3], &enc)
		out = append(out, [4]string{fmt.Sprint(db), key, typ, enc})
	}
	return out
}

// keyState returns DUMP and PEXPIRETIME of every key.
func keyState(t testing.TB, srv *fixtures.Redis, keys [][4]string) map[string]string {
	t.Helper()
	c := srv.Conn(t)
	out := map[string]string{}
	for _, k := range keys {
		if v, err := c.Do("SELECT", k[0]); err != nil || v.IsError() {
			t.Fatalf("SELECT: %v %v", v, err)
		}
		// DUMP of a hashtable-encoded value follows the dict's iteration
		// order, which depends on each process's random hash seed: compare
		// those by content, the others by DUMP bytes.
		var d resp.Value
		var err error
		switch {
		case k[3] == "hashtable" && k[2] == "set":
			d, err = c.Do("SMEMBERS", k[1])
		case k[3] == "hashtable" && k[2] == "hash":
			d, err = c.Do("HGETALL", k[1])
		default:
			d, err = c.Do("DUMP", k[1])
		}
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind == resp.Array {
			var elems []string
			for i := 0; i < len(d.Elems); i++ {
				if k[2] == "hash" {
					elems = append(elems, d.Elems[i].Str+"="+d.Elems[i+1].Str)
					i++
				} else {
					elems = append(elems, d.Elems[i].Str)
				}
			}
			sort.Strings(elems)
			d = resp.Bulk(strings.Join(elems, "\x00"))
		}
		e, err := c.Do("PEXPIRETIME", k[1])
		if err != nil {
			t.Fatal(err)
		}
		out[k[0]+"/"+k[1]] = fmt.Sprintf("%q ttl=%d", d.Str, e.Int)
	}
	return out
}

// checkRDB runs the real redis-check-rdb on path.
func checkRDB(t testing.TB, path string) {
	t.Helper()
	tool := fixtures.RequireTool(t, "redis-check-rdb")
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb %s: %v\n%s", path, err, out)
	}
}

// TestRewriteRealServer edits the libraries of the RDB fixtures a real
// redis-server 7.0.15 can load (RDB version <= 10) and checks the result
// with redis-check-rdb and a server started on it: the expected libraries,
// the same DBSIZE per database and the same DUMP and PEXPIRETIME of every
// key as a server started on the source.
func TestRewriteRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	fixtures.RequireTool(t, "redis-server")
	edits := rewriteEdits(t)
	names := []string{}
	for n := range edits {
		names = append(names, n)
	}
	sort.Strings(names)
	tested := 0
	for _, fx := range rdbFixtures(t) {
		if fx.facts.Version > 10 || strings.HasPrefix(fx.name, "corrupt-") || fx.exp == nil {
			continue
		}
		tested++
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			src, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: fx.path})
			if err != nil {
				t.Fatal(err)
			}
			keys := fixtureKeys(t, fx.exp)
			wantSizes := dbSizes(t, src)
			wantKeys := keyState(t, src, keys)
			if fmt.Sprint(setCodes(mustInfo(t, data).Libraries)) != fmt.Sprint(serverLibraries(t, src)) {
				t.Fatalf("the source's libraries differ from what the server loaded")
			}
			src.Stop()
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					var out bytes.Buffer
					res, err := Rewrite(bytes.NewReader(data), &out, edits[name], RewriteOptions{File: fx.path})
					if err != nil {
						t.Fatal(err)
					}
					path := filepath.Join(t.TempDir(), "out.rdb")
					if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					checkRDB(t, path)
					onlyFunctionSectionChanged(t, data, out.Bytes())
					srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: path})
					if err != nil {
						t.Fatal(err)
					}
					if got, want := serverLibraries(t, srv), setCodes(res.After); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("server lists %v, want %v", keysOf(got), keysOf(want))
					}
					if got := dbSizes(t, srv); fmt.Sprint(got) != fmt.Sprint(wantSizes) {
						t.Errorf("DBSIZE %v, want %v", got, wantSizes)
					}
					got := keyState(t, srv, keys)
					for k, w := range wantKeys {
						if got[k] != w {
							t.Errorf("key %q: DUMP/PEXPIRETIME %s, want %s", k, got[k], w)
						}
					}
					srv.Stop()
				})
			}
		})
	}
	if tested == 0 {
		t.Fatal("no fixture of RDB version <= 10")
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mustInfo(t testing.TB, data []byte) *Info {
	t.Helper()
	info, err := ReadInfo(bytes.NewReader(data), InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// nonFunctionBytes returns the input without its FUNCTION2 records and
// without the checksum trailer, as read by Reader.
func nonFunctionBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	rd := NewReader(bytes.NewReader(data), ReaderOptions{})
	out := append([]byte(nil), data[:9]...)
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch rec.Kind {
		case KindFunction:
		case KindEOF:
			out = append(out, OpEOF)
		default:
			out = append(out, data[rec.Offset:rec.End]...)
		}
	}
}

// onlyFunctionSectionChanged checks, with fnkit's own Reader, that the
// rewritten file holds every other record of the input byte for byte and
// in order, and that the checksum state carries over.
func onlyFunctionSectionChanged(t testing.TB, in, out []byte) {
	t.Helper()
	if !bytes.Equal(nonFunctionBytes(t, in), nonFunctionBytes(t, out)) {
		t.Errorf("records other than FUNCTION2 differ")
	}
	ci, co := mustInfo(t, in).Checksum, mustInfo(t, out).Checksum
	if ci.Disabled != co.Disabled || ci.Present != co.Present || !(co.Valid || co.Disabled || !co.Present) {
		t.Errorf("checksum in %+v out %+v", ci, co)
	}
}

// TestRewriteNewerVersions applies the edits to the fixtures a 7.0.15
// server cannot load (RDB 11 and 12) and checks the output with fnkit's
// Reader: the expected libraries, everything else unchanged.
func TestRewriteNewerVersions(t *testing.T) {
	edits := rewriteEdits(t)
	for _, fx := range rdbFixtures(t) {
		if strings.HasPrefix(fx.name, "corrupt-") {
			continue
		}
		data, err := os.ReadFile(fx.path)
		if err != nil {
			t.Fatal(err)
		}
		for name, edit := range edits {
			var out bytes.Buffer
			res, err := Rewrite(bytes.NewReader(data), &out, edit, RewriteOptions{File: fx.path})
			if err != nil {
				t.Fatalf("%s/%s %s: %v", fx.server, fx.name, name, err)
			}
			onlyFunctionSectionChanged(t, data, out.Bytes())
			info := mustInfo(t, out.Bytes())
			if !info.Libraries.Equal(res.After) {
				t.Errorf("%s/%s %s: output holds %v, want %v", fx.server, fx.name, name, info.Libraries, res.After)
			}
			if info.FirstAfterFunctions != fx.facts.FirstOpcodeAfterFunctions {
				t.Errorf("%s/%s %s: first record after the libraries is %d, want %d", fx.server, fx.name, name, info.FirstAfterFunctions, fx.facts.FirstOpcodeAfterFunctions)
			}
		}
	}
}
