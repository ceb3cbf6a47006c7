package luaengine

import (
	lua "github.com/yuin/gopher-lua"
)

// The global environment, built as Redis 7.0 builds the functions engine's
// (function_lua.c luaEngineInitEngine):
//
//   - every function compiled by the engine has as its environment the
//     visible globals table: an empty table whose metatable's __index is
//     the real globals table at run time and the "library API" table while
//     a library's top-level code runs (FUNCTION LOAD), and whose __newindex
//     raises "Attempt to modify a readonly table";
//   - the real globals table holds string, table, math, cjson, …, redis and
//     the allowed builtins, and has an __index that raises "Script
//     attempted to access nonexistent global variable '<name>'";
//   - the library API table holds only the load-time redis table, with the
//     same raising __index (so redis.call at load time fails with "…
//     nonexistent global variable 'call'").
//
// gopher-lua has no read-only flag on tables, so every table Redis marks
// read-only is handed to scripts as a proxy: an empty table whose
// metatable's __index is the real table and whose __newindex raises. The
// real tables are never reachable from Lua. The builtins that could write
// through a proxy or reveal its metatable (rawset, rawget, next, pairs,
// setmetatable, getmetatable, table.*) know about proxies, so scripts
// observe what they would observe in Redis: pairs(string) lists the string
// library, rawset(_G, …) and setmetatable(_G, …) raise the read-only error.

const (
	msgReadonly     = "Attempt to modify a readonly table"
	msgNonexistent  = "Script attempted to access nonexistent global variable '%s'"
	chunkName       = "user_function"
	chunkSourceName = "@user_function"
)

// proxy describes one read-only proxy table.
type proxy struct {
	real *lua.LTable
	// shown is what getmetatable returns for the proxy: nil for library
	// tables (they have no metatable in Redis), a read-only view of the
	// real metatable otherwise.
	shown lua.LValue
}

// raiseReadonly is the __newindex of every proxy.
func raiseReadonly(L *lua.LState) int {
	L.RaiseError(msgReadonly)
	return 0
}

// raiseReadonlyC is the read-only error raised from inside a builtin, which
// in Redis carries no position.
func raiseReadonlyC(L *lua.LState) {
	L.Error(lua.LString(msgReadonly), 0)
}

// raiseNonexistent is luaProtectedTableError, the __index of the globals.
func raiseNonexistent(L *lua.LState) int {
	if L.GetTop() != 2 {
		L.RaiseError("Wrong number of arguments to luaProtectedTableError")
	}
	k := L.Get(2)
	if !isString(k) {
		L.RaiseError("Second argument to luaProtectedTableError must be a string or number")
	}
	s, _ := toString(k)
	L.RaiseError(msgNonexistent, s)
	return 0
}

// errorMetatable returns a new metatable whose __index raises the
// nonexistent-global error (luaSetErrorMetatable).
func (e *Engine) errorMetatable() *lua.LTable {
	mt := e.L.NewTable()
	mt.RawSetString("__index", e.L.NewFunction(raiseNonexistent))
	return mt
}

// protect returns the read-only proxy of real, protecting every table
// value inside it first (luaSetTableProtectionRecursively). A table whose
// metatable should stay visible (the globals, the string metatable) passes
// showMeta.
func (e *Engine) protect(real *lua.LTable, showMeta bool) *lua.LTable {
	if p, ok := e.realToProxy[real]; ok {
		return p
	}
	var keys []lua.LValue
	real.ForEach(func(k, v lua.LValue) {
		if t, ok := v.(*lua.LTable); ok {
			if _, isProxy := e.proxies[t]; !isProxy {
				keys = append(keys, k)
			}
		}
	})
	for _, k := range keys {
		t := real.RawGet(k).(*lua.LTable)
		real.RawSet(k, e.protect(t, false))
	}
	p := e.L.NewTable()
	mt := e.L.NewTable()
	mt.RawSetString("__index", real)
	mt.RawSetString("__newindex", e.readonlyFn)
	p.Metatable = mt
	var shown lua.LValue = lua.LNil
	if showMeta {
		if rm, ok := real.Metatable.(*lua.LTable); ok {
			shown = e.protect(rm, false)
		}
	}
	e.proxies[p] = proxy{real: real, shown: shown}
	e.realToProxy[real] = p
	return p
}

// unproxy returns the real table behind a proxy, or t itself.
func (e *Engine) unproxy(t *lua.LTable) *lua.LTable {
	if p, ok := e.proxies[t]; ok {
		return p.real
	}
	return t
}

// isProtected reports whether t is one of the read-only tables.
func (e *Engine) isProtected(t *lua.LTable) bool {
	_, ok := e.proxies[t]
	return ok
}

// buildEnv creates the globals, the library API table and the visible
// globals table.
func (e *Engine) buildEnv() {
	L := e.L
	e.readonlyFn = L.NewFunction(raiseReadonly)

	// the real run-time globals
	g := L.NewTable()
	e.openBase(g)
	g.RawSetString("string", e.openString())
	g.RawSetString("table", e.openTable())
	g.RawSetString("math", e.openMath())
	g.RawSetString("coroutine", e.openCoroutine())
	e.openExtensions(g)
	g.RawSetString("redis", e.openRedis())
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.Metatable = e.errorMetatable()

	// the visible globals: empty, read-only, falling back to g
	e.visible = L.NewTable()
	g.RawSetString("_G", e.visible)
	e.gmeta = L.NewTable()
	e.gmeta.RawSetString("__newindex", e.readonlyFn)

	// protect g's contents; g itself stays hidden behind visible
	var libs []lua.LValue
	g.ForEach(func(k, v lua.LValue) {
		if t, ok := v.(*lua.LTable); ok && t != e.visible {
			libs = append(libs, k)
		}
	})
	for _, k := range libs {
		g.RawSet(k, e.protect(g.RawGet(k).(*lua.LTable), false))
	}
	e.runtimeG = g
	e.gmeta.RawSetString("__index", g)
	e.visible.Metatable = e.gmeta
	shownG := e.protect(g.Metatable.(*lua.LTable), false)
	e.proxies[e.visible] = proxy{real: g, shown: shownG}

	// the library API table used while a library loads
	api := L.NewTable()
	api.RawSetString("redis", e.protect(e.openLoadRedis(), false))
	api.Metatable = e.errorMetatable()
	e.loadAPI = api

	// strings index the string library; the metatable is read-only
	smt := L.NewTable()
	smt.RawSetString("__index", g.RawGetString("string"))
	e.stringMeta = e.protect(smt, false)
	L.SetMetatable(lua.LString(""), smt)
	e.proxies[e.stringMeta] = proxy{real: smt, shown: lua.LNil}
}

// useLoadEnv switches the globals fallback to the library API table (on)
// or back to the run-time globals (off).
func (e *Engine) useLoadEnv(on bool) {
	if on {
		e.gmeta.RawSetString("__index", e.loadAPI)
	} else {
		e.gmeta.RawSetString("__index", e.runtimeG)
	}
}
