package luaengine

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

// typeName is luaL_typename: the type name, "no value" past the top.
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return luaType(L.Get(n))
}

// luaType is Lua 5.1's type() of v.
func luaType(v lua.LValue) string {
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

// argError is luaL_argerror.
func argError(L *lua.LState, n int, msg string) {
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

// typeError is luaL_typerror.
func typeError(L *lua.LState, n int, want string) {
	argError(L, n, fmt.Sprintf("%s expected, got %s", want, typeName(L, n)))
}

// toNumber is lua_tonumber: numbers, and strings that convert.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return str2d(string(x))
	}
	return 0, false
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, "number")
	}
	return f
}

// optNumber is luaL_optnumber.
func optNumber(L *lua.LState, n int, def float64) float64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkNumber(L, n)
}

// toInteger is lua_tointeger on x86-64: a C cast, truncating; values a
// ptrdiff_t cannot hold give INT64_MIN, as the hardware does.
func toInteger(f float64) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(f)
}

// checkInt is luaL_checkint (an int: the 64-bit value truncated to 32 bits
// as C does).
func checkInt(L *lua.LState, n int) int {
	return int(int32(toInteger(checkNumber(L, n))))
}

// checkInteger is luaL_checkinteger (ptrdiff_t).
func checkInteger(L *lua.LState, n int) int64 {
	return toInteger(checkNumber(L, n))
}

// optInt is luaL_optint.
func optInt(L *lua.LState, n int, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInt(L, n)
}

// optInteger is luaL_optinteger.
func optInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInteger(L, n)
}

// toString is lua_tolstring: strings, and numbers formatted "%.14g".
func toString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return fmtNumber(float64(x)), true
	}
	return "", false
}

// checkString is luaL_checklstring.
func checkString(L *lua.LState, n int) string {
	s, ok := toString(L.Get(n))
	if !ok {
		typeError(L, n, "string")
	}
	return s
}

// optString is luaL_optlstring.
func optString(L *lua.LState, n int, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkString(L, n)
}

// checkTable is luaL_checktype(L, n, LUA_TTABLE).
func checkTable(L *lua.LState, n int) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		typeError(L, n, "table")
	}
	return t
}

// checkAny is luaL_checkany.
func checkAny(L *lua.LState, n int) lua.LValue {
	if n > L.GetTop() {
		argError(L, n, "value expected")
	}
	return L.Get(n)
}

// isString is lua_isstring: strings and numbers.
func isString(v lua.LValue) bool {
	t := v.Type()
	return t == lua.LTString || t == lua.LTNumber
}

// fmtNumber is Lua 5.1's LUAI_NUMFFORMAT, "%.14g", with glibc's spelling
// of infinities and NaNs.
func fmtNumber(f float64) string {
	if f == math.Trunc(f) && f > -1e14 && f < 1e14 && !(f == 0 && math.Signbit(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return fmtG(f, 14)
}

// fmtG formats like C's "%.<prec>g" in glibc.
func fmtG(f float64, prec int) string {
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

// str2d is luaO_str2d: C's strtod (decimal, hex floats, inf, nan) with
// surrounding whitespace allowed, and Lua's own hex-integer fallback.
func str2d(s string) (float64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	end := len(t)
	for end > 0 && isCSpace(t[end-1]) {
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
		if err != nil && !isRangeErr(err) {
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
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// tostringValue is Lua 5.1's tostring without metamethods, for the types
// that have a fixed spelling.
func tostringValue(v lua.LValue) string {
	switch x := v.(type) {
	case *lua.LNilType:
		return "nil"
	case lua.LBool:
		if x {
			return "true"
		}
		return "false"
	case lua.LNumber:
		return fmtNumber(float64(x))
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
