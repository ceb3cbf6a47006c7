package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
)

// remoteServer is a real redis-server with an optional password, set after
// startup.
type remoteServer struct {
	*fixtures.Redis
	pw string
}

func startRemote(t *testing.T, pw string, config ...string) *remoteServer {
	t.Helper()
	r, err := fixtures.StartRedisWith(t, fixtures.Options{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	s := &remoteServer{Redis: r}
	if pw != "" {
		s.must(t, "CONFIG", "SET", "requirepass", pw)
		s.pw = pw
	}
	return s
}

func (s *remoteServer) do(t *testing.T, args ...string) resp.Value {
	t.Helper()
	c := s.Conn(t)
	if s.pw != "" {
		c.Do("AUTH", s.pw)
	}
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s %v: %v", s.Addr, args, err)
	}
	return v
}

func (s *remoteServer) must(t *testing.T, args ...string) resp.Value {
	t.Helper()
	v := s.do(t, args...)
	if v.IsError() {
		t.Fatalf("%s %v: %s", s.Addr, args, v.Str)
	}
	return v
}

func (s *remoteServer) url() string {
	if s.pw != "" {
		return "redis://:" + s.pw + "@" + s.Addr
	}
	return "redis://" + s.Addr
}

func (s *remoteServer) dump(t *testing.T) string { return s.must(t, "FUNCTION", "DUMP").Str }

// libs is FUNCTION LIST WITHCODE as name → code.
func (s *remoteServer) libs(t *testing.T) map[string]string {
	t.Helper()
	return fixtures.LibraryCodes(s.must(t, "FUNCTION", "LIST", "WITHCODE"))
}

// functionCounts is the number of functions of each library, as FUNCTION
// LIST reports them.
func (s *remoteServer) functionCounts(t *testing.T) (map[string]int, int) {
	t.Helper()
	out, total := map[string]int{}, 0
	for _, lib := range s.must(t, "FUNCTION", "LIST").Elems {
		var name string
		var n int
		for i := 0; i+1 < len(lib.Elems); i += 2 {
			switch lib.Elems[i].Str {
			case "library_name":
				name = lib.Elems[i+1].Str
			case "functions":
				n = len(lib.Elems[i+1].Elems)
			}
		}
		out[name] = n
		total += n
	}
	return out, total
}

func (s *remoteServer) loadFixtures(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		code, err := os.ReadFile(fixtures.LibPath(f))
		if err != nil {
			t.Fatal(err)
		}
		s.must(t, "FUNCTION", "LOAD", string(code))
	}
}

var eightLibs = []string{"i18n.lua", "inventory.lua", "jobqueue.lua", "kvtools.lua", "leaderboard.lua", "ratelimit.lua", "sessions.lua", "wire.lua"}

// sameRecords checks two FUNCTION DUMP payloads hold the same records byte
// for byte; their order follows each server's randomly seeded dictionary.
func sameRecords(t *testing.T, a, b string) {
	t.Helper()
	recs := func(p string) []string {
		d, err := dumpfmt.Decode([]byte(p), "FUNCTION DUMP")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range d.Records {
			out = append(out, p[r.Offset:r.End])
		}
		sort.Strings(out)
		return append(out, string(p[len(p)-10:len(p)-8]))
	}
	if strings.Join(recs(a), "\x00") != strings.Join(recs(b), "\x00") {
		t.Errorf("FUNCTION DUMP records differ (%d and %d bytes)", len(a), len(b))
	}
}

func TestPullCLI(t *testing.T) {
	s := startRemote(t, "secret")
	s.loadFixtures(t, eightLibs...)
	dir := t.TempDir()
	dump := s.dump(t)

	out := filepath.Join(dir, "functions.payload")
	r := want(t, 0, "pull", "--from", s.url(), "-o", out)
	if got, _ := os.ReadFile(out); string(got) != dump {
		t.Fatal("payload file differs from the server's FUNCTION DUMP")
	}
	counts, total := s.functionCounts(t)
	if !strings.Contains(r.stdout, fmt.Sprintf("pulled 8 libraries (%d functions) from", total)+" redis://:***@"+s.Addr+" (redis 7.0.15, primary)") || strings.Contains(r.stdout+r.stderr, "secret") {
		t.Errorf("stdout %q", r.stdout)
	}

	for _, f := range []string{"hex", "base64"} {
		p := filepath.Join(dir, "p."+f)
		want(t, 0, "pull", "--from", s.url(), "-o", p, "--format", f)
		text, _ := os.ReadFile(p)
		var got []byte
		var err error
		if f == "hex" {
			got, err = hex.DecodeString(strings.TrimSpace(string(text)))
		} else {
			got, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
		}
		if err != nil || string(got) != dump {
			t.Errorf("--format %s: %v", f, err)
		}
	}

	r = want(t, 0, "pull", "--from", s.url(), "-o", "-")
	if r.stdout != dump || !strings.Contains(r.stderr, "to standard output") {
		t.Errorf("-o -: %d bytes on stdout, stderr %q", len(r.stdout), r.stderr)
	}

	libDir := filepath.Join(dir, "libs") + "/"
	want(t, 0, "pull", "--from", s.url(), "-o", libDir)
	listed := s.libs(t)
	if files := dirFiles(t, libDir); len(files) != len(listed) {
		t.Fatalf("wrote %v", files)
	}
	for name, code := range listed {
		if got, err := os.ReadFile(filepath.Join(libDir, name+".lua")); err != nil || string(got) != code {
			t.Errorf("%s.lua differs from FUNCTION LIST WITHCODE (%v)", name, err)
		}
	}
	r = want(t, 1, "pull", "--from", s.url(), "-o", libDir)
	if !hasErrorLine(r.stderr, "file exists (use --force to overwrite)") {
		t.Errorf("stderr %q", r.stderr)
	}

	r = want(t, 0, "pull", "--from", s.url(), "-o", filepath.Join(dir, "j.payload"), "--json")
	var rep struct {
		Addr           string `json:"addr"`
		PayloadVersion int    `json:"payload_rdb_version"`
		OK             bool   `json:"ok"`
		Libraries      []struct {
			Name      string `json:"name"`
			Functions []struct {
				Name        string   `json:"name"`
				Description *string  `json:"description"`
				Flags       []string `json:"flags"`
			} `json:"functions"`
		} `json:"libraries"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if !rep.OK || rep.Addr != s.Addr || rep.PayloadVersion != 10 || len(rep.Libraries) != 8 {
		t.Errorf("%+v", rep)
	}
	for _, l := range rep.Libraries {
		if len(l.Functions) != counts[l.Name] {
			t.Errorf("%s: %d functions, the server lists %d", l.Name, len(l.Functions), counts[l.Name])
		}
	}
}

func TestPullCLIErrors(t *testing.T) {
	s := startRemote(t, "secret")
	dir := t.TempDir()
	r := want(t, 1, "pull", "--from", "redis://:nope@"+s.Addr, "-o", filepath.Join(dir, "x"))
	if !hasErrorLine(r.stderr, s.Addr+": WRONGPASS invalid username-password pair or user is disabled.") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = want(t, 1, "pull", "--from", "redis://"+s.Addr, "-o", filepath.Join(dir, "x"))
	if !hasErrorLine(r.stderr, s.Addr+": ") || !strings.Contains(r.stderr, "NOAUTH Authentication required.") {
		t.Errorf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a failed pull wrote a file")
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"pull", "-o", "x"}, "missing --from"},
		{[]string{"pull", "--from", s.url()}, "missing -o FILE"},
		{[]string{"pull", "--from", "http://h", "-o", "x"}, "want redis://"},
		{[]string{"pull", "--from", "redis://h:0", "-o", "x"}, `port "0"`},
		{[]string{"pull", "--from", s.url(), "-o", "x", "--format", "xml"}, `--format "xml"`},
		{[]string{"pull", "--from", s.url(), "-o", "x", "--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"pull", "extra", "--from", s.url(), "-o", "x"}, "pull takes no arguments"},
	} {
		r := want(t, 2, c.args...)
		if !hasErrorLine(r.stderr, c.msg) {
			t.Errorf("%v: stderr %q, want %q", c.args, r.stderr, c.msg)
		}
	}
}
