package aof

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// craftDir writes an AOF directory whose only file is an incr file holding
// the commands, and returns it.
func craftDir(t testing.TB, cmds [][]string, tail string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "appendonlydir")
	os.Mkdir(dir, 0o755)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, c := range cmds {
		if err := w.CommandStrings(c...); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	buf.WriteString(tail)
	os.WriteFile(filepath.Join(dir, "appendonly.aof.1.incr.aof"), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
	return dir
}

func payloadOf(t testing.TB, files ...string) string {
	p, err := dumpfmt.Encode(libsOf(t, files...), 10)
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

// TestReplaySemanticsAgainstRedis writes AOFs by hand with the function
// commands Redis would refuse or treat specially, loads each in a real
// server and compares the libraries it ends with to Replay's.
func TestReplaySemanticsAgainstRedis(t *testing.T) {
	fixtures.RequireTool(t, "redis-server")
	rl, rl2, lb, ses := libCode(t, "ratelimit.lua"), libCode(t, "ratelimit_v2.lua"), libCode(t, "leaderboard.lua"), libCode(t, "sessions.lua")
	cases := []struct {
		name   string
		cmds   [][]string
		tail   string
		events string // event kinds in order
	}{
		{"load twice then replace", [][]string{
			{"FUNCTION", "LOAD", rl}, {"FUNCTION", "LOAD", rl2}, {"function", "load", "replace", rl2}, {"FUNCTION", "LOAD", "REPLACE", lb},
		}, "", "loaded failed replaced loaded"},
		{"delete", [][]string{
			{"FUNCTION", "DELETE", "nosuch"}, {"FUNCTION", "LOAD", rl}, {"FUNCTION", "LOAD", lb}, {"FUNCTION", "DELETE", "ratelimit"}, {"FUNCTION", "DELETE", "RATELIMIT"},
		}, "", "failed loaded loaded deleted failed"},
		{"bad shebangs and options", [][]string{
			{"FUNCTION", "LOAD", "#!lua name=bad-name\nredis.register_function('f', function() return 1 end)"},
			{"FUNCTION", "LOAD", "#!tcl name=x\nreturn 1"},
			{"FUNCTION", "LOAD", "return 1"},
			{"FUNCTION", "LOAD", "FOO", rl},
			{"FUNCTION", "LOAD", "REPLACE", "REPLACE", ses},
			{"FUNCTION", "LOAD"},
		}, "", "failed failed failed failed loaded failed"},
		{"flush variants", [][]string{
			{"FUNCTION", "LOAD", rl}, {"FUNCTION", "FLUSH", "LAZY"}, {"FUNCTION", "FLUSH", "ASYNC"}, {"FUNCTION", "LOAD", lb}, {"FUNCTION", "FLUSH", "sync"}, {"FUNCTION", "FLUSH"}, {"FUNCTION", "LOAD", ses},
		}, "", "loaded failed flushed loaded flushed flushed loaded"},
		{"restore policies", [][]string{
			{"FUNCTION", "LOAD", rl2},
			{"FUNCTION", "RESTORE", payloadOf(t, "ratelimit.lua")},
			{"FUNCTION", "RESTORE", payloadOf(t, "ratelimit.lua", "sessions.lua"), "replace"},
			{"FUNCTION", "RESTORE", payloadOf(t, "leaderboard.lua"), "APPEND"},
			{"FUNCTION", "RESTORE", payloadOf(t, "leaderboard.lua"), "bogus"},
			{"FUNCTION", "RESTORE", "not a payload"},
			{"FUNCTION", "RESTORE", payloadOf(t, "i18n.lua"), "FLUSH"},
			{"FUNCTION", "RESTORE", payloadOf(t), "APPEND"},
		}, "", "loaded failed replaced restored restored failed failed restored flushed flushed flushed restored"},
		{"multi exec with select", [][]string{
			{"SELECT", "3"}, {"MULTI"}, {"SET", "k", "v"}, {"FUNCTION", "LOAD", rl}, {"SELECT", "5"}, {"FUNCTION", "LOAD", rl}, {"FUNCTION", "LOAD", lb}, {"EXEC"}, {"SET", "k2", "v"},
		}, "", "loaded failed loaded"},
		{"multi without exec at the end", [][]string{
			{"FUNCTION", "LOAD", rl}, {"MULTI"}, {"FUNCTION", "DELETE", "ratelimit"}, {"FUNCTION", "LOAD", lb},
		}, "", "loaded discarded discarded"},
		{"truncated last command", [][]string{
			{"FUNCTION", "LOAD", rl}, {"SET", "a", "b"},
		}, "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$1447\r\n#!lua name=leader", "loaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := craftDir(t, tc.cmds, tc.tail)
			a, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Replay(ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range res.Events {
				kinds = append(kinds, string(e.Kind))
			}
			if strings.Join(kinds, " ") != tc.events {
				for _, e := range res.Events {
					t.Logf("%+v", e)
				}
				t.Errorf("events %q, want %q", strings.Join(kinds, " "), tc.events)
			}
			libs, _ := loadInServerCut(t, dir, "appendonly.aof", true)
			if libs != setRefs(res.Libraries) {
				t.Fatalf("real server: %s\nfnkit:       %s", libs, setRefs(res.Libraries))
			}
		})
	}
}

// TestStopAtCommandAgainstRedis cuts an AOF after every command and has a
// real server load each prefix: its libraries must be Replay's set at that
// command (a MULTI block cut before its EXEC is reverted by Redis and not
// yet applied by Replay).
func TestStopAtCommandAgainstRedis(t *testing.T) {
	fixtures.RequireTool(t, "redis-server")
	rl, lb := libCode(t, "ratelimit.lua"), libCode(t, "leaderboard.lua")
	cmds := [][]string{
		{"SELECT", "0"}, {"FUNCTION", "LOAD", rl}, {"SET", "a", "1"}, {"MULTI"}, {"FUNCTION", "LOAD", lb},
		{"FUNCTION", "DELETE", "ratelimit"}, {"EXEC"}, {"FUNCTION", "RESTORE", payloadOf(t, "ratelimit.lua"), "FLUSH"},
	}
	dir := craftDir(t, cmds, "")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ends []int64
	if _, err := a.Scan(ScanOptions{}, func(it *Item) error {
		ends = append(ends, it.End)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(a.Files[0].Path)
	for n := 0; n <= len(cmds); n++ {
		at, err := a.Replay(ReplayOptions{Stop: StopAtCommand(int64(n))})
		if err != nil {
			t.Fatal(err)
		}
		var end int64
		if n > 0 {
			end = ends[n-1]
		}
		cut := filepath.Join(t.TempDir(), "d")
		os.Mkdir(cut, 0o755)
		os.WriteFile(filepath.Join(cut, "appendonly.aof.1.incr.aof"), data[:end], 0o644)
		os.WriteFile(filepath.Join(cut, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
		libs, _ := loadInServerCut(t, cut, "appendonly.aof", true)
		if libs != setRefs(at.Libraries) {
			t.Fatalf("after command %d: real server %s, Replay %s", n, libs, setRefs(at.Libraries))
		}
	}
}

// TestValidatorHook shows where the Lua runtime plugs in: a validator that
// refuses a library makes its command fail, as Redis's compile errors do.
func TestValidatorHook(t *testing.T) {
	rl, lb := libCode(t, "ratelimit.lua"), libCode(t, "leaderboard.lua")
	dir := craftDir(t, [][]string{{"FUNCTION", "LOAD", rl}, {"FUNCTION", "LOAD", lb}}, "")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	res, err := a.Replay(ReplayOptions{Validate: func(cmd string, cur, next *library.Set, changed []*library.Library) error {
		calls = append(calls, cmd+":"+next.String())
		if _, ok := next.Get("leaderboard"); ok {
			return &library.Error{Msg: "Function lb_top already exists"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Libraries.String() != "[ratelimit]" || res.Events[1].Kind != EventFailed || res.Events[1].Error != "Function lb_top already exists" {
		t.Fatalf("set %s events %+v", res.Libraries, res.Events)
	}
	if len(calls) != 2 {
		t.Fatalf("validator calls %q", calls)
	}
}

// TestRepairMatchesCheckAOFFix repairs damaged single files and compares
// the bytes with what the real redis-check-aof --fix leaves.
func TestRepairMatchesCheckAOFFix(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	orig, err := os.ReadFile(fixtures.Path("redis-7.0.15", "aof-multi-incr/appendonly.aof.2.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	multiAt := bytes.Index(orig, []byte("*1\r\n$5\r\nMULTI"))
	execAt := bytes.Index(orig[multiAt:], []byte("*1\r\n$4\r\nEXEC")) + multiAt
	bad := append([]byte(nil), orig...)
	bad[multiAt+100] = '!'
	for _, tc := range []struct {
		name   string
		data   []byte
		damage bool
	}{
		{"cut inside MULTI", orig[:execAt+3], false},
		{"MULTI without EXEC", orig[:execAt], false},
		{"cut in the last command", orig[:len(orig)-7], false},
		{"bad byte", bad, true},
		{"intact", orig, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.aof")
			os.WriteFile(in, tc.data, 0o644)
			theirs := filepath.Join(dir, "theirs.aof")
			os.WriteFile(theirs, tc.data, 0o644)
			cmd := exec.Command(tool, "--fix", theirs)
			cmd.Stdin = strings.NewReader("y\n")
			out, _ := cmd.CombinedOutput()
			a, err := Open(in)
			if err != nil {
				t.Fatal(err)
			}
			ours := filepath.Join(dir, "ours.aof")
			res, err := Repair(a, ours, RepairOptions{})
			if tc.damage {
				if err == nil {
					t.Fatal("damage repaired without DropAfterDamage")
				}
				res, err = Repair(a, ours, RepairOptions{DropAfterDamage: true})
			}
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(theirs)
			got, _ := os.ReadFile(ours)
			if !bytes.Equal(got, want) {
				t.Fatalf("fnkit %d bytes, redis-check-aof --fix %d bytes\n%s", len(got), len(want), out)
			}
			if (res.Cut == nil) != bytes.Equal(tc.data, got) {
				t.Fatalf("cut %+v", res.Cut)
			}
			checkAOF(t, ours)
		})
	}
}
