package luaengine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/runtime/functions"
)

// The engine reuses one activeCall from call to call (newCall). Each call
// must still be stopped on its own: a kill or time limit of one call does
// not reach the next, a coroutine that one call left suspended and a
// later call resumes is under the later call's limits, and a Stop that
// comes after a call ended stops nothing.
func TestCallReuseKeepsCallsApart(t *testing.T) {
	e := New(Options{TimeLimit: 300 * time.Millisecond, MemoryLimit: 64 << 20})
	defer e.Close()
	lib := functions.NewLibrary("reuse", e, "")
	if err := e.Create(context.Background(), lib, `
local co
redis.register_function('park', function()
  co = coroutine.create(function() coroutine.yield(1) while true do end end)
  return tostring(coroutine.resume(co))
end)
redis.register_function('resume', function() return tostring(coroutine.resume(co)) end)
redis.register_function('spin', function() while true do end end)
redis.register_function('ok', function() return 'fine' end)`, 0); err != nil {
		t.Fatal(err)
	}
	call := func(name string, run *functions.Run) string {
		fn, ok := lib.Function(name)
		if !ok {
			t.Fatalf("no function %s", name)
		}
		if run == nil {
			run = &functions.Run{Host: fuzzHost{}}
		}
		if run.Host == nil {
			run.Host = fuzzHost{}
		}
		v := e.Call(run, fn, nil, nil)
		if v.IsError() {
			return "error: " + v.Str
		}
		return v.Str
	}
	if got := call("park", nil); got != "true" {
		t.Fatalf("park: %q", got)
	}
	start := time.Now()
	if got := call("resume", nil); !strings.Contains(got, "time limit") {
		t.Fatalf("a parked coroutine looping in a later call: %q, want the time limit", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the time limit took %v", d)
	}
	if got := call("ok", nil); got != "fine" {
		t.Fatalf("the call after a stopped one: %q", got)
	}
	// a kill while a function runs stops it; the next call runs
	run := &functions.Run{}
	go func() {
		time.Sleep(50 * time.Millisecond)
		run.Stop(functions.ErrKilled)
	}()
	if got := call("spin", run); !strings.Contains(got, "killed") {
		t.Fatalf("spin after FUNCTION KILL: %q", got)
	}
	// a Stop after its call ended reaches no later call
	ended := &functions.Run{}
	if got := call("ok", ended); got != "fine" {
		t.Fatalf("ok: %q", got)
	}
	ended.Stop(functions.ErrKilled)
	for i := 0; i < 3; i++ {
		if got := call("ok", nil); got != "fine" {
			t.Fatalf("call %d after a late Stop: %q", i, got)
		}
	}
}
