package runtime_test

import "testing"

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
	type step struct {
		name string
		fn   string
		kill bool
	}
	for _, st := range []step{{"kill spin", "spin", true}, {"kill through pcall", "spinpcall", true}, {"unkillable after write", "writespin", false}} {
		t.Run(st.name, func(t *testing.T) {
			var results [2][]string
			for i, addr := range []string{srv.Addr(), real.Addr} {
				results[i] = busySteps(t, addr, [][]string{{"FUNCTION", "LOAD", spin}}, []string{"FCALL", st.fn, "0"},
					[][]string{{"PING"}, {"GET", "x"}, {"FUNCTION", "STATS"}, {"FUNCTION", "KILL"}},
					[][]string{{"FUNCTION", "STATS"}})
			}
			compareSteps(t, results[0], results[1])
		})
	}
}
