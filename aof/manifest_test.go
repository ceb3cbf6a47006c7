package aof

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// manifestCases are manifests with the outcome fnkit gives; every one is
// also fed to the real redis-check-aof (or redis-server) by
// TestManifestAgainstRedis.
var manifestCases = []struct {
	name    string
	text    string
	wantErr string   // Redis's message, "" when valid
	files   []string // valid: base then incr names as Redis checks them
}{
	{"fresh 7.0.15", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", "", []string{"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof"}},
	{"history skipped", "file b2 seq 2 type b\nfile i1 seq 1 type h\nfile b1 seq 1 type h\nfile i2 seq 2 type i\n", "", []string{"b2", "i2"}},
	{"incr only", "file i1 seq 1 type i\nfile i3 seq 3 type i\n", "", []string{"i1", "i3"}},
	{"comments and crlf", "# made by hand\nfile b seq 1 type b\r\n#another\nfile i seq 1 type i\n", "", []string{"b", "i"}},
	{"keys any case, any order, unknown keys", "TYPE b SEQ 7 File b7 extra x\nseq 8 type incr file i8\n", "", []string{"b7", "i8"}},
	{"tabs and leading blanks", "\t file  b \tseq 1 type b   \n", "", []string{"b"}},
	{"quoted name", "file \"a b\\x41\\t\" seq 1 type b\nfile 'q\\'x' seq 2 type i\n", "", []string{"a bA\t", "q'x"}},
	{"seq with junk like atoll", "file b seq 12abc type b\nfile i seq +5 type i\n", "", []string{"b", "i"}},
	{"type word", "file b seq 1 type base\n", "", []string{"b"}},
	{"later key wins", "file x seq 1 type i file b type b\n", "", []string{"b"}},
	{"negative base seq", "file b seq -3 type b\n", "", []string{"b"}},
	{"only comments", "# nothing\n", "", nil},

	{"empty file", "", MsgManifestEmpty, nil},
	{"blank line", "file b seq 1 type b\n\n", MsgManifestFormat, nil},
	{"blank line of spaces", "   \t\r\n", MsgManifestFormat, nil},
	{"five tokens", "file b seq 1 type\n", MsgManifestFormat, nil},
	{"odd tokens", "file b seq 1 type b x\n", MsgManifestFormat, nil},
	{"missing type", "file b seq 1 foo b\n", MsgManifestFormat, nil},
	{"missing file", "name b seq 1 type b\n", MsgManifestFormat, nil},
	{"seq zero", "file b seq 0 type b\n", MsgManifestFormat, nil},
	{"seq not a number", "file b seq x type b\n", MsgManifestFormat, nil},
	{"empty type", "file b seq 1 type \"\"\n", MsgManifestFormat, nil},
	{"unbalanced quote", "file \"b seq 1 type b\n", MsgManifestFormat, nil},
	{"quote not followed by space", "file \"b\"x seq 1 type b\n", MsgManifestFormat, nil},
	{"no final newline", "file b seq 1 type b", MsgManifestLongLine, nil},
	{"long line", "file " + strings.Repeat("x", 1100) + " seq 1 type b\n", MsgManifestLongLine, nil},
	{"long comment continues as a line", "file b seq 1 type b\n#" + strings.Repeat("x", 2000) + "\n", MsgManifestFormat, nil},
	{"path", "file dir/b seq 1 type b\n", MsgManifestPath, nil},
	{"backslash path", "file \"a\\\\b\" seq 1 type b\n", MsgManifestPath, nil},
	{"path checked before the rest", "file /b seq 0 type b\n", MsgManifestPath, nil},
	{"duplicate base", "file a seq 1 type b\nfile b seq 2 type b\n", MsgManifestDuplicate, nil},
	{"non-monotonic incr", "file a seq 2 type i\nfile b seq 2 type i\n", MsgManifestNonMonotone, nil},
	{"decreasing incr", "file a seq 3 type i\nfile b seq 1 type i\n", MsgManifestNonMonotone, nil},
	{"negative incr", "file a seq -1 type i\n", MsgManifestNonMonotone, nil},
	{"unknown type", "file a seq 1 type x\n", MsgManifestUnknownType, nil},
	{"bare single quote opens a quoted token", "file q'x seq 1 type b\n", MsgManifestFormat, nil},
	{"empty name as Redis writes it", "file  seq 1 type b\n", MsgManifestFormat, nil},
	{"empty name quoted", "file \"\" seq 1 type b\n", "", []string{""}},
	{"upper-case type letter", "file a seq 1 type B\n", MsgManifestUnknownType, nil},
	{"NUL in line", "file b seq 1 type b\x00\n", MsgManifestLongLine, nil},
}

func TestParseManifestCases(t *testing.T) {
	for _, tc := range manifestCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest(strings.NewReader(tc.text), "appendonly.aof.manifest")
			if tc.wantErr != "" {
				var me *ManifestError
				if !errors.As(err, &me) || me.Msg != tc.wantErr || !errors.Is(err, ErrManifest) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := loadOrder(m); strings.Join(got, "|") != strings.Join(tc.files, "|") {
				t.Fatalf("load order %q, want %q", got, tc.files)
			}
		})
	}
}

func loadOrder(m *Manifest) []string {
	var out []string
	if b, ok := m.Base(); ok {
		out = append(out, b.Name)
	}
	for _, e := range m.Incr() {
		out = append(out, e.Name)
	}
	return out
}

var checkAOFFile = regexp.MustCompile(`(?m)^(?:BASE|INCR) AOF (.*) is (?:empty|valid)$`)

// TestManifestAgainstRedis feeds every case to the real parser: to
// redis-check-aof when it recognises the file as a manifest (a non-comment
// line starting with "file"), else to redis-server.
func TestManifestAgainstRedis(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	for _, tc := range manifestCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mpath := filepath.Join(dir, "appendonly.aof.manifest")
			if err := os.WriteFile(mpath, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			hasEmpty := false
			for _, f := range tc.files {
				if f == "" {
					hasEmpty = true // the path is the directory itself
					continue
				}
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out string
			if looksLikeManifestToCheckAOF(tc.text) {
				b, _ := exec.Command(tool, mpath).CombinedOutput()
				out = string(b)
			} else {
				r, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir, AllowLoadFailure: true})
				if err == nil {
					r.Stop()
				}
				out = r.Log()
			}
			if tc.wantErr != "" {
				if !strings.Contains(out, "FATAL AOF MANIFEST FILE ERROR") && tc.wantErr != MsgManifestEmpty {
					t.Fatalf("Redis accepted the manifest fnkit refuses (%s):\n%s", tc.wantErr, out)
				}
				if !strings.Contains(out, tc.wantErr) {
					t.Fatalf("Redis said something else than %q:\n%s", tc.wantErr, out)
				}
				return
			}
			if strings.Contains(out, "FATAL AOF MANIFEST FILE ERROR") {
				t.Fatalf("Redis refused a manifest fnkit accepts:\n%s", out)
			}
			if looksLikeManifestToCheckAOF(tc.text) && !hasEmpty {
				var got []string
				for _, m := range checkAOFFile.FindAllStringSubmatch(out, -1) {
					got = append(got, m[1])
				}
				if strings.Join(got, "|") != strings.Join(tc.files, "|") {
					t.Fatalf("redis-check-aof checked %q, fnkit loads %q:\n%s", got, tc.files, out)
				}
			}
		})
	}
}

// looksLikeManifestToCheckAOF is redis-check-aof 7.0's fileIsManifest.
func looksLikeManifestToCheckAOF(text string) bool {
	data := []byte(text)
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 || n > ManifestMaxLine {
			n = min(len(data), ManifestMaxLine)
		}
		chunk := data[:n]
		data = data[n:]
		if chunk[0] != '#' && bytes.HasPrefix(chunk, []byte("file")) {
			return true
		}
	}
	return false
}

func TestManifestFixtures(t *testing.T) {
	n := 0
	for _, server := range fixtures.Servers {
		for _, art := range append(fixtures.Artifacts(server, "aof-"), fixtures.Artifacts(server, "corrupt-aof")...) {
			exp, err := fixtures.LoadExpected(server, art)
			if err != nil {
				t.Fatal(err)
			}
			var facts struct {
				ManifestName string `json:"manifest_name"`
				Manifest     []struct {
					File string `json:"file"`
					Seq  int64  `json:"seq"`
					Type string `json:"type"`
				} `json:"manifest"`
			}
			if err := json.Unmarshal(exp.AOF, &facts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(fixtures.Path(server, art), facts.ManifestName)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseManifest(bytes.NewReader(raw), path)
			if err != nil {
				t.Fatalf("%s/%s: %v", server, art, err)
			}
			if len(m.Entries) != len(facts.Manifest) {
				t.Fatalf("%s/%s: %d entries, want %d", server, art, len(m.Entries), len(facts.Manifest))
			}
			for i, e := range m.Entries {
				w := facts.Manifest[i]
				if e.Name != w.File || e.Seq != w.Seq || string(rune(e.Type)) != w.Type {
					t.Errorf("%s/%s: entry %d = %+v, want %+v", server, art, i, e, w)
				}
			}
			// Redis writes base, history, incr: the fixtures are in that
			// order, so writing them back gives the same bytes.
			if out, _ := m.MarshalText(); !bytes.Equal(out, raw) {
				t.Errorf("%s/%s: written manifest differs:\n%s\nwant:\n%s", server, art, out, raw)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no AOF fixtures found")
	}
}

func TestManifestWriteQuoting(t *testing.T) {
	m := &Manifest{Entries: []ManifestEntry{
		{Name: "plain.aof", Seq: 3, Type: TypeIncr},
		{Name: "sp ace\"q\n\r\t\a\b\x01é", Seq: 1, Type: TypeBase},
		{Name: "h", Seq: 2, Type: TypeHistory},
	}}
	got := string(AppendManifest(nil, m))
	want := "file \"sp ace\\\"q\\n\\r\\t\\a\\b\\x01\\xc3\\xa9\" seq 1 type b\nfile h seq 2 type h\nfile plain.aof seq 3 type i\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	back, err := ParseManifest(strings.NewReader(got), "m")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := back.Base(); b.Name != m.Entries[1].Name {
		t.Fatalf("round trip name %q", b.Name)
	}
}

// TestManifestWriteReadByRedis writes names that need quoting and checks
// that redis-check-aof reads back the same file names.
func TestManifestWriteReadByRedis(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	dir := t.TempDir()
	names := []string{"base with space.aof", "in\"cr\t1\x01é.aof", "plain.aof"}
	m := &Manifest{Entries: []ManifestEntry{
		{Name: names[0], Seq: 1, Type: TypeBase},
		{Name: names[1], Seq: 1, Type: TypeIncr},
		{Name: names[2], Seq: 2, Type: TypeIncr},
	}}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mpath := filepath.Join(dir, "appendonly.aof.manifest")
	if err := os.WriteFile(mpath, AppendManifest(nil, m), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, mpath).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, out)
	}
	var got []string
	for _, mm := range checkAOFFile.FindAllStringSubmatch(string(out), -1) {
		got = append(got, mm[1])
	}
	if strings.Join(got, "|") != strings.Join(names, "|") {
		t.Fatalf("redis-check-aof read %q, want %q", got, names)
	}
}
