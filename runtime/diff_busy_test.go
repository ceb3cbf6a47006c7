package runtime_test

import (
	"regexp"
	"testing"
	"time"
)

// A function running past busy-reply-threshold: other clients get BUSY,
// FUNCTION STATS shows it, FUNCTION KILL from another connection stops it
// (pcall cannot swallow the kill), and a function that wrote is
// unkillable. The same steps run on both servers; replies must match
// except for duration_ms. (The loops are one line each: where a kill
// lands in a loop of several lines depends on timing, in Redis too.)
func TestDiffBusyKill(t *testing.T) {
	srv, real := startPair(t)
	spin := lib("busy", `
redis.register_function('spin', function(keys, args)
  local n = 0
  while true do n = n + 1 end
end)
redis.register_function('spinpcall', function(keys, args)
  while true do pcall(function() while true do end end) end
end)
redis.register_function('writespin', function(keys, args)
  redis.call('set', 'w', '1')
  local function now() local t = redis.call('time') return tonumber(t[1]) + tonumber(t[2]) / 1e6 end
  local start = now()
  while now() - start < 1.5 do end
  return 'done'
end)
`)
	duration := regexp.MustCompile(`duration_ms\r\n:\d+\r\n`)
	type step struct {
		name string
		fn   string
		kill bool
	}
	for _, st := range []step{{"kill spin", "spin", true}, {"kill through pcall", "spinpcall", true}, {"unkillable after write", "writespin", false}} {
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
				must("FUNCTION", "LOAD", spin)
				must("CONFIG", "SET", "busy-reply-threshold", "100")
				runner := dial(t, addr)
				done := make(chan []byte, 1)
				go func() {
					raw, err := runner.DoRaw("FCALL", st.fn, "0")
					if err != nil {
						raw = []byte(err.Error())
					}
					done <- raw
				}()
				time.Sleep(400 * time.Millisecond)
				other := dial(t, addr)
				var out []string
				for _, a := range [][]string{{"PING"}, {"GET", "x"}, {"FUNCTION", "STATS"}, {"FUNCTION", "KILL"}} {
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
					t.Fatal("the function was not stopped")
				}
				raw, _ := other.DoRaw("FUNCTION", "STATS")
				out = append(out, string(raw))
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
