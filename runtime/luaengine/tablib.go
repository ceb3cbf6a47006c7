package luaengine

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The table library of Lua 5.1 (ltablib.c): concat, foreach, foreachi,
// getn, insert, maxn, remove, setn (obsolete, raises) and sort with Lua's
// own quicksort, so that orders and "invalid order function" errors match.
// Writing functions refuse the read-only tables.

func (e *Engine) openTable() *lua.LTable {
	t := e.L.NewTable()
	fns := map[string]lua.LGFunction{
		"concat":   e.tabConcat,
		"foreach":  e.tabForeach,
		"foreachi": e.tabForeachi,
		"getn":     e.tabGetn,
		"insert":   e.tabInsert,
		"maxn":     e.tabMaxn,
		"remove":   e.tabRemove,
		"setn":     tabSetn,
		"sort":     e.tabSort,
	}
	for name, fn := range fns {
		t.RawSetString(name, e.L.NewFunction(fn))
	}
	return t
}

// getn is luaL_getn: the table's border as lua_objlen finds it.
func (e *Engine) getn(L *lua.LState, n int) int {
	return e.unproxy(checkTable(L, n)).Len()
}

func (e *Engine) writable(L *lua.LState, n int) *lua.LTable {
	t := checkTable(L, n)
	if e.isProtected(t) {
		raiseReadonlyC(L)
	}
	return t
}

func (e *Engine) tabConcat(L *lua.LState) int {
	sep := optString(L, 2, "")
	t := e.unproxy(checkTable(L, 1))
	i := optInt(L, 3, 1)
	var last int
	if L.Get(4) == lua.LNil {
		last = t.Len()
	} else {
		last = checkInt(L, 4)
	}
	var b strings.Builder
	add := func(i int) {
		v := t.RawGetInt(i)
		s, ok := toString(v)
		if !ok {
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", luaType(v), i)
		}
		b.WriteString(s)
	}
	for ; i < last; i++ {
		add(i)
		b.WriteString(sep)
		if i&0x3ff == 0 {
			e.chargeString(L, b.Len())
		}
	}
	if i == last {
		add(i)
	}
	e.chargeString(L, b.Len())
	L.Push(lua.LString(b.String()))
	return 1
}

func (e *Engine) tabForeach(L *lua.LState) int {
	t := e.unproxy(checkTable(L, 1))
	if L.Get(2).Type() != lua.LTFunction {
		typeError(L, 2, "function")
	}
	f := L.Get(2)
	k, v := t.Next(lua.LNil)
	for k != lua.LNil {
		e.enterC(L)
		L.Push(f)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		e.leaveC()
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
		k, v = t.Next(k)
	}
	return 0
}

func (e *Engine) tabForeachi(L *lua.LState) int {
	n := e.getn(L, 1)
	t := e.unproxy(checkTable(L, 1))
	if L.Get(2).Type() != lua.LTFunction {
		typeError(L, 2, "function")
	}
	f := L.Get(2)
	for i := 1; i <= n; i++ {
		e.enterC(L)
		L.Push(f)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		e.leaveC()
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func (e *Engine) tabGetn(L *lua.LState) int {
	L.Push(lua.LNumber(e.getn(L, 1)))
	return 1
}

func (e *Engine) tabMaxn(L *lua.LState) int {
	t := e.unproxy(checkTable(L, 1))
	max := 0.0
	t.ForEach(func(k, _ lua.LValue) {
		if n, ok := k.(lua.LNumber); ok && float64(n) > max {
			max = float64(n)
		}
	})
	L.Push(lua.LNumber(max))
	return 1
}

func (e *Engine) tabInsert(L *lua.LState) int {
	t := e.writable(L, 1)
	n := t.Len() + 1
	var pos int
	switch L.GetTop() {
	case 2:
		pos = n
	case 3:
		pos = checkInt(L, 2)
		if pos > n {
			n = pos
		}
		for i := n; i > pos; i-- {
			if i&0xfff == 0 {
				e.checkBudget(L)
			}
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	t.RawSetInt(pos, L.Get(L.GetTop()))
	return 0
}

func (e *Engine) tabRemove(L *lua.LState) int {
	t := e.writable(L, 1)
	n := t.Len()
	pos := optInt(L, 2, n)
	if !(1 <= pos && pos <= n) {
		return 0
	}
	v := t.RawGetInt(pos)
	for ; pos < n; pos++ {
		if pos&0xfff == 0 {
			e.checkBudget(L)
		}
		t.RawSetInt(pos, t.RawGetInt(pos+1))
	}
	t.RawSetInt(n, lua.LNil)
	L.Push(v)
	return 1
}

func tabSetn(L *lua.LState) int {
	checkTable(L, 1)
	L.RaiseError("'setn' is obsolete")
	return 0
}

// sorter is ltablib's auxsort state.
type sorter struct {
	e    *Engine
	L    *lua.LState
	t    *lua.LTable
	cmp  lua.LValue
	n    int
	step int
}

func (s *sorter) less(a, b lua.LValue) bool {
	s.step++
	if s.step&0xfff == 0 {
		s.e.checkBudget(s.L)
	}
	if s.cmp != lua.LNil {
		s.e.enterC(s.L)
		s.L.Push(s.cmp)
		s.L.Push(a)
		s.L.Push(b)
		s.L.Call(2, 1)
		s.e.leaveC()
		r := s.L.Get(-1)
		s.L.Pop(1)
		return lua.LVAsBool(r)
	}
	return s.e.lessThan(s.L, a, b)
}

// lessThan is lua_lessthan: numbers, strings (byte order, strcoll in the C
// locale), or the __lt metamethod.
func (e *Engine) lessThan(L *lua.LState, a, b lua.LValue) bool {
	switch x := a.(type) {
	case lua.LNumber:
		if y, ok := b.(lua.LNumber); ok {
			return x < y
		}
	case lua.LString:
		if y, ok := b.(lua.LString); ok {
			return x < y
		}
	}
	ta, tb := luaType(a), luaType(b)
	if ta == tb {
		if mt, ok := L.GetMetatable(a).(*lua.LTable); ok {
			if f := mt.RawGetString("__lt"); f != lua.LNil {
				e.enterC(L)
				L.Push(f)
				L.Push(a)
				L.Push(b)
				L.Call(2, 1)
				e.leaveC()
				r := L.Get(-1)
				L.Pop(1)
				return lua.LVAsBool(r)
			}
		}
		L.RaiseError("attempt to compare two %s values", ta)
	}
	L.RaiseError("attempt to compare %s with %s", ta, tb)
	return false
}

func (e *Engine) tabSort(L *lua.LState) int {
	t := checkTable(L, 1)
	n := t.Len()
	if L.Get(2) != lua.LNil && L.Get(2).Type() != lua.LTFunction {
		typeError(L, 2, "function")
	}
	if e.isProtected(t) {
		if n > 1 {
			raiseReadonlyC(L)
		}
		return 0
	}
	s := &sorter{e: e, L: L, t: t, cmp: L.Get(2), n: n}
	s.auxsort(1, n)
	return 0
}

func (s *sorter) get(i int) lua.LValue { return s.t.RawGetInt(i) }
func (s *sorter) set(i int, v lua.LValue) {
	s.t.RawSetInt(i, v)
}

// auxsort is ltablib.c's quicksort, step for step.
func (s *sorter) auxsort(l, u int) {
	for l < u {
		// sort elements a[l], a[(l+u)/2] and a[u]
		al, au := s.get(l), s.get(u)
		if s.less(au, al) {
			s.set(l, au)
			s.set(u, al)
		}
		if u-l == 1 {
			break
		}
		i := (l + u) / 2
		ai, al := s.get(i), s.get(l)
		if s.less(ai, al) {
			s.set(i, al)
			s.set(l, ai)
		} else {
			au := s.get(u)
			if s.less(au, ai) {
				s.set(i, au)
				s.set(u, ai)
			}
		}
		if u-l == 2 {
			break
		}
		p := s.get(i)
		// swap pivot a[i] with a[u-1]
		s.set(i, s.get(u-1))
		s.set(u-1, p)
		i, j := l, u-1
		for {
			i++
			for s.less(s.get(i), p) {
				if i > u {
					s.L.RaiseError("invalid order function for sorting")
				}
				i++
			}
			j--
			for s.less(p, s.get(j)) {
				if j < l {
					s.L.RaiseError("invalid order function for sorting")
				}
				j--
			}
			if j < i {
				break
			}
			ai, aj := s.get(i), s.get(j)
			s.set(i, aj)
			s.set(j, ai)
		}
		// swap a[u-1] with a[i]
		au1, ai := s.get(u-1), s.get(i)
		s.set(u-1, ai)
		s.set(i, au1)
		if i-l < u-i {
			j = l
			i = i - 1
			l = i + 2
		} else {
			j = i + 1
			i = u
			u = j - 2
		}
		s.auxsort(j, i)
	}
}
