package luaengine

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The math library of Lua 5.1 (lmathlib.c) with Redis's random: math.random
// and math.randomseed use Redis's redisLrand48 (POSIX lrand48, a 48-bit
// LCG), whose state is shared by every call and never reseeded by the
// server, so sequences match a real server started at the same time.

const (
	lrandA    = 0x5DEECE66D
	lrandC    = 0xB
	lrandMask = 1<<48 - 1
	lrandInit = 0x1234ABCD330E
	lrandMax  = 2147483647 // REDIS_LRAND48_MAX (INT32_MAX)
)

// lrand48 advances the generator and returns the next 31-bit value.
func (e *Engine) lrand48() int64 {
	*e.rand = (lrandA**e.rand + lrandC) & lrandMask
	return int64(*e.rand >> 17)
}

// srand48 is redisSrand48.
func (e *Engine) srand48(seed int32) {
	*e.rand = uint64(uint32(seed))<<16 | 0x330E
}

func (e *Engine) openMath() *lua.LTable {
	t := e.L.NewTable()
	f1 := func(fn func(float64) float64) lua.LGFunction {
		return func(L *lua.LState) int {
			L.Push(lua.LNumber(fn(checkNumber(L, 1))))
			return 1
		}
	}
	fns := map[string]lua.LGFunction{
		"abs":   f1(math.Abs),
		"acos":  f1(math.Acos),
		"asin":  f1(math.Asin),
		"atan":  f1(math.Atan),
		"ceil":  f1(math.Ceil),
		"cos":   f1(math.Cos),
		"cosh":  f1(math.Cosh),
		"deg":   f1(func(x float64) float64 { return x / (math.Pi / 180) }),
		"exp":   f1(math.Exp),
		"floor": f1(math.Floor),
		"log":   f1(math.Log),
		"log10": f1(math.Log10),
		"rad":   f1(func(x float64) float64 { return x * (math.Pi / 180) }),
		"sin":   f1(math.Sin),
		"sinh":  f1(math.Sinh),
		"sqrt":  f1(math.Sqrt),
		"tan":   f1(math.Tan),
		"tanh":  f1(math.Tanh),
		"atan2": func(L *lua.LState) int {
			L.Push(lua.LNumber(math.Atan2(checkNumber(L, 1), checkNumber(L, 2))))
			return 1
		},
		"fmod": mathFmod,
		"mod":  mathFmod,
		"pow": func(L *lua.LState) int {
			L.Push(lua.LNumber(math.Pow(checkNumber(L, 1), checkNumber(L, 2))))
			return 1
		},
		"frexp": func(L *lua.LState) int {
			m, ex := math.Frexp(checkNumber(L, 1))
			L.Push(lua.LNumber(m))
			L.Push(lua.LNumber(ex))
			return 2
		},
		"ldexp": func(L *lua.LState) int {
			L.Push(lua.LNumber(math.Ldexp(checkNumber(L, 1), checkInt(L, 2))))
			return 1
		},
		"modf": func(L *lua.LState) int {
			ip, fp := math.Modf(checkNumber(L, 1))
			L.Push(lua.LNumber(ip))
			L.Push(lua.LNumber(fp))
			return 2
		},
		"max": func(L *lua.LState) int {
			n := L.GetTop()
			m := checkNumber(L, 1)
			for i := 2; i <= n; i++ {
				if d := checkNumber(L, i); d > m {
					m = d
				}
			}
			L.Push(lua.LNumber(m))
			return 1
		},
		"min": func(L *lua.LState) int {
			n := L.GetTop()
			m := checkNumber(L, 1)
			for i := 2; i <= n; i++ {
				if d := checkNumber(L, i); d < m {
					m = d
				}
			}
			L.Push(lua.LNumber(m))
			return 1
		},
		"random":     e.mathRandom,
		"randomseed": e.mathRandomseed,
	}
	for name, fn := range fns {
		t.RawSetString(name, e.L.NewFunction(fn))
	}
	t.RawSetString("pi", lua.LNumber(math.Pi))
	t.RawSetString("huge", lua.LNumber(math.Inf(1)))
	return t
}

// mathFmod is C's fmod (Go's math.Mod has the same semantics).
func mathFmod(L *lua.LState) int {
	L.Push(lua.LNumber(math.Mod(checkNumber(L, 1), checkNumber(L, 2))))
	return 1
}

func (e *Engine) mathRandom(L *lua.LState) int {
	r := float64(e.lrand48()%lrandMax) / float64(lrandMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			argError(L, 1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkInt(L, 1)
		u := checkInt(L, 2)
		if l > u {
			argError(L, 2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (e *Engine) mathRandomseed(L *lua.LState) int {
	e.srand48(int32(checkInt(L, 1)))
	return 0
}
