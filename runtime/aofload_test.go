package runtime_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/runtime"
)

// TestLoadAOFRealServer: for each AOF fixture written by Redis 7.0.15
// (an RDB base with incremental files, a RESP base without preamble, two
// bases with a history), fnkit's keyspace after LoadAOF (and its
// libraries after aof.Replay) equals what a real redis-server 7.0.15
// holds after loading the same directory: DBSIZE per database, DEBUG
// DIGEST over every key, value and TTL presence, the libraries, and the
// consumer groups' pending entries.
func TestLoadAOFRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	dirs, _ := filepath.Glob(fixtures.Path("redis-7.0.15", "aof-*"))
	var tested int
	for _, dir := range dirs {
		if strings.Contains(filepath.Base(dir), "corrupt") {
			continue
		}
		tested++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			real, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir, Config: []string{"enable-debug-command yes"}})
			if err != nil {
				t.Fatal(err)
			}
			want := factsOf(t, dial(t, real.Addr))
			real.Stop()
			if len(want.sizes) == 0 {
				t.Fatal("the real server loaded no keys: nothing would be tested")
			}

			srv, err := runtime.Start(runtime.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			a, err := aof.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Replay(aof.ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.LoadLibraries(res.Libraries); err != nil {
				t.Fatal(err)
			}
			st, err := srv.LoadAOF(dir, runtime.AOFLoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Skipped) > 0 || st.Truncated != "" {
				t.Errorf("skipped %v, truncated %q", st.Skipped, st.Truncated)
			}
			if st.Commands == 0 {
				t.Error("no command replayed")
			}
			sameFacts(t, "fnkit after LoadAOF", factsOf(t, dial(t, srv.Addr())), want)
		})
	}
	if tested == 0 {
		t.Fatal("no AOF fixtures")
	}
}

// TestLoadAOFSingleFile covers the single-file layouts (RESP only, and an
// RDB preamble followed by RESP commands) and a truncated last file with an
// unfinished MULTI block, against a real server loading the same file.
func TestLoadAOFSingleFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	for _, preamble := range []bool{false, true} {
		name := "resp"
		if preamble {
			name = "preamble"
		}
		t.Run(name, func(t *testing.T) {
			// a real server writes the file: keys of every type, then
			// BGREWRITEAOF (with or without preamble), then more commands
			conf := []string{"enable-debug-command yes", "appendonly yes", "appendfsync always"}
			if !preamble {
				conf = append(conf, "aof-use-rdb-preamble no")
			}
			w, err := fixtures.StartRedisWith(t, fixtures.Options{Config: conf})
			if err != nil {
				t.Fatal(err)
			}
			c := dial(t, w.Addr)
			for _, a := range allTypes {
				if v, err := c.Do(a...); err != nil || v.IsError() {
					t.Fatalf("%s: %v %v", show(a), v, err)
				}
			}
			for _, a := range [][]string{
				cmd("BGREWRITEAOF"), cmd("DEBUG", "SLEEP", "0.5"), cmd("INCR", "after"), cmd("MULTI"), cmd("SET", "m1", "a"), cmd("LPUSH", "l", "z"),
				cmd("EXEC"), cmd("DEL", "s:str"), cmd("XSETID", "x", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "3-0"),
			} {
				if v, err := c.Do(a...); err != nil || v.IsError() {
					t.Fatalf("%s: %v %v", show(a), v, err)
				}
			}
			want := factsOf(t, c)
			w.Stop()
			dir := filepath.Join(w.Dir, "appendonlydir")

			srv, err := runtime.Start(runtime.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			st, err := srv.LoadAOF(dir, runtime.AOFLoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Skipped) > 0 {
				t.Errorf("skipped %v", st.Skipped)
			}
			if (st.RDB != nil) != preamble {
				t.Errorf("RDB part loaded: %v, want %v", st.RDB != nil, preamble)
			}
			got := factsOf(t, dial(t, srv.Addr()))
			got.libs = want.libs
			sameFacts(t, "fnkit after LoadAOF", got, want)

			// the last incr file cut inside a MULTI block: both servers
			// load everything before it
			m, err := aof.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			last := m.Files[len(m.Files)-1].Path
			b, err := os.ReadFile(last)
			if err != nil {
				t.Fatal(err)
			}
			cut := strings.Index(string(b), "*1\r\n$5\r\nMULTI")
			if cut < 0 {
				t.Fatal("no MULTI in the last file")
			}
			trunc := filepath.Join(t.TempDir(), "appendonlydir")
			if err := os.MkdirAll(trunc, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Files {
				data, _ := os.ReadFile(f.Path)
				if f.Path == last {
					data = data[:cut+len("*1\r\n$5\r\nMULTI\r\n")+20]
				}
				os.WriteFile(filepath.Join(trunc, filepath.Base(f.Path)), data, 0o644)
			}
			mf, _ := os.ReadFile(m.ManifestPath)
			os.WriteFile(filepath.Join(trunc, filepath.Base(m.ManifestPath)), mf, 0o644)
			r2, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: trunc, Config: []string{"enable-debug-command yes"}})
			if err != nil {
				t.Fatal(err)
			}
			want2 := factsOf(t, dial(t, r2.Addr))
			srv2, err := runtime.Start(runtime.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv2.Close()
			st2, err := srv2.LoadAOF(trunc, runtime.AOFLoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(st2.Truncated, "MULTI") {
				t.Errorf("truncation not reported: %q", st2.Truncated)
			}
			got2 := factsOf(t, dial(t, srv2.Addr()))
			got2.libs = want2.libs
			sameFacts(t, "fnkit after LoadAOF of the truncated AOF", got2, want2)
		})
	}
}

func TestLoadAOFErrors(t *testing.T) {
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	if _, err := srv.LoadAOF(filepath.Join(dir, "missing.aof"), runtime.AOFLoadOptions{}); err == nil {
		t.Error("missing file accepted")
	}
	bad := filepath.Join(dir, "bad.aof")
	os.WriteFile(bad, []byte("*1\r\n$6\r\nNOSUCH\r\n"), 0o644)
	if _, err := srv.LoadAOF(bad, runtime.AOFLoadOptions{}); err == nil || !strings.Contains(err.Error(), "Unknown command 'NOSUCH' reading the append only file") {
		t.Errorf("unknown command: %v", err)
	}
	ok := filepath.Join(dir, "ok.aof")
	os.WriteFile(ok, []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"), 0o644)
	st, err := srv.LoadAOF(ok, runtime.AOFLoadOptions{})
	if err != nil || st.Keys[0] != 1 || st.Keys[2] != 1 || st.Commands != 3 {
		t.Errorf("LoadAOF: %+v %v", st, err)
	}
}
