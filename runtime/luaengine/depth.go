package luaengine

import (
	"context"
	"errors"
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/functions"
)

// Call depth, as Lua 5.1 limits it.
//
// Redis's Lua fails with "stack overflow" when a thread would hold more
// than 16384 call records (LUAI_MAXCALLS, reached by doubling). gopher-lua
// has a fixed call-stack size and, with MinimizeStackMemory, a bug that
// turns overflowing it into a Go panic without a position and without room
// for the error handler. The engine therefore gives gopher-lua a slightly
// larger stack and enforces Lua's limit itself: the context gopher-lua
// checks before every instruction reports "stack overflow" while the
// thread is deeper than the limit, so the error is raised as a Lua error
// in the new frame's first instruction, and fixErrorObject moves its
// position to the calling frame, where Lua 5.1 raises it.

const (
	// maxCallDepth is the deepest a thread may be (16384 minus Lua's base
	// record).
	maxCallDepth = 16383
	// physicalStack leaves room above maxCallDepth for error handlers.
	physicalStack = maxCallDepth + 1 + 256
)

var errStackOverflow = errors.New("stack overflow")

var (
	offStack    uintptr
	offSegIdx   uintptr
	offSegSp    uintptr
	depthActive bool
	closedChan  = make(chan struct{})
)

func init() {
	close(closedChan)
	L := lua.NewState(lua.Options{SkipOpenLibs: true, MinimizeStackMemory: true, CallStackSize: 64})
	defer L.Close()
	sf, ok := reflect.TypeOf(lua.LState{}).FieldByName("stack")
	if !ok || sf.Type.Kind() != reflect.Interface {
		return
	}
	dyn := reflect.ValueOf(L).Elem().FieldByIndex(sf.Index).Elem()
	if dyn.Kind() != reflect.Pointer || dyn.Type().Elem().Kind() != reflect.Struct {
		return
	}
	st := dyn.Type().Elem()
	idx, ok1 := st.FieldByName("segIdx")
	sp, ok2 := st.FieldByName("segSp")
	if !ok1 || !ok2 || idx.Type.Kind() != reflect.Uint16 || sp.Type.Kind() != reflect.Uint8 {
		return
	}
	offStack, offSegIdx, offSegSp = sf.Offset, idx.Offset, sp.Offset
	depthActive = true
}

// callDepth returns the number of call frames of L.
func callDepth(L *lua.LState) int {
	iface := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), offStack))
	s := iface[1]
	if s == nil {
		return 0
	}
	idx := *(*uint16)(unsafe.Add(s, offSegIdx))
	sp := *(*uint8)(unsafe.Add(s, offSegSp))
	return int(sp) + int(idx)*lua.FramesPerSegment
}

// depthCtx is the context a thread runs under: the call's context, plus
// Lua's depth limit, plus Redis's timing of FUNCTION KILL.
//
// gopher-lua calls Done once before every instruction, so depthCtx also
// counts instructions. Redis notices a kill in a count hook that runs
// every 100000 instructions, and from then on at every line: the error
// message names the line of the instruction where that happened. A kill
// is therefore reported when the count reaches a multiple of 100000 (at
// the same instruction as in Redis for the same code), and at once after
// that. The load timeout and fnkit's own limits stop at once.
type depthCtx struct {
	context.Context
	L     *lua.LState
	call  *activeCall
	count uint64
}

var neverChan = make(chan struct{})

// killCheckEvery is the count of Redis's script hook.
const killCheckEvery = 100000

func (c *depthCtx) Done() <-chan struct{} {
	c.count++
	if callDepth(c.L) > maxCallDepth {
		return closedChan
	}
	d := c.Context.Done()
	if c.call == nil || c.call.killSeen {
		return d
	}
	select {
	case <-d:
		if c.call.ctx.stopCause() == functions.ErrKilled && c.count%killCheckEvery != 0 {
			return neverChan
		}
		c.call.killSeen = true
	default:
	}
	return d
}

func (c *depthCtx) Err() error {
	if callDepth(c.L) > maxCallDepth {
		return errStackOverflow
	}
	return c.Context.Err()
}

// threadContext returns the context to set on thread L for call.
func threadContext(call *activeCall, L *lua.LState) context.Context {
	if !depthActive {
		return call.ctx
	}
	return &depthCtx{Context: call.ctx, L: L, call: call}
}
