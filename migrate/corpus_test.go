package migrate_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/migrate"
	"github.com/fnkit/fnkit/resp"
)

var update = flag.Bool("update", false, "rewrite the golden files of migrated corpora")

// corpusCase is one test case of a corpus script: setup commands run on an
// empty database, then calls run in order, each through EVAL of the
// original script and through FCALL of the migrated function.
type corpusCase struct {
	Name  string     `json:"name"`
	Setup [][]string `json:"setup"`
	Calls []struct {
		Keys []string `json:"keys"`
		Args []string `json:"args"`
	} `json:"calls"`
}

type corpusScript struct {
	path  string
	src   string
	cases []corpusCase
}

func loadCorpus(t *testing.T, dir string) []corpusScript {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.lua"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	var out []corpusScript
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(p, ".lua") + ".json")
		if err != nil {
			t.Fatalf("%s has no test cases: %v", p, err)
		}
		var doc struct {
			Cases []corpusCase `json:"cases"`
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s.json: %v", strings.TrimSuffix(p, ".lua"), err)
		}
		if len(doc.Cases) < 1 {
			t.Fatalf("%s: no cases", p)
		}
		out = append(out, corpusScript{path: p, src: string(src), cases: doc.Cases})
	}
	return out
}

func migrateCorpus(t *testing.T, corpus []corpusScript, golden string) *migrate.Result {
	t.Helper()
	var scripts []migrate.Script
	for _, c := range corpus {
		scripts = append(scripts, migrate.Script{Path: c.path, Source: c.src})
	}
	res, err := migrate.Migrate("corpus", scripts)
	if err != nil {
		for _, f := range res.Findings {
			t.Log(f)
		}
		t.Fatalf("migrate corpus: %v", err)
	}
	if *update {
		if err := os.WriteFile(golden, []byte(res.Code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if string(want) != res.Code {
		t.Errorf("migrated corpus differs from %s (run with -update after reviewing):\n%s", golden, firstDiff(string(want), res.Code))
	}
	return res
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// errSuffix is the part of a script error reply that names the script and
// the place: EVAL says "script: <sha1>, on @user_script:<line>.", a
// function "script: <name>, on @user_function:<line>.". An error raised
// with a position also starts with "user_script:<line>: " or
// "user_function:<line>: " (the chunk name, which differs the same way).
var (
	errSuffix = regexp.MustCompile(` script: ([^ ]+), on @(user_script|user_function):(\d+)\.\r\n$`)
	errPrefix = regexp.MustCompile(`^-(?:[A-Z]+ )?(user_script|user_function):(\d+): `)
)

// normalise replaces the script-identifying parts of an error reply by
// placeholders, checking them: the sha1 (EVAL) or the function name (FCALL)
// and lines that match once shifted by offset.
func normalise(t *testing.T, raw []byte, fcall bool, ident string, offset int, lines *[]int) string {
	t.Helper()
	s := string(raw)
	if len(s) == 0 || s[0] != '-' {
		return s
	}
	chunk := "user_script"
	if fcall {
		chunk = "user_function"
	}
	if m := errSuffix.FindStringSubmatchIndex(s); m != nil {
		name, ch := s[m[2]:m[3]], s[m[4]:m[5]]
		line, _ := strconv.Atoi(s[m[6]:m[7]])
		if name != ident || ch != chunk {
			t.Errorf("error names %q on @%s, want %q on @%s: %q", name, ch, ident, chunk, s)
		}
		*lines = append(*lines, line-offset)
		s = s[:m[0]] + " script: <script>, on @<chunk>:<line>.\r\n"
	}
	if m := errPrefix.FindStringSubmatchIndex(s); m != nil {
		ch := s[m[2]:m[3]]
		line, _ := strconv.Atoi(s[m[4]:m[5]])
		if ch != chunk {
			t.Errorf("error position names %s, want %s: %q", ch, chunk, s)
		}
		*lines = append(*lines, line-offset)
		s = s[:m[2]] + "<chunk>:<line>: " + s[m[1]:]
	}
	return s
}

type keyState struct {
	typ, dump string
	pttl      int64
}

// keyspace returns every key of the current database with its type, DUMP
// payload and PTTL.
func keyspace(t *testing.T, c *resp.Conn) map[string]keyState {
	t.Helper()
	out := map[string]keyState{}
	cursor := "0"
	for {
		v, err := c.Do("SCAN", cursor, "COUNT", "1000")
		if err != nil || len(v.Elems) != 2 {
			t.Fatalf("SCAN: %v %v", v, err)
		}
		for _, k := range v.Elems[1].Elems {
			out[k.Str] = keyState{}
		}
		cursor = v.Elems[0].Str
		if cursor == "0" {
			break
		}
	}
	for k := range out {
		typ, err1 := c.Do("TYPE", k)
		dump, err2 := c.Do("DUMP", k)
		pttl, err3 := c.Do("PTTL", k)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("reading %s: %v %v %v", k, err1, err2, err3)
		}
		out[k] = keyState{typ: typ.Str, dump: dump.Str, pttl: pttl.Int}
	}
	return out
}

// sameKeyspace compares two snapshots: same keys, types and DUMP payloads;
// TTLs both absent or both set within a second of each other (the two runs
// happen one after the other).
func sameKeyspace(a, b map[string]keyState) string {
	var diffs []string
	for k, x := range a {
		y, ok := b[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("key %q only after EVAL", k))
		case x.typ != y.typ || x.dump != y.dump:
			diffs = append(diffs, fmt.Sprintf("key %q: %s %q after EVAL, %s %q after FCALL", k, x.typ, x.dump, y.typ, y.dump))
		case (x.pttl < 0) != (y.pttl < 0) || x.pttl-y.pttl > 1000 || y.pttl-x.pttl > 1000:
			diffs = append(diffs, fmt.Sprintf("key %q: PTTL %d after EVAL, %d after FCALL", k, x.pttl, y.pttl))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("key %q only after FCALL", k))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}

func do(t *testing.T, c *resp.Conn, args ...string) []byte {
	t.Helper()
	raw, err := c.DoRaw(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return raw
}

func callArgs(cmd, script string, keys, args []string) []string {
	out := []string{cmd, script, strconv.Itoa(len(keys))}
	out = append(out, keys...)
	return append(out, args...)
}

// TestCorpus migrates every script of testdata/scripts into one library,
// loads it into a real redis-server and runs each script's cases through
// EVAL (the original) and FCALL (the migrated function) on the same data,
// in RESP2 and RESP3: replies must be byte-identical once the script name
// and chunk name of error replies are normalised (and their lines must
// match once shifted by the function's line offset), and the keyspace
// (DUMP of every key, TTLs) must be identical. Functions marked no-writes
// must give the same replies through FCALL_RO; the others must be refused
// by FCALL_RO with Redis's error.
func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t, "testdata/scripts")
	if len(corpus) < 20 {
		t.Fatalf("corpus has %d scripts, want at least 20", len(corpus))
	}
	for _, c := range corpus {
		if len(c.cases) < 2 {
			t.Errorf("%s: want at least two cases (one an error path)", c.path)
		}
	}
	readOnly := runCorpus(t, corpus, "testdata/corpus.golden.lua")
	if readOnly < 3 {
		t.Errorf("only %d read-only functions in the corpus", readOnly)
	}
}

// TestTricky runs the same comparison for scripts written to stress the
// rewrite: shadowed and look-alike names, varargs, CRLF line endings, long
// strings and comments, methods and closures, EVAL-only debugging calls.
func TestTricky(t *testing.T) {
	runCorpus(t, loadCorpus(t, "testdata/tricky"), "testdata/tricky.golden.lua")
}

// runCorpus migrates corpus into one library, compares it with golden and
// runs every case on a real server; it returns the number of no-writes
// functions.
func runCorpus(t *testing.T, corpus []corpusScript, golden string) int {
	t.Helper()
	res := migrateCorpus(t, corpus, golden)
	if err := res.Verify(); err != nil {
		t.Errorf("fnkit's runtime refuses the migrated library: %v", err)
	}
	for _, f := range res.Errors() {
		t.Errorf("unexpected error finding: %s", f)
	}
	srv := fixtures.StartRedis(t)
	admin := srv.Conn(t)
	if v, err := admin.Do("FUNCTION", "LOAD", res.Code); err != nil || v.IsError() {
		t.Fatalf("FUNCTION LOAD of the migrated corpus: %v %v", v, err)
	}
	readOnly, written := 0, 0
	for i, cs := range corpus {
		fn := res.Functions[i]
		sum := sha1.Sum([]byte(cs.src))
		sha := hex.EncodeToString(sum[:])
		noWrites := false
		for _, f := range fn.Flags {
			if f == "no-writes" {
				noWrites = true
			}
		}
		if noWrites {
			readOnly++
		} else {
			written++
		}
		t.Run(fn.Name, func(t *testing.T) {
			for _, proto := range []string{"2", "3"} {
				c := srv.Conn(t)
				if v, err := c.Do("HELLO", proto); err != nil || v.IsError() {
					t.Fatalf("HELLO %s: %v %v", proto, v, err)
				}
				for _, tc := range cs.cases {
					run := func(cmd, script string, fcall bool, ident string) ([]string, []int, map[string]keyState) {
						do(t, c, "FLUSHALL")
						for _, s := range tc.Setup {
							if raw := do(t, c, s...); raw[0] == '-' {
								t.Fatalf("%s: setup %v: %s", tc.Name, s, raw)
							}
						}
						var replies []string
						var lines []int
						for _, call := range tc.Calls {
							raw := do(t, c, callArgs(cmd, script, call.Keys, call.Args)...)
							off := 0
							if fcall {
								off = fn.LineOffset
							}
							replies = append(replies, normalise(t, raw, fcall, ident, off, &lines))
						}
						return replies, lines, keyspace(t, c)
					}
					evalR, evalLines, evalKS := run("EVAL", cs.src, false, sha)
					fnR, fnLines, fnKS := run("FCALL", fn.Name, true, fn.Name)
					for j := range evalR {
						if evalR[j] != fnR[j] {
							t.Errorf("RESP%s %s call %d: EVAL %q, FCALL %q", proto, tc.Name, j+1, evalR[j], fnR[j])
						}
					}
					if fmt.Sprint(evalLines) != fmt.Sprint(fnLines) {
						t.Errorf("RESP%s %s: error lines %v in the script, %v in the function (offset %d)", proto, tc.Name, evalLines, fnLines, fn.LineOffset)
					}
					if d := sameKeyspace(evalKS, fnKS); d != "" {
						t.Errorf("RESP%s %s: keyspace differs:\n%s", proto, tc.Name, d)
					}
					if noWrites {
						roR, _, roKS := run("FCALL_RO", fn.Name, true, fn.Name)
						for j := range roR {
							if roR[j] != fnR[j] {
								t.Errorf("RESP%s %s call %d: FCALL %q, FCALL_RO %q", proto, tc.Name, j+1, fnR[j], roR[j])
							}
						}
						if d := sameKeyspace(fnKS, roKS); d != "" {
							t.Errorf("RESP%s %s: FCALL_RO keyspace differs:\n%s", proto, tc.Name, d)
						}
						if fn.FlagsFrom == "read-only" {
							// The original, in compatibility mode, runs
							// through EVAL_RO too, with the same replies.
							roEval, _, _ := run("EVAL_RO", cs.src, false, sha)
							for j := range roEval {
								if roEval[j] != evalR[j] {
									t.Errorf("RESP%s %s call %d: EVAL %q, EVAL_RO %q", proto, tc.Name, j+1, evalR[j], roEval[j])
								}
							}
						}
					} else {
						call := tc.Calls[0]
						raw := string(do(t, c, callArgs("FCALL_RO", fn.Name, call.Keys, call.Args)...))
						if raw != "-ERR Can not execute a script with write flag using *_ro command.\r\n" {
							t.Errorf("FCALL_RO of write function %s: %q", fn.Name, raw)
						}
					}
				}
			}
		})
	}
	t.Logf("%d scripts: %d functions no-writes, %d writing", len(corpus), readOnly, written)
	return readOnly
}
