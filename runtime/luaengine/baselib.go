package luaengine

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The base library as Redis 7.0.15 (Debian build) exposes it to functions:
// assert, collectgarbage, error, gcinfo, getmetatable, ipairs, load,
// loadstring, next, pairs, pcall (Redis's replacement), rawequal, rawget,
// rawset, select, setmetatable, tonumber, tostring, type, unpack, xpcall.
// print, dofile, loadfile, require, module, getfenv, setfenv and newproxy
// are absent, as on the oracle.

// maxCCalls is Lua 5.1's LUAI_MAXCCALLS: nested calls through builtins
// (pcall in pcall, sort comparators, gsub callbacks, …) beyond it fail with
// "C stack overflow" instead of growing the Go stack.
const maxCCalls = 200

// maxUnpack is Lua 5.1's LUAI_MAXCSTACK: unpack fails when the values it
// returns and its arguments would not fit in that many stack slots
// (lua_checkstack), so unpack(t) returns at most 7999 values and
// unpack(t, i, j) 7997.
const maxUnpack = 8000

func (e *Engine) openBase(g *lua.LTable) {
	L := e.L
	e.nextFn = L.NewFunction(e.baseNext)
	e.ipairsAux = L.NewFunction(ipairsAux)
	fns := map[string]lua.LGFunction{
		"assert":         baseAssert,
		"collectgarbage": e.baseCollectGarbage,
		"error":          e.baseError,
		"gcinfo":         e.baseGCInfo,
		"getmetatable":   e.baseGetMetatable,
		"ipairs":         e.baseIPairs,
		"load":           e.baseLoad,
		"loadstring":     e.baseLoadString,
		"pairs":          e.basePairs,
		"pcall":          e.basePCall,
		"rawequal":       baseRawEqual,
		"rawget":         e.baseRawGet,
		"rawset":         e.baseRawSet,
		"select":         baseSelect,
		"setmetatable":   e.baseSetMetatable,
		"tonumber":       baseToNumber,
		"tostring":       e.baseToString,
		"type":           baseType,
		"unpack":         e.baseUnpack,
		"xpcall":         e.baseXPCall,
	}
	for name, fn := range fns {
		g.RawSetString(name, L.NewFunction(fn))
	}
	g.RawSetString("next", e.nextFn)
}

// enterC counts a nested call through a builtin and fails like Lua 5.1
// when there are too many.
func (e *Engine) enterC(L *lua.LState) {
	e.ccalls++
	if e.ccalls > maxCCalls {
		e.ccalls--
		L.RaiseError("C stack overflow")
	}
}

func (e *Engine) leaveC() { e.ccalls-- }

func baseAssert(L *lua.LState) int {
	checkAny(L, 1)
	if !lua.LVAsBool(L.Get(1)) {
		L.RaiseError("%s", optString(L, 2, "assertion failed!"))
	}
	return L.GetTop()
}

var gcOptions = []string{"stop", "restart", "collect", "count", "step", "setpause", "setstepmul"}

// baseCollectGarbage answers like Lua's collectgarbage but never runs a Go
// garbage collection: a script calling collectgarbage("collect") in a loop
// would otherwise stop the whole process (Redis cannot interrupt a full
// Lua GC either; fnkit simply does not do one).
func (e *Engine) baseCollectGarbage(L *lua.LState) int {
	opt := optString(L, 1, "collect")
	found := false
	for _, o := range gcOptions {
		if o == opt {
			found = true
		}
	}
	if !found {
		argError(L, 1, fmt.Sprintf("invalid option '%s'", opt))
	}
	arg := optInt(L, 2, 0)
	switch opt {
	case "count":
		L.Push(lua.LNumber(float64(e.luaMemory()) / 1024))
	case "step":
		L.Push(lua.LFalse)
	case "setpause":
		L.Push(lua.LNumber(e.gcPause))
		e.gcPause = arg
	case "setstepmul":
		L.Push(lua.LNumber(e.gcStepMul))
		e.gcStepMul = arg
	default:
		L.Push(lua.LNumber(0))
	}
	return 1
}

func (e *Engine) baseGCInfo(L *lua.LState) int {
	L.Push(lua.LNumber(e.luaMemory() / 1024))
	return 1
}

// where is luaL_where: "chunk:line: " of the function at level, or "".
// Levels count the calls lost to tail calls (gopher-lua's GetStack does);
// a level that falls on a lost tail call gets gopher-lua's bottom frame
// where Lua 5.1 gives no position.
func (e *Engine) where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return ""
	}
	if dbg.CurrentLine > 0 {
		return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
	}
	return ""
}

func (e *Engine) baseError(L *lua.LState) int {
	level := optInt(L, 2, 1)
	v := L.Get(1)
	if isString(v) && level > 0 {
		s, _ := toString(v)
		v = lua.LString(e.where(L, level) + s)
	}
	L.Error(v, 0)
	return 0
}

func (e *Engine) baseGetMetatable(L *lua.LState) int {
	v := checkAny(L, 1)
	if t, ok := v.(*lua.LTable); ok {
		if p, ok := e.proxies[t]; ok {
			L.Push(p.shown)
			return 1
		}
	}
	mt := L.GetMetatable(v)
	if mt == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	if mtt, ok := mt.(*lua.LTable); ok {
		if p, ok := e.realToProxy[mtt]; ok {
			L.Push(p)
			return 1
		}
		if f := mtt.RawGetString("__metatable"); f != lua.LNil {
			L.Push(f)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func (e *Engine) baseSetMetatable(L *lua.LState) int {
	t2 := L.Get(2).Type()
	tbl := checkTable(L, 1)
	if t2 != lua.LTNil && t2 != lua.LTTable {
		argError(L, 2, "nil or table expected")
	}
	if mt, ok := tbl.Metatable.(*lua.LTable); ok && mt.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	if e.isProtected(tbl) {
		raiseReadonlyC(L)
	}
	if t2 == lua.LTNil {
		tbl.Metatable = lua.LNil
	} else {
		tbl.Metatable = L.Get(2)
	}
	L.SetTop(1)
	return 1
}

func (e *Engine) baseIPairs(L *lua.LState) int {
	checkTable(L, 1)
	L.Push(e.ipairsAux)
	L.Push(L.Get(1))
	L.Push(lua.LNumber(0))
	return 3
}

func ipairsAux(L *lua.LState) int {
	i := checkInt(L, 2)
	t := checkTable(L, 1)
	i++
	v := t.RawGetInt(i)
	if v == lua.LNil {
		return 0
	}
	L.Push(lua.LNumber(i))
	L.Push(v)
	return 2
}

func (e *Engine) baseNext(L *lua.LState) int {
	t := e.unproxy(checkTable(L, 1))
	L.SetTop(2)
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (e *Engine) basePairs(L *lua.LState) int {
	checkTable(L, 1)
	L.Push(e.nextFn)
	L.Push(L.Get(1))
	L.Push(lua.LNil)
	return 3
}

// basePCall is Redis's luaRedisPcall: Lua's pcall, except that an error
// object that is a table with a string "err" field comes back as that
// string.
func (e *Engine) basePCall(L *lua.LState) int {
	checkAny(L, 1)
	if f := L.Get(1); !callable(L, f) {
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + luaType(f) + " value"))
		return 2
	}
	e.enterC(L)
	defer e.leaveC()
	nargs := L.GetTop() - 1
	err := e.pcall(L, nargs, lua.MultRet, nil)
	if err != nil {
		e.checkAbort(L)
		obj := errObject(err)
		if t, ok := obj.(*lua.LTable); ok {
			if s := L.GetField(t, "err"); isString(s) {
				obj = s
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// callable reports whether v can be called: a function, or a value whose
// metatable has __call.
func callable(L *lua.LState, v lua.LValue) bool {
	if v.Type() == lua.LTFunction {
		return true
	}
	if mt, ok := L.GetMetatable(v).(*lua.LTable); ok {
		return mt.RawGetString("__call") != lua.LNil
	}
	return false
}

// baseXPCall is Lua 5.1's xpcall (untouched by Redis).
func (e *Engine) baseXPCall(L *lua.LState) int {
	L.SetTop(2)
	fn := L.Get(1)
	handler := L.Get(2)
	e.enterC(L)
	defer e.leaveC()
	L.SetTop(0)
	L.Push(fn)
	hf, _ := handler.(*lua.LFunction)
	var err error
	if hf == nil {
		// Lua calls the non-function handler and fails with "error in
		// error handling"
		err = e.pcall(L, 0, lua.MultRet, nil)
		if err != nil {
			e.checkAbort(L)
			L.SetTop(0)
			L.Push(lua.LFalse)
			L.Push(lua.LString("error in error handling"))
			return 2
		}
	} else {
		err = e.pcall(L, 0, lua.MultRet, hf)
		if err != nil {
			e.checkAbort(L)
			L.SetTop(0)
			L.Push(lua.LFalse)
			L.Push(errObject(err))
			return 2
		}
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func baseRawEqual(L *lua.LState) int {
	checkAny(L, 1)
	checkAny(L, 2)
	L.Push(lua.LBool(L.Get(1) == L.Get(2)))
	return 1
}

func (e *Engine) baseRawGet(L *lua.LState) int {
	t := e.unproxy(checkTable(L, 1))
	checkAny(L, 2)
	L.Push(t.RawGet(L.Get(2)))
	return 1
}

func (e *Engine) baseRawSet(L *lua.LState) int {
	t := checkTable(L, 1)
	checkAny(L, 2)
	checkAny(L, 3)
	if e.isProtected(t) {
		raiseReadonlyC(L)
	}
	k := L.Get(2)
	if k == lua.LNil {
		L.RaiseError("table index is nil")
	}
	if n, ok := k.(lua.LNumber); ok && n != n {
		L.RaiseError("table index is NaN")
	}
	t.RawSet(k, L.Get(3))
	L.SetTop(1)
	return 1
}

func baseSelect(L *lua.LState) int {
	n := L.GetTop()
	if s, ok := L.Get(1).(lua.LString); ok && len(s) > 0 && s[0] == '#' {
		L.Push(lua.LNumber(n - 1))
		return 1
	}
	i := checkInt(L, 1)
	if i < 0 {
		i = n + i
	} else if i > n {
		i = n
	}
	if i < 1 {
		argError(L, 1, "index out of range")
	}
	return n - i
}

func baseToNumber(L *lua.LState) int {
	base := optInt(L, 2, 10)
	if base == 10 {
		if f, ok := toNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		checkAny(L, 1)
		L.Push(lua.LNil)
		return 1
	}
	s := checkString(L, 1)
	if base < 2 || base > 36 {
		argError(L, 2, "base out of range")
	}
	if n, ok := strtoul(s, base); ok {
		L.Push(lua.LNumber(n))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

// strtoul parses s as C's strtoul(s, &end, base) followed by Lua's check
// that only whitespace follows.
func strtoul(s string, base int) (float64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		i += 2
	}
	start := i
	var n uint64
	overflow := false
	for i < len(s) {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			d = 99
		}
		if d >= base {
			break
		}
		if n > (^uint64(0)-uint64(d))/uint64(base) {
			overflow = true
		}
		n = n*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	if overflow {
		n = ^uint64(0)
	}
	if neg {
		n = -n
	}
	return float64(n), true
}

func (e *Engine) baseToString(L *lua.LState) int {
	v := checkAny(L, 1)
	L.Push(lua.LString(e.tostring(L, v)))
	return 1
}

// tostring is Lua's tostring: the __tostring metamethod, else the fixed
// spelling.
func (e *Engine) tostring(L *lua.LState, v lua.LValue) string {
	if mt, ok := L.GetMetatable(v).(*lua.LTable); ok {
		if f := mt.RawGetString("__tostring"); f != lua.LNil {
			e.enterC(L)
			L.Push(f)
			L.Push(v)
			L.Call(1, 1)
			e.leaveC()
			r := L.Get(-1)
			L.Pop(1)
			if s, ok := toString(r); ok {
				return s
			}
			L.RaiseError("'__tostring' must return a string")
		}
	}
	if t, ok := v.(*lua.LTable); ok {
		if p, ok := e.proxies[t]; ok {
			// show the identity of what Redis would show: the table itself
			return fmt.Sprintf("table: %p", p.real)
		}
	}
	if ud, ok := v.(*lua.LUserData); ok && ud == e.cjsonNull {
		return "userdata: (nil)"
	}
	return tostringValue(v)
}

func baseType(L *lua.LState) int {
	v := checkAny(L, 1)
	L.Push(lua.LString(luaType(v)))
	return 1
}

func (e *Engine) baseUnpack(L *lua.LState) int {
	t := checkTable(L, 1)
	t = e.unproxy(t)
	i := optInt(L, 2, 1)
	var last int
	if L.Get(3) == lua.LNil {
		last = t.Len()
	} else {
		last = checkInt(L, 3)
	}
	if i > last {
		return 0
	}
	n := int64(last) - int64(i) + 1
	if n <= 0 || n > maxUnpack-int64(L.GetTop()) {
		L.RaiseError("too many results to unpack")
	}
	for k := i; ; k++ {
		L.Push(t.RawGetInt(k))
		if k == last {
			break
		}
	}
	return int(n)
}

// baseLoadString is loadstring(s [, chunkname]).
func (e *Engine) baseLoadString(L *lua.LState) int {
	s := checkString(L, 1)
	name := optString(L, 2, s)
	return e.loadChunk(L, s, name)
}

// baseLoad is load(func [, chunkname]): the chunk is the concatenation of
// the strings func returns until it returns nil or "".
func (e *Engine) baseLoad(L *lua.LState) int {
	if L.Get(1).Type() != lua.LTFunction {
		typeError(L, 1, "function")
	}
	name := optString(L, 2, "=(load)")
	fn := L.Get(1)
	var sb strings.Builder
	for {
		e.enterC(L)
		L.Push(fn)
		L.Call(0, 1)
		e.leaveC()
		r := L.Get(-1)
		L.Pop(1)
		if r == lua.LNil {
			break
		}
		s, ok := r.(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if len(s) == 0 {
			break
		}
		e.chargeString(L, sb.Len()+len(s))
		sb.WriteString(string(s))
	}
	return e.loadChunk(L, sb.String(), name)
}

// loadChunk compiles code as loadstring does and pushes the function, or
// nil and the message.
func (e *Engine) loadChunk(L *lua.LState, code, chunkname string) int {
	short := chunkID(chunkname)
	fn, err := e.compile(code, short, chunkname)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// chunkID is luaO_chunkid: how a chunk name appears in messages.
func chunkID(source string) string {
	const idsize = 60 // LUA_IDSIZE
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > idsize-1 {
			s = s[:idsize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		if avail := idsize - len(" '...' ") - 1; len(s) > avail {
			s = "..." + s[len(s)-avail:]
		}
		return s
	}
	// [string "..."], cut (as C's string functions do) at a NUL
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i]
	}
	l := strings.IndexAny(source, "\n\r")
	avail := idsize - len(` [string "..."] `) - 1
	s := source
	trunc := false
	if l >= 0 {
		s = s[:l]
		trunc = true
	}
	if len(s) > avail {
		s = s[:avail]
		trunc = true
	}
	if trunc {
		return `[string "` + s + `..."]`
	}
	return `[string "` + s + `"]`
}

// errObject returns the Lua value a gopher-lua error carries.
func errObject(err error) lua.LValue {
	if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
		return ae.Object
	}
	return lua.LString(err.Error())
}

var _ = strconv.Itoa
