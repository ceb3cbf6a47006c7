package luaengine

import (
	"reflect"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Workarounds for two upvalue bugs of gopher-lua v1.1.2's protected calls,
// both observable from ordinary scripts:
//
//  1. An error caught by pcall closes every open upvalue of the whole
//     thread (raiseError calls closeAllUpvalues when the PCall has no error
//     function), including those of frames that are still running: after
//     `local n = 0; local inc = function() n = n + 1 end; pcall(error);
//     inc(); return n` PUC-Lua returns 1 and gopher-lua 0.
//  2. An error caught by a PCall with an error function leaves the
//     upvalues of the unwound frames open, pointing at registry slots that
//     are reused later: a closure created there and kept reads garbage.
//
// The engine therefore runs every protected call with an error function
// (so raiseError never closes anything) and, when the call failed, closes
// exactly the upvalues of the unwound frames, as PUC-Lua's luaD_pcall
// does with luaF_close(L, oldtop). gopher-lua exports neither the flag nor
// the list of open upvalues, so they are reached through their field
// offsets, looked up by name at start-up; if the fields are not found
// (another gopher-lua version) the workaround is off and UpvalueFixActive
// reports it.

var (
	offHasErrorFunc uintptr
	offUvcache      uintptr
	offUvNext       uintptr
	offUvIndex      uintptr
	offReg          uintptr
	offRegTop       uintptr
	fixActive       bool
)

func init() {
	ls := reflect.TypeOf(lua.LState{})
	uv := reflect.TypeOf(lua.Upvalue{})
	h, ok1 := ls.FieldByName("hasErrorFunc")
	c, ok2 := ls.FieldByName("uvcache")
	n, ok3 := uv.FieldByName("next")
	i, ok4 := uv.FieldByName("index")
	r, ok5 := ls.FieldByName("reg")
	if !ok5 || r.Type.Kind() != reflect.Pointer {
		return
	}
	rt, ok6 := r.Type.Elem().FieldByName("top")
	if !(ok1 && ok2 && ok3 && ok4 && ok6) || rt.Type.Kind() != reflect.Int ||
		h.Type.Kind() != reflect.Bool || c.Type != reflect.TypeOf((*lua.Upvalue)(nil)) ||
		n.Type != reflect.TypeOf((*lua.Upvalue)(nil)) || i.Type.Kind() != reflect.Int {
		return
	}
	offHasErrorFunc, offUvcache, offUvNext, offUvIndex = h.Offset, c.Offset, n.Offset, i.Offset
	offReg, offRegTop = r.Offset, rt.Offset
	fixActive = true
}

// UpvalueFixActive reports whether the upvalue workaround is in effect.
func UpvalueFixActive() bool { return fixActive }

func setHasErrorFunc(L *lua.LState, v bool) {
	if fixActive {
		*(*bool)(unsafe.Add(unsafe.Pointer(L), offHasErrorFunc)) = v
	}
}

// regTop returns the absolute top of L's registry (L.GetTop is relative to
// the current frame).
func regTop(L *lua.LState) int {
	reg := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), offReg))
	return *(*int)(unsafe.Add(reg, offRegTop))
}

// closeUpvaluesFrom closes the open upvalues of registry slots idx and
// above (gopher-lua's closeUpvalues).
func closeUpvaluesFrom(L *lua.LState, idx int) {
	if !fixActive {
		return
	}
	head := (**lua.Upvalue)(unsafe.Add(unsafe.Pointer(L), offUvcache))
	next := func(uv *lua.Upvalue) **lua.Upvalue {
		return (**lua.Upvalue)(unsafe.Add(unsafe.Pointer(uv), offUvNext))
	}
	index := func(uv *lua.Upvalue) int {
		return *(*int)(unsafe.Add(unsafe.Pointer(uv), offUvIndex))
	}
	var prev *lua.Upvalue
	for uv := *head; uv != nil; uv = *next(uv) {
		if index(uv) >= idx {
			if prev != nil {
				*next(prev) = nil
			} else {
				*head = nil
			}
			for u := uv; u != nil; u = *next(u) {
				u.Close()
			}
			return
		}
		prev = uv
	}
}

// pcall runs the function and nargs arguments on top of L's stack in
// protected mode with handler as error function (identity when nil), with
// the upvalue workaround. The caller keeps the nesting count (enterC).
func (e *Engine) pcall(L *lua.LState, nargs, nret int, handler *lua.LFunction) error {
	base := -1
	if fixActive {
		base = regTop(L) - nargs - 1
	}
	if handler == nil {
		handler = e.identity
	}
	e.pdepth++
	err := L.PCall(nargs, nret, handler)
	e.pdepth--
	if err != nil && base >= 0 {
		// registry slots from base up belonged to the unwound frames
		closeUpvaluesFrom(L, base)
	}
	if e.pdepth > 0 {
		setHasErrorFunc(L, true)
	}
	return err
}

// identityHandler is the error function of plain pcalls: it keeps the
// error object, except that gopher-lua's Go panic for a full call stack
// becomes Lua's "stack overflow" at the position of the failing call.
func (e *Engine) identityHandler(L *lua.LState) int {
	L.Push(e.fixErrorObject(L, L.Get(1)))
	return 1
}

// fixErrorObject is applied by every error handler to the error being
// handled: gopher-lua's Go panic for a full call stack becomes Lua's
// "stack overflow" at the failing call, and VM errors get Lua 5.1's words
// (see translateVMError). Level 1 is the frame that raised.
func (e *Engine) fixErrorObject(L *lua.LState, obj lua.LValue) lua.LValue {
	s, ok := obj.(lua.LString)
	if !ok {
		return obj
	}
	if s == "lua callstack overflow" {
		return lua.LString(e.where(L, 1) + "stack overflow")
	}
	if e.isDepthOverflow(L, string(s)) {
		// raised in the first instruction of the call that went too deep;
		// Lua raises it in the caller
		return lua.LString(e.where(L, 2) + "stack overflow")
	}
	return lua.LString(e.translateVMError(L, 1, string(s)))
}

// isDepthOverflow reports whether msg is the depth limit's error, raised
// in the first instruction of the frame at level 1.
func (e *Engine) isDepthOverflow(L *lua.LState, msg string) bool {
	if msg != "stack overflow" && !strings.HasSuffix(msg, ": stack overflow") {
		return false
	}
	f, ok := frameAt(L, 1)
	return ok && f.pc == 0
}
