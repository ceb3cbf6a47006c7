package luaengine

import (
	lua "github.com/yuin/gopher-lua"
)

// The coroutine library: gopher-lua's coroutines with Lua 5.1's argument
// checks and messages, counted against the nesting limit, and resumed
// under the current run's context so that FUNCTION KILL and the limits
// reach code running inside a coroutine too (also one created by an
// earlier call and kept in a library's upvalue).

func (e *Engine) openCoroutine() *lua.LTable {
	L := e.L
	L.Push(L.NewFunction(lua.OpenCoroutine))
	L.Call(0, 1)
	orig := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	get := func(name string) lua.LGFunction {
		return orig.RawGetString(name).(*lua.LFunction).GFunction
	}
	e.coCreateOrig = get("create")
	e.coResumeOrig = get("resume")
	t := L.NewTable()
	t.RawSetString("create", L.NewFunction(e.coCreate))
	t.RawSetString("resume", L.NewFunction(e.coResume))
	t.RawSetString("running", orig.RawGetString("running"))
	t.RawSetString("status", L.NewFunction(coStatus))
	t.RawSetString("wrap", L.NewFunction(e.coWrap))
	t.RawSetString("yield", orig.RawGetString("yield"))
	return t
}

func (e *Engine) coCreate(L *lua.LState) int {
	f, ok := L.Get(1).(*lua.LFunction)
	if !ok || f.IsG {
		argError(L, 1, "Lua function expected")
	}
	e.chargeString(L, 16<<10) // a thread's registry and frames
	return e.newThread(L)
}

// newThread creates the coroutine without a context: gopher-lua would
// derive one from L's (a goroutine per coroutine watching it); the
// thread gets the call's context each time it is resumed instead.
func (e *Engine) newThread(L *lua.LState) int {
	ctx := L.RemoveContext()
	n := e.coCreateOrig(L)
	if ctx != nil {
		L.SetContext(ctx)
	}
	return n
}

// resumeThread resumes th with the arguments at L's stack positions
// 2..top (position 1 holds the thread) and returns what coResume returns.
func (e *Engine) resumeThread(L *lua.LState, th *lua.LState) int {
	if th.Dead {
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(lua.LString("cannot resume dead coroutine"))
		return 2
	}
	if e.cur != nil {
		if dc, ok := th.Context().(*depthCtx); !ok || dc.call != e.cur {
			th.SetContext(threadContext(e.cur, th))
		}
	}
	e.enterC(L)
	defer e.leaveC()
	n := e.coResumeOrig(L)
	e.checkAbort(L)
	return n
}

func (e *Engine) coResume(L *lua.LState) int {
	th, ok := L.Get(1).(*lua.LState)
	if !ok {
		argError(L, 1, "coroutine expected")
	}
	return e.resumeThread(L, th)
}

func coStatus(L *lua.LState) int {
	th, ok := L.Get(1).(*lua.LState)
	if !ok {
		argError(L, 1, "coroutine expected")
	}
	L.Push(lua.LString(L.Status(th)))
	return 1
}

func (e *Engine) coWrap(L *lua.LState) int {
	f, ok := L.Get(1).(*lua.LFunction)
	if !ok || f.IsG {
		argError(L, 1, "Lua function expected")
	}
	e.chargeString(L, 16<<10)
	e.newThread(L)
	th := L.Get(-1).(*lua.LState)
	L.Pop(1)
	L.Push(L.NewFunction(func(L *lua.LState) int {
		L.Insert(th, 1)
		n := e.resumeThread(L, th)
		top := L.GetTop()
		first := L.Get(top - n + 1)
		if first == lua.LFalse {
			msg := L.Get(top)
			if s, ok := toString(msg); ok {
				msg = lua.LString(e.where(L, 1) + s)
			}
			L.Error(msg, 0)
		}
		// drop the leading true
		L.Remove(top - n + 1)
		return n - 1
	}))
	return 1
}
