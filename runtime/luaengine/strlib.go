package luaengine

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The string library of Lua 5.1 (lstrlib.c), rewritten so that every
// function that can run long or allocate much checks the run's budget:
// rep, format, gsub, find/match/gmatch (see pattern.go). string.dump
// gives only a binary chunk's header (see strDump).

func (e *Engine) openString() *lua.LTable {
	t := e.L.NewTable()
	fns := map[string]lua.LGFunction{
		"byte":    strByte,
		"char":    strChar,
		"dump":    strDump,
		"find":    e.strFind,
		"format":  e.strFormat,
		"gfind":   e.strGmatch,
		"gmatch":  e.strGmatch,
		"gsub":    e.strGsub,
		"len":     strLen,
		"lower":   strLower,
		"match":   e.strMatch,
		"rep":     e.strRep,
		"reverse": strReverse,
		"sub":     strSub,
		"upper":   strUpper,
	}
	for name, fn := range fns {
		t.RawSetString(name, e.L.NewFunction(fn))
	}
	return t
}

// posrelat converts a relative string position (negative counts from the
// end) as lstrlib does.
func posrelat(pos int64, l int) int64 {
	if pos < 0 {
		pos += int64(l) + 1
	}
	if pos >= 0 {
		return pos
	}
	return 0
}

func strByte(L *lua.LState) int {
	s := checkString(L, 1)
	posi := posrelat(optInteger(L, 2, 1), len(s))
	pose := posrelat(optInteger(L, 3, posi), len(s))
	if posi <= 0 {
		posi = 1
	}
	if pose > int64(len(s)) {
		pose = int64(len(s))
	}
	if posi > pose {
		return 0
	}
	n := int(pose - posi + 1)
	if n+L.GetTop() > 8000 {
		L.RaiseError("stack overflow (string slice too long)")
	}
	for i := 0; i < n; i++ {
		L.Push(lua.LNumber(s[int(posi)+i-1]))
	}
	return n
}

func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkInt(L, i)
		if c < 0 || c > 255 {
			argError(L, i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// lua51Header is the header of a Lua 5.1 binary chunk on a 64-bit
// little-endian build, as Redis's Lua writes it.
const lua51Header = "\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"

// strDump is string.dump: a built-in function cannot be dumped, as in
// Lua; a Lua function gives the header of a binary chunk and no bytecode.
// Nothing can tell the difference by loading it: Redis's Lua, like fnkit,
// loads no binary chunk (loadstring returns nil and "unexpected symbol
// near 'char(27)'").
func strDump(L *lua.LState) int {
	if L.Get(1).Type() != lua.LTFunction {
		typeError(L, 1, "function")
	}
	if L.CheckFunction(1).IsG {
		L.RaiseError("unable to dump given function")
	}
	L.Push(lua.LString(lua51Header))
	return 1
}

func strLen(L *lua.LState) int {
	L.Push(lua.LNumber(len(checkString(L, 1))))
	return 1
}

func strLower(L *lua.LState) int {
	s := checkString(L, 1)
	b := []byte(s)
	for i, c := range b {
		b[i] = tolower(c)
	}
	L.Push(lua.LString(b))
	return 1
}

func strUpper(L *lua.LState) int {
	s := checkString(L, 1)
	b := []byte(s)
	for i, c := range b {
		b[i] = toupper(c)
	}
	L.Push(lua.LString(b))
	return 1
}

func strReverse(L *lua.LState) int {
	s := checkString(L, 1)
	b := make([]byte, len(s))
	for i := range s {
		b[len(s)-1-i] = s[i]
	}
	L.Push(lua.LString(b))
	return 1
}

func strSub(L *lua.LState) int {
	s := checkString(L, 1)
	l := len(s)
	start := posrelat(checkInteger(L, 2), l)
	end := posrelat(optInteger(L, 3, -1), l)
	if start < 1 {
		start = 1
	}
	if end > int64(l) {
		end = int64(l)
	}
	if start <= end {
		L.Push(lua.LString(s[start-1 : end]))
	} else {
		L.Push(lua.LString(""))
	}
	return 1
}

func (e *Engine) strRep(L *lua.LState) int {
	s := checkString(L, 1)
	n := checkInteger(L, 2)
	if n <= 0 || len(s) == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if n > math.MaxInt64/int64(len(s)) {
		e.raiseMemory(L)
	}
	e.chargeString(L, int(n)*len(s))
	L.Push(lua.LString(strings.Repeat(s, int(n))))
	return 1
}

func (e *Engine) strFind(L *lua.LState) int  { return e.strFindAux(L, true) }
func (e *Engine) strMatch(L *lua.LState) int { return e.strFindAux(L, false) }

func (e *Engine) strFindAux(L *lua.LState, find bool) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	init := posrelat(optInteger(L, 3, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	cp := cutNUL(p)
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(cp, specials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	anchor := len(cp) > 0 && cp[0] == '^'
	if anchor {
		cp = cp[1:]
	}
	ms := &matchState{e: e, L: L, src: s, pat: cp}
	s1 := int(init)
	for {
		ms.level = 0
		if r := ms.match(s1, 0); r >= 0 {
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(r))
				return ms.pushCaptures(-1, -1, false) + 2
			}
			return ms.pushCaptures(s1, r, true)
		}
		s1++
		if s1 > len(s) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

func (e *Engine) strGmatch(L *lua.LState) int {
	s := checkString(L, 1)
	p := cutNUL(checkString(L, 2))
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ms := &matchState{e: e, L: L, src: s, pat: p}
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if r := ms.match(src, 0); r >= 0 {
				newstart := r
				if r == src {
					newstart++
				}
				pos = newstart
				return ms.pushCaptures(src, r, true)
			}
		}
		pos = len(s) + 1
		return 0
	}))
	return 1
}

func (e *Engine) strGsub(L *lua.LState) int {
	src := checkString(L, 1)
	p := cutNUL(checkString(L, 2))
	repl := L.Get(3)
	tr := repl.Type()
	maxS := int64(optInt(L, 4, len(src)+1))
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	if !(tr == lua.LTNumber || tr == lua.LTString || tr == lua.LTFunction || tr == lua.LTTable) {
		argError(L, 3, "string/function/table expected")
	}
	var b strings.Builder
	ms := &matchState{e: e, L: L, src: src, pat: p}
	n := int64(0)
	s := 0
	for n < maxS {
		ms.level = 0
		r := ms.match(s, 0)
		if r >= 0 {
			n++
			e.gsubAddValue(ms, &b, s, r, repl)
			e.chargeString(L, b.Len())
		}
		if r >= 0 && r > s {
			s = r
		} else if s < len(src) {
			b.WriteByte(src[s])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	e.chargeString(L, b.Len())
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

func (e *Engine) gsubAddValue(ms *matchState, b *strings.Builder, s, end int, repl lua.LValue) {
	L := ms.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		news, _ := toString(r)
		for i := 0; i < len(news); i++ {
			c := news[i]
			if c != patternEsc {
				b.WriteByte(c)
				continue
			}
			i++
			var d byte
			if i < len(news) {
				d = news[i]
			}
			switch {
			case !isdigit(d):
				b.WriteByte(d)
			case d == '0':
				b.WriteString(ms.src[s:end])
			default:
				cv := ms.captureValue(int(d-'1'), s, end)
				cs, _ := toString(cv)
				b.WriteString(cs)
			}
		}
		return
	case *lua.LFunction:
		e.enterC(L)
		L.Push(r)
		n := ms.pushCaptures(s, end, true)
		L.Call(n, 1)
		e.leaveC()
		v = L.Get(-1)
		L.Pop(1)
	case *lua.LTable:
		k := ms.captureValue(0, s, end)
		v = L.GetTable(r, k)
	}
	if !lua.LVAsBool(v) {
		b.WriteString(ms.src[s:end])
		return
	}
	vs, ok := toString(v)
	if !ok {
		L.RaiseError("invalid replacement value (a %s)", luaType(v))
	}
	b.WriteString(vs)
}

// strFormat is string.format with C printf semantics for each item.
func (e *Engine) strFormat(L *lua.LState) int {
	top := L.GetTop()
	fs := checkString(L, 1)
	arg := 1
	var b strings.Builder
	for i := 0; i < len(fs); {
		c := fs[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i < len(fs) && fs[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "no value")
		}
		var sp fmtSpec
		i = scanFormat(L, fs, i, &sp)
		var verb byte
		if i < len(fs) {
			verb = fs[i]
		}
		i++
		switch verb {
		case 'c':
			c := byte(int(checkNumber(L, arg)))
			if c == 0 {
				// sprintf's output is cut at the NUL by strlen
				s := padString("", sp)
				b.WriteString(s)
				continue
			}
			b.WriteString(padString(string([]byte{c}), sp))
		case 'd', 'i':
			b.WriteString(fmtInt(toInteger(checkNumber(L, arg)), sp))
		case 'o', 'u', 'x', 'X':
			b.WriteString(fmtUint(toUnsigned(checkNumber(L, arg)), verb, sp))
		case 'e', 'E', 'f', 'g', 'G':
			b.WriteString(fmtFloat(checkNumber(L, arg), verb, sp))
		case 'q':
			s := checkString(L, arg)
			b.WriteByte('"')
			for j := 0; j < len(s); j++ {
				switch s[j] {
				case '"', '\\', '\n':
					b.WriteByte('\\')
					b.WriteByte(s[j])
				case '\r':
					b.WriteString("\\r")
				case 0:
					b.WriteString("\\000")
				default:
					b.WriteByte(s[j])
				}
			}
			b.WriteByte('"')
		case 's':
			s := checkString(L, arg)
			if sp.prec < 0 && len(s) >= 100 {
				b.WriteString(s)
			} else {
				b.WriteString(padString(cutNUL(s), sp))
			}
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", verb)
		}
		e.chargeString(L, b.Len())
	}
	L.Push(lua.LString(b.String()))
	return 1
}

type fmtSpec struct {
	minus, plus, space, hash, zero bool
	width                          int
	prec                           int // -1: none
}

// scanFormat parses flags, width and precision at fs[i:] as lstrlib's
// scanformat (two digits at most each) and returns the index of the
// conversion character.
func scanFormat(L *lua.LState, fs string, i int, sp *fmtSpec) int {
	at := func(j int) byte {
		if j < len(fs) {
			return fs[j]
		}
		return 0
	}
	start := i
	for at(i) != 0 && strings.IndexByte("-+ #0", at(i)) >= 0 {
		switch at(i) {
		case '-':
			sp.minus = true
		case '+':
			sp.plus = true
		case ' ':
			sp.space = true
		case '#':
			sp.hash = true
		case '0':
			sp.zero = true
		}
		i++
	}
	if i-start >= len("-+ #0")+1 {
		L.RaiseError("invalid format (repeated flags)")
	}
	sp.prec = -1
	for k := 0; k < 2 && isdigit(at(i)); k++ {
		sp.width = sp.width*10 + int(at(i)-'0')
		i++
	}
	if at(i) == '.' {
		i++
		sp.prec = 0
		for k := 0; k < 2 && isdigit(at(i)); k++ {
			sp.prec = sp.prec*10 + int(at(i)-'0')
			i++
		}
	}
	if isdigit(at(i)) {
		L.RaiseError("invalid format (width or precision too long)")
	}
	return i
}

// toUnsigned converts a double to unsigned long as x86-64 code generated by
// gcc does.
func toUnsigned(f float64) uint64 {
	if f >= 9.223372036854775807e18 && f < 1.8446744073709552e19 {
		return uint64(f)
	}
	return uint64(toInteger(f))
}

func pad(s string, sp fmtSpec, zeroOK bool, signLen int) string {
	if len(s) >= sp.width {
		return s
	}
	n := sp.width - len(s)
	switch {
	case sp.minus:
		return s + strings.Repeat(" ", n)
	case sp.zero && zeroOK:
		return s[:signLen] + strings.Repeat("0", n) + s[signLen:]
	}
	return strings.Repeat(" ", n) + s
}

func padString(s string, sp fmtSpec) string {
	if sp.prec >= 0 && len(s) > sp.prec {
		s = s[:sp.prec]
	}
	return pad(s, sp, false, 0)
}

func signOf(neg bool, sp fmtSpec) string {
	switch {
	case neg:
		return "-"
	case sp.plus:
		return "+"
	case sp.space:
		return " "
	}
	return ""
}

func fmtInt(v int64, sp fmtSpec) string {
	neg := v < 0
	var digits string
	if neg {
		digits = strconv.FormatUint(uint64(-v), 10)
	} else {
		digits = strconv.FormatUint(uint64(v), 10)
	}
	if sp.prec >= 0 {
		if sp.prec == 0 && v == 0 {
			digits = ""
		}
		for len(digits) < sp.prec {
			digits = "0" + digits
		}
	}
	sign := signOf(neg, sp)
	return pad(sign+digits, sp, sp.prec < 0, len(sign))
}

func fmtUint(v uint64, verb byte, sp fmtSpec) string {
	var digits, prefix string
	switch verb {
	case 'o':
		digits = strconv.FormatUint(v, 8)
	case 'u':
		digits = strconv.FormatUint(v, 10)
	case 'x':
		digits = strconv.FormatUint(v, 16)
	case 'X':
		digits = strings.ToUpper(strconv.FormatUint(v, 16))
	}
	if sp.prec >= 0 {
		if sp.prec == 0 && v == 0 {
			digits = ""
		}
		for len(digits) < sp.prec {
			digits = "0" + digits
		}
	}
	if sp.hash {
		switch {
		case verb == 'o' && !strings.HasPrefix(digits, "0"):
			digits = "0" + digits
		case verb == 'x' && v != 0:
			prefix = "0x"
		case verb == 'X' && v != 0:
			prefix = "0X"
		}
	}
	return pad(prefix+digits, sp, sp.prec < 0, len(prefix))
}

func fmtFloat(f float64, verb byte, sp fmtSpec) string {
	neg := math.Signbit(f)
	sign := signOf(neg, sp)
	upper := verb == 'E' || verb == 'G'
	if math.IsInf(f, 0) || f != f {
		s := "inf"
		if f != f {
			s = "nan"
		}
		if upper {
			s = strings.ToUpper(s)
		}
		return pad(sign+s, sp, false, 0)
	}
	a := math.Abs(f)
	prec := sp.prec
	if prec < 0 {
		prec = 6
	}
	var body string
	switch verb {
	case 'f':
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if sp.hash && prec == 0 {
			body += "."
		}
	case 'e', 'E':
		body = fmtExp(a, prec, sp.hash)
	case 'g', 'G':
		p := prec
		if p == 0 {
			p = 1
		}
		es := strconv.FormatFloat(a, 'e', p-1, 64)
		x, _ := strconv.Atoi(es[strings.IndexByte(es, 'e')+1:])
		if p > x && x >= -4 {
			body = strconv.FormatFloat(a, 'f', p-1-x, 64)
		} else {
			body = fmtExp(a, p-1, sp.hash)
		}
		if !sp.hash {
			body = trimZeros(body)
		} else if !strings.Contains(body, ".") {
			if i := strings.IndexByte(body, 'e'); i >= 0 {
				body = body[:i] + "." + body[i:]
			} else {
				body += "."
			}
		}
	}
	if upper {
		body = strings.ToUpper(body)
	}
	return pad(sign+body, sp, true, len(sign))
}

// fmtExp is C's %.<prec>e of a non-negative finite value.
func fmtExp(a float64, prec int, hash bool) string {
	s := strconv.FormatFloat(a, 'e', prec, 64)
	if hash && prec == 0 {
		i := strings.IndexByte(s, 'e')
		s = s[:i] + "." + s[i:]
	}
	return s
}

// trimZeros removes trailing zeros of the fraction (and a bare '.') as %g
// does without '#'.
func trimZeros(s string) string {
	exp := ""
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		s, exp = s[:i], s[i:]
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s + exp
}
