package runtime_test

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/runtime"
)

// An EVAL script running past busy-reply-threshold, and a function beside
// it: other clients get Redis's BUSY for scripts (naming SCRIPT KILL),
// FUNCTION STATS and FUNCTION KILL refuse a script, SCRIPT KILL refuses a
// function, SCRIPT KILL stops a script (also through pcall), a script that
// wrote is unkillable, and afterwards SCRIPT KILL answers NOTBUSY. The
// same steps run on both servers; replies must match except for
// duration_ms.
func TestDiffScriptBusyKill(t *testing.T) {
	srv, real := startPair(t)
	spinLib := fn1("fspin", "while true do end")
	writeSpin := `redis.call('set', 'w', '1')
local function now() local t = redis.call('time') return tonumber(t[1]) + tonumber(t[2]) / 1e6 end
local start = now()
while now() - start < 1.5 do end
return 'done'`
	duration := regexp.MustCompile(`duration_ms\r\n:\d+\r\n`)
	type step struct {
		name string
		// load is a script to SCRIPT LOAD first (for EVALSHA)
		load   string
		run    []string
		probes [][]string
	}
	busyProbes := [][]string{
		{"PING"}, {"GET", "x"}, {"EVAL", "return 1", "0"}, {"SCRIPT", "LOAD", "return 2"}, {"SCRIPT", "EXISTS", "x"},
		{"FUNCTION", "STATS"}, {"MULTI"}, {"PING"}, {"EXEC"}, {"FUNCTION", "KILL"}, {"SCRIPT", "KILL"},
	}
	steps := []step{
		{name: "script kill", run: []string{"EVAL", "local n = 0\nwhile true do n = n + 1 end", "0"}, probes: busyProbes},
		{name: "script kill through pcall", run: []string{"EVAL", "while true do pcall(function() while true do end end) end", "0"}, probes: busyProbes},
		{name: "script kill of evalsha_ro", load: "#!lua flags=no-writes\nwhile true do end", run: []string{"EVALSHA_RO", shaOf("#!lua flags=no-writes\nwhile true do end"), "0"}, probes: busyProbes},
		{name: "script unkillable after a write", run: []string{"EVAL", writeSpin, "0"}, probes: [][]string{{"PING"}, {"SCRIPT", "KILL"}, {"FUNCTION", "KILL"}, {"FUNCTION", "STATS"}}},
		{name: "script kill refuses a function", run: []string{"FCALL", "fspin", "0"}, probes: [][]string{
			{"PING"}, {"EVAL", "return 1", "0"}, {"SCRIPT", "KILL"}, {"FUNCTION", "STATS"}, {"FUNCTION", "KILL"},
		}},
	}
	// (the loops are one line each: where a kill lands in a loop of several
	// lines depends on timing, in Redis too)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var results [2][]string
			for i, addr := range []string{srv.Addr(), real.Addr} {
				c := dial(t, addr)
				reset(t, c)
				must := func(a ...string) {
					if v, err := c.Do(a...); err != nil || v.IsError() {
						t.Fatalf("%v: %v %v", a, v, err)
					}
				}
				must("SCRIPT", "FLUSH")
				must("FUNCTION", "LOAD", spinLib)
				if st.load != "" {
					must("SCRIPT", "LOAD", st.load)
				}
				must("CONFIG", "SET", "busy-reply-threshold", "100")
				runner := dial(t, addr)
				done := make(chan []byte, 1)
				go func() {
					raw, err := runner.DoRaw(st.run...)
					if err != nil {
						raw = []byte(err.Error())
					}
					done <- raw
				}()
				time.Sleep(400 * time.Millisecond)
				other := dial(t, addr)
				var out []string
				for _, a := range st.probes {
					raw, err := other.DoRaw(a...)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, duration.ReplaceAllString(string(raw), "duration_ms\r\n:N\r\n"))
				}
				select {
				case raw := <-done:
					out = append(out, string(raw))
				case <-time.After(10 * time.Second):
					t.Fatal("the script was not stopped")
				}
				for _, a := range [][]string{{"SCRIPT", "KILL"}, {"FUNCTION", "KILL"}, {"FUNCTION", "STATS"}, {"GET", "w"}} {
					raw, _ := other.DoRaw(a...)
					out = append(out, string(raw))
				}
				results[i] = out
				c2 := dial(t, addr)
				if v, err := c2.Do("CONFIG", "SET", "busy-reply-threshold", "5000"); err != nil || v.IsError() {
					t.Fatalf("%v %v", v, err)
				}
			}
			for j := range results[1] {
				if j >= len(results[0]) || results[0][j] != results[1][j] {
					got := ""
					if j < len(results[0]) {
						got = results[0][j]
					}
					t.Errorf("step %d\n  redis: %q\n  fnkit: %q", j, results[1][j], got)
				}
			}
		})
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The slow script log line names SCRIPT KILL and the script's SHA1, as
// the real server's log does.
func TestDiffScriptSlowLog(t *testing.T) {
	real := fixtures.StartRedis(t)
	var log syncBuffer
	srv, err := runtime.Start(runtime.Config{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	slow := regexp.MustCompile(`Slow script detected: still in execution after \d+ milliseconds\. .*`)
	var lines [2]string
	for i, addr := range []string{srv.Addr(), real.Addr} {
		c := dial(t, addr)
		if v, err := c.Do("CONFIG", "SET", "busy-reply-threshold", "100"); err != nil || v.IsError() {
			t.Fatalf("%v %v", v, err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			dial(t, addr).DoRaw("EVAL", "while true do end", "0")
		}()
		time.Sleep(300 * time.Millisecond)
		other := dial(t, addr)
		other.DoRaw("PING")
		other.DoRaw("SCRIPT", "KILL")
		<-done
		other.DoRaw("CONFIG", "SET", "busy-reply-threshold", "5000")
		text := log.String()
		if i == 1 {
			text = real.Log()
		}
		m := slow.FindString(text)
		if m == "" {
			t.Fatalf("no slow script line in the log of %s:\n%s", addr, text)
		}
		lines[i] = regexp.MustCompile(`after \d+ milliseconds`).ReplaceAllString(strings.TrimSpace(m), "after N milliseconds")
	}
	if lines[0] != lines[1] {
		t.Errorf("slow script log\n  redis: %s\n  fnkit: %s", lines[1], lines[0])
	}
}
