package luaengine

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/internal/gcfloor"
)

// The budget of a load or call: time and memory.
//
// gopher-lua checks the context between VM instructions; builtins that
// loop or allocate in Go check it themselves through checkBudget and
// chargeString. A watchdog goroutine cancels the context when the deadline
// passes or when the heap grew more than the memory limit since the load
// or call began.

// checkBudget raises when the current load or call was stopped.
func (e *Engine) checkBudget(L *lua.LState) {
	if cause := e.abortCause(); cause != nil {
		L.RaiseError("%s", cause.Error())
	}
}

// raiseMemory raises Lua's out-of-memory error.
func (e *Engine) raiseMemory(L *lua.LState) {
	L.Error(lua.LString("not enough memory"), 0)
}

// chargeString checks a string of n bytes about to be built against the
// limits, and the context.
func (e *Engine) chargeString(L *lua.LState, n int) {
	limit := int64(MaxString)
	if e.opts.MemoryLimit > 0 && e.opts.MemoryLimit < limit {
		limit = e.opts.MemoryLimit
	}
	if int64(n) > limit {
		e.raiseMemory(L)
	}
	e.checkBudget(L)
}

// luaMemory estimates Lua's memory: the live Go heap (Lua values live
// there; Redis reports its Lua allocator's total), without the
// collector's floor (package gcfloor).
func (e *Engine) luaMemory() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return max(int64(s[0].Value.Uint64())-gcfloor.Size(), 0)
	}
	return 0
}

// monitor is the watchdog of loads and calls.
type monitor struct {
	mu       sync.Mutex
	cur      *activeCall
	deadline time.Time
	cause    error
	limit    int64
	gen      uint64
	wake     chan struct{}
	done     chan struct{}
}

const monitorTick = 2 * time.Millisecond

func newMonitor() *monitor {
	m := &monitor{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go m.loop()
	return m
}

func (m *monitor) watch(c *activeCall, deadline time.Time, cause error, limit int64) {
	m.mu.Lock()
	m.cur, m.deadline, m.cause, m.limit = c, deadline, cause, limit
	m.gen++
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *monitor) unwatch() {
	m.mu.Lock()
	m.cur = nil
	m.mu.Unlock()
}

func (m *monitor) close() { close(m.done) }

// stop cancels the call watched as generation gen with cause, if it is
// still the one watched: the engine reuses activeCalls, and one that ended
// (unwatch) may be the next call's by the time the loop acts on what it
// read.
func (m *monitor) stop(gen uint64, cause error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur != nil && m.gen == gen {
		m.cur.ctx.cancel(cause)
	}
}

func (m *monitor) loop() {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	read := func() (live, objects, allocs int64) {
		metrics.Read(samples)
		// the collector's floor comes and goes with servers, not with
		// what the call does
		floor := gcfloor.Size()
		return int64(samples[0].Value.Uint64()) - floor, int64(samples[1].Value.Uint64()) - floor, int64(samples[2].Value.Uint64())
	}
	var gen uint64
	var baseLive, baseObjects, baseAllocs int64
	var gcRunning atomic.Bool
	var lastGC time.Time
	for {
		m.mu.Lock()
		watching, deadline, cause, limit, g := m.cur != nil, m.deadline, m.cause, m.limit, m.gen
		m.mu.Unlock()
		if !watching {
			select {
			case <-m.wake:
				continue
			case <-m.done:
				return
			}
		}
		if g != gen {
			gen = g
			baseLive, baseObjects, baseAllocs = read()
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			m.stop(g, cause)
		}
		if limit > 0 {
			live, objects, allocs := read()
			switch {
			case live-baseLive > limit && allocs-baseAllocs > limit:
				// alive after a collection: over the limit. (The live
				// figure is the last collection's: one that ends during
				// this call may still count what an earlier call left
				// reachable; a call cannot have made more live than it
				// allocated, so it must have allocated over the limit.)
				m.stop(g, functions.ErrMemoryLimit)
			case objects-baseObjects > 4*limit+gcfloor.Bytes:
				// allocated and not yet collected, far over the limit
				// (and over the garbage the floor lets pile up between
				// collections): stop now rather than wait for one
				m.stop(g, functions.ErrMemoryLimit)
			case objects-baseObjects > limit && !gcRunning.Load() && time.Since(lastGC) > 20*time.Millisecond:
				// over the limit unless much of it is garbage: collect in
				// the background; live is checked on the next ticks
				lastGC = time.Now()
				gcRunning.Store(true)
				go func() {
					runtime.GC()
					gcRunning.Store(false)
				}()
			}
		}
		select {
		case <-time.After(monitorTick):
		case <-m.done:
			return
		}
	}
}
