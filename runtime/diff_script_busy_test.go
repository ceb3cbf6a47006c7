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
			setup := [][]string{{"SCRIPT", "FLUSH"}, {"FUNCTION", "LOAD", spinLib}}
			if st.load != "" {
				setup = append(setup, []string{"SCRIPT", "LOAD", st.load})
			}
			var results [2][]string
			for i, addr := range []string{srv.Addr(), real.Addr} {
				results[i] = busySteps(t, addr, setup, st.run, st.probes,
					[][]string{{"SCRIPT", "KILL"}, {"FUNCTION", "KILL"}, {"FUNCTION", "STATS"}, {"GET", "w"}})
			}
			compareSteps(t, results[0], results[1])
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
