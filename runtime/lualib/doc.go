// Package lualib provides, for gopher-lua, the C libraries Redis 7 bundles
// with its Lua interpreter: cjson (lua-cjson 2.1.0), cmsgpack
// (lua-cmsgpack 0.4.0), bit (LuaBitOp 1.0.2) and struct (Roberto
// Ierusalimschy's struct library as patched by Redis). They are written
// for fnkit from the behaviour of those libraries in a real Redis 7.0.15
// (checked by the differential tests of package runtime), with the same
// encodings and error messages, and with budgets: every loop checks a
// Guard so that a hostile script cannot make them run or allocate without
// bound.
package lualib

import lua "github.com/yuin/gopher-lua"

// Guard is how the libraries check the budget of the running script.
type Guard interface {
	// Check raises a Lua error when the script must stop.
	Check(L *lua.LState)
	// Charge raises a Lua error when a string of n bytes may not be built.
	Charge(L *lua.LState, n int)
}

type noGuard struct{}

func (noGuard) Check(*lua.LState)       {}
func (noGuard) Charge(*lua.LState, int) {}

func guardOr(g Guard) Guard {
	if g == nil {
		return noGuard{}
	}
	return g
}

func newModule(L *lua.LState, fns map[string]lua.LGFunction) *lua.LTable {
	t := L.NewTable()
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}
