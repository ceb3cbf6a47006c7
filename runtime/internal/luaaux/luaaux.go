// Package luaaux is Lua 5.1's auxiliary library for gopher-lua: argument
// checks with PUC-Lua's messages, number formatting ("%.14g") and parsing
// (strtod), shared by fnkit's Lua engine and its libraries.
package luaaux

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// This file holds Lua 5.1's auxiliary library as Redis's interpreter
// behaves: argument checks with PUC-Lua's messages ("bad argument #1 to
// 'rep' (number expected, got no value)"), number formatting ("%.14g") and
// string-to-number conversion (strtod plus hex). gopher-lua's own helpers
// word their errors differently, so the libraries of this package use these.

// TypeName is luaL_typename: the type name, "no value" past the top.
func TypeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return LuaType(L.Get(n))
}

// LuaType is Lua 5.1's type() of v.
func LuaType(v lua.LValue) string {
	switch v.Type() {
	case lua.LTNil:
		return "nil"
	case lua.LTBool:
		return "boolean"
	case lua.LTNumber:
		return "number"
	case lua.LTString:
		return "string"
	case lua.LTTable:
		return "table"
	case lua.LTFunction:
		return "function"
	case lua.LTUserData:
		return "userdata"
	case lua.LTThread:
		return "thread"
	case lua.LTChannel:
		return "userdata"
	}
	return "userdata"
}

// ArgError is luaL_argerror.
func ArgError(L *lua.LState, n int, msg string) {
	name, namewhat := "?", ""
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, lua.LNil); err == nil {
			if dbg.Name != "" {
				name = dbg.Name
			}
			namewhat = dbg.What
		}
	}
	_ = namewhat
	L.RaiseError("bad argument #%d to '%s' (%s)", n, name, msg)
}

// TypeError is luaL_typerror.
func TypeError(L *lua.LState, n int, want string) {
	ArgError(L, n, fmt.Sprintf("%s expected, got %s", want, TypeName(L, n)))
}

// ToNumber is lua_tonumber: numbers, and strings that convert.
func ToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return Str2d(string(x))
	}
	return 0, false
}

// CheckNumber is luaL_checknumber.
func CheckNumber(L *lua.LState, n int) float64 {
	f, ok := ToNumber(L.Get(n))
	if !ok {
		TypeError(L, n, "number")
	}
	return f
}

// OptNumber is luaL_optnumber.
func OptNumber(L *lua.LState, n int, def float64) float64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckNumber(L, n)
}

// ToInteger is lua_tointeger on x86-64: a C cast, truncating; values a
// ptrdiff_t cannot hold give INT64_MIN, as the hardware does.
func ToInteger(f float64) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(f)
}

// CheckInt is luaL_checkint (an int: the 64-bit value truncated to 32 bits
// as C does).
func CheckInt(L *lua.LState, n int) int {
	return int(int32(ToInteger(CheckNumber(L, n))))
}

// CheckInteger is luaL_checkinteger (ptrdiff_t).
func CheckInteger(L *lua.LState, n int) int64 {
	return ToInteger(CheckNumber(L, n))
}

// OptInt is luaL_optint.
func OptInt(L *lua.LState, n int, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckInt(L, n)
}

// OptInteger is luaL_optinteger.
func OptInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckInteger(L, n)
}

// ToString is lua_tolstring: strings, and numbers formatted "%.14g".
func ToString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return FmtNumber(float64(x)), true
	}
	return "", false
}

// CheckString is luaL_checklstring.
func CheckString(L *lua.LState, n int) string {
	s, ok := ToString(L.Get(n))
	if !ok {
		TypeError(L, n, "string")
	}
	return s
}

// OptString is luaL_optlstring.
func OptString(L *lua.LState, n int, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckString(L, n)
}

// CheckTable is luaL_checktype(L, n, LUA_TTABLE).
func CheckTable(L *lua.LState, n int) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		TypeError(L, n, "table")
	}
	return t
}

// CheckAny is luaL_checkany.
func CheckAny(L *lua.LState, n int) lua.LValue {
	if n > L.GetTop() {
		ArgError(L, n, "value expected")
	}
	return L.Get(n)
}

// IsString is lua_isstring: strings and numbers.
func IsString(v lua.LValue) bool {
	t := v.Type()
	return t == lua.LTString || t == lua.LTNumber
}

// FmtNumber is Lua 5.1's LUAI_NUMFFORMAT, "%.14g", with glibc's spelling
// of infinities and NaNs.
func FmtNumber(f float64) string {
	if f == math.Trunc(f) && f > -1e14 && f < 1e14 && !(f == 0 && math.Signbit(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return FmtG(f, 14)
}

// FmtG formats like C's "%.<prec>g" in glibc.
func FmtG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f != f:
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// Str2d is luaO_str2d: C's strtod (decimal, hex floats, inf, nan) with
// surrounding whitespace allowed, and Lua's own hex-integer fallback.
func Str2d(s string) (float64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	end := len(t)
	for end > 0 && IsCSpace(t[end-1]) {
		end--
	}
	t = t[:end]
	if t == "" {
		return 0, false
	}
	body := t
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	lower := strings.ToLower(body)
	switch lower {
	case "inf", "infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if strings.HasPrefix(lower, "nan(") && strings.HasSuffix(lower, ")") {
		return math.NaN(), true
	}
	if strings.HasPrefix(lower, "0x") {
		h := lower[2:]
		if h == "" {
			return 0, false
		}
		// hex float as C99 strtod accepts it
		if !strings.ContainsAny(h, "p.") {
			var v float64
			for i := 0; i < len(h); i++ {
				c := h[i]
				var d int
				switch {
				case c >= '0' && c <= '9':
					d = int(c - '0')
				case c >= 'a' && c <= 'f':
					d = int(c-'a') + 10
				default:
					return 0, false
				}
				v = v*16 + float64(d)
			}
			if neg {
				v = -v
			}
			return v, true
		}
		if !strings.Contains(h, "p") {
			h += "p0"
		}
		v, err := strconv.ParseFloat("0x"+h, 64)
		if err != nil && !IsRangeErr(err) {
			return 0, false
		}
		if neg {
			v = -v
		}
		return v, true
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false
		}
	}
	if strings.HasPrefix(body, "+") || strings.HasPrefix(body, "-") {
		return 0, false
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil && !IsRangeErr(err) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func IsRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func IsCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// TostringValue is Lua 5.1's tostring without metamethods, for the types
// that have a fixed spelling.
func TostringValue(v lua.LValue) string {
	switch x := v.(type) {
	case *lua.LNilType:
		return "nil"
	case lua.LBool:
		if x {
			return "true"
		}
		return "false"
	case lua.LNumber:
		return FmtNumber(float64(x))
	case lua.LString:
		return string(x)
	case *lua.LTable:
		return fmt.Sprintf("table: %p", x)
	case *lua.LFunction:
		if x.IsG {
			return fmt.Sprintf("function: builtin: %p", x)
		}
		return fmt.Sprintf("function: %p", x)
	case *lua.LUserData:
		return fmt.Sprintf("userdata: %p", x)
	case *lua.LState:
		return fmt.Sprintf("thread: %p", x)
	}
	return v.String()
}
