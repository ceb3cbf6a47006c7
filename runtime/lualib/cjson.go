package lualib

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/internal/luaaux"
)

// Cjson is an instance of the cjson module (lua-cjson 2.1.0 as bundled
// with Redis): encode, decode, the configuration functions, new, null,
// _NAME and _VERSION. Configuration is per instance and persists (as in
// Redis, where it is C state behind the read-only table).
type Cjson struct {
	guard Guard
	null  *lua.LUserData

	sparseConvert   bool
	sparseRatio     int
	sparseSafe      int
	encodeMaxDepth  int
	decodeMaxDepth  int
	precision       int
	keepBuffer      bool
	encodeInvalid   int // 0 off, 1 on, 2 null
	decodeInvalid   bool
	isNull          func(lua.LValue) bool
	tableToReal     func(*lua.LTable) *lua.LTable
	newInstanceHook func(*lua.LTable) *lua.LTable
}

// CjsonOptions configure OpenCjson.
type CjsonOptions struct {
	// Guard bounds loops and string sizes.
	Guard Guard
	// Null is the value of cjson.null (Redis: a NULL lightuserdata). A new
	// userdata when nil.
	Null *lua.LUserData
	// Real maps a read-only proxy table to the table behind it, so that
	// encode sees the contents (nil: tables are used as they are).
	Real func(*lua.LTable) *lua.LTable
	// Protect is applied to the tables cjson.new returns (nil: none).
	Protect func(*lua.LTable) *lua.LTable
}

// OpenCjson returns a cjson module table and the null value it uses.
func OpenCjson(L *lua.LState, o CjsonOptions) (*lua.LTable, *lua.LUserData) {
	null := o.Null
	if null == nil {
		null = L.NewUserData()
	}
	c := newCjson(guardOr(o.Guard), null, o.Real, o.Protect)
	return c.module(L), null
}

func newCjson(g Guard, null *lua.LUserData, real func(*lua.LTable) *lua.LTable, protect func(*lua.LTable) *lua.LTable) *Cjson {
	c := &Cjson{
		guard: g, null: null, sparseRatio: 2, sparseSafe: 10,
		encodeMaxDepth: 1000, decodeMaxDepth: 1000, precision: 14,
		keepBuffer: true, decodeInvalid: true,
		tableToReal: real, newInstanceHook: protect,
	}
	if c.tableToReal == nil {
		c.tableToReal = func(t *lua.LTable) *lua.LTable { return t }
	}
	return c
}

func (c *Cjson) module(L *lua.LState) *lua.LTable {
	t := newModule(L, map[string]lua.LGFunction{
		"encode":                  c.encode,
		"decode":                  c.decode,
		"encode_sparse_array":     c.optSparse,
		"encode_max_depth":        c.intOption(func() *int { return &c.encodeMaxDepth }, 1, math.MaxInt32),
		"decode_max_depth":        c.intOption(func() *int { return &c.decodeMaxDepth }, 1, math.MaxInt32),
		"encode_number_precision": c.intOption(func() *int { return &c.precision }, 1, 14),
		"encode_keep_buffer":      c.boolOption(func() *bool { return &c.keepBuffer }),
		"encode_invalid_numbers":  c.optEncodeInvalid,
		"decode_invalid_numbers":  c.boolOption(func() *bool { return &c.decodeInvalid }),
		"new": func(L *lua.LState) int {
			n := newCjson(c.guard, c.null, c.tableToReal, c.newInstanceHook)
			m := n.module(L)
			if c.newInstanceHook != nil {
				m = c.newInstanceHook(m)
			}
			L.Push(m)
			return 1
		},
	})
	t.RawSetString("null", c.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func checkArgs(L *lua.LState, n int) {
	if L.GetTop() > n {
		luaaux.ArgError(L, n+1, "found too many arguments")
	}
}

func (c *Cjson) intOption(p func() *int, min, max int) lua.LGFunction {
	return func(L *lua.LState) int {
		checkArgs(L, 1)
		if L.Get(1) != lua.LNil {
			v := luaaux.CheckInteger(L, 1)
			if v < int64(min) || v > int64(max) {
				luaaux.ArgError(L, 1, "expected integer between "+strconv.Itoa(min)+" and "+strconv.Itoa(max))
			}
			*p() = int(v)
		}
		L.Push(lua.LNumber(*p()))
		return 1
	}
}

func (c *Cjson) boolOption(p func() *bool) lua.LGFunction {
	return func(L *lua.LState) int {
		checkArgs(L, 1)
		if v := L.Get(1); v != lua.LNil {
			if b, ok := v.(lua.LBool); ok {
				*p() = bool(b)
			} else {
				switch luaaux.CheckString(L, 1) {
				case "off":
					*p() = false
				case "on":
					*p() = true
				default:
					luaaux.ArgError(L, 1, "invalid option '"+luaaux.CheckString(L, 1)+"'")
				}
			}
		}
		L.Push(lua.LBool(*p()))
		return 1
	}
}

func (c *Cjson) optEncodeInvalid(L *lua.LState) int {
	checkArgs(L, 1)
	opts := []string{"off", "on", "null"}
	if v := L.Get(1); v != lua.LNil {
		if b, ok := v.(lua.LBool); ok {
			if b {
				c.encodeInvalid = 1
			} else {
				c.encodeInvalid = 0
			}
		} else {
			s := luaaux.CheckString(L, 1)
			found := false
			for i, o := range opts {
				if o == s {
					c.encodeInvalid, found = i, true
				}
			}
			if !found {
				luaaux.ArgError(L, 1, "invalid option '"+s+"'")
			}
		}
	}
	if c.encodeInvalid <= 1 {
		L.Push(lua.LBool(c.encodeInvalid == 1))
	} else {
		L.Push(lua.LString(opts[c.encodeInvalid]))
	}
	return 1
}

func (c *Cjson) optSparse(L *lua.LState) int {
	checkArgs(L, 3)
	if v := L.Get(1); v != lua.LNil {
		if b, ok := v.(lua.LBool); ok {
			c.sparseConvert = bool(b)
		} else {
			switch s := luaaux.CheckString(L, 1); s {
			case "off":
				c.sparseConvert = false
			case "on":
				c.sparseConvert = true
			default:
				luaaux.ArgError(L, 1, "invalid option '"+s+"'")
			}
		}
	}
	for i, p := range []*int{&c.sparseRatio, &c.sparseSafe} {
		if L.Get(i+2) != lua.LNil {
			v := luaaux.CheckInteger(L, i+2)
			if v < 0 || v > math.MaxInt32 {
				luaaux.ArgError(L, i+2, "expected integer between 0 and 2147483647")
			}
			*p = int(v)
		}
	}
	L.Push(lua.LBool(c.sparseConvert))
	L.Push(lua.LNumber(c.sparseRatio))
	L.Push(lua.LNumber(c.sparseSafe))
	return 3
}

// Encoding.

var char2escape [256]string

func init() {
	for i := 0; i < 32; i++ {
		char2escape[i] = "\\u00" + string("0123456789abcdef"[i>>4]) + string("0123456789abcdef"[i&15])
	}
	char2escape['\b'] = "\\b"
	char2escape['\t'] = "\\t"
	char2escape['\n'] = "\\n"
	char2escape['\f'] = "\\f"
	char2escape['\r'] = "\\r"
	char2escape['"'] = "\\\""
	char2escape['/'] = "\\/"
	char2escape['\\'] = "\\\\"
	char2escape[0x7f] = "\\u007f"
}

type encoder struct {
	c  *Cjson
	L  *lua.LState
	sb strings.Builder
	n  int
}

func (c *Cjson) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		luaaux.ArgError(L, 1, "expected 1 argument")
	}
	e := &encoder{c: c, L: L}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.sb.String()))
	return 1
}

func (e *encoder) exception(v lua.LValue, reason string) {
	e.L.RaiseError("Cannot serialise %s: %s", luaaux.LuaType(v), reason)
}

func (e *encoder) tick() {
	e.n++
	if e.n&0x3ff == 0 {
		e.c.guard.Charge(e.L, e.sb.Len())
	}
}

func (e *encoder) str(s string) {
	e.sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if esc := char2escape[s[i]]; esc != "" {
			e.sb.WriteString(esc)
		} else {
			e.sb.WriteByte(s[i])
		}
	}
	e.sb.WriteByte('"')
}

func (e *encoder) number(v lua.LValue, f float64) {
	if math.IsInf(f, 0) || f != f {
		switch e.c.encodeInvalid {
		case 0:
			e.exception(v, "must not be NaN or Inf")
		case 1:
			if f != f {
				e.sb.WriteString("nan")
				return
			}
		default:
			e.sb.WriteString("null")
			return
		}
	}
	e.sb.WriteString(luaaux.FmtG(f, e.c.precision))
}

func (e *encoder) value(v lua.LValue, depth int) {
	e.tick()
	switch x := v.(type) {
	case lua.LString:
		e.str(string(x))
	case lua.LNumber:
		e.number(v, float64(x))
	case lua.LBool:
		if x {
			e.sb.WriteString("true")
		} else {
			e.sb.WriteString("false")
		}
	case *lua.LNilType:
		e.sb.WriteString("null")
	case *lua.LTable:
		depth++
		if depth > e.c.encodeMaxDepth {
			e.L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		t := e.c.tableToReal(x)
		n := e.arrayLength(t)
		if n > 0 {
			e.sb.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					e.sb.WriteByte(',')
				}
				e.value(t.RawGetInt(i), depth)
			}
			e.sb.WriteByte(']')
			return
		}
		e.sb.WriteByte('{')
		first := true
		k, val := t.Next(lua.LNil)
		for k != lua.LNil {
			if !first {
				e.sb.WriteByte(',')
			}
			first = false
			switch kk := k.(type) {
			case lua.LNumber:
				e.sb.WriteByte('"')
				e.number(k, float64(kk))
				e.sb.WriteString("\":")
			case lua.LString:
				e.str(string(kk))
				e.sb.WriteByte(':')
			default:
				e.exception(k, "table key must be a number or string")
			}
			e.value(val, depth)
			k, val = t.Next(k)
		}
		e.sb.WriteByte('}')
	case *lua.LUserData:
		if x == e.c.null {
			e.sb.WriteString("null")
			return
		}
		e.exception(v, "type not supported")
	default:
		e.exception(v, "type not supported")
	}
}

// arrayLength is lua_array_length: the largest key when every key is an
// integer >= 1 (-1 otherwise), refusing excessively sparse arrays.
func (e *encoder) arrayLength(t *lua.LTable) int {
	max, items := 0.0, 0
	k, _ := t.Next(lua.LNil)
	for k != lua.LNil {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || math.Floor(float64(n)) != float64(n) {
			return -1
		}
		if float64(n) > max {
			max = float64(n)
		}
		items++
		k, _ = t.Next(k)
	}
	if e.c.sparseRatio > 0 && max > float64(items*e.c.sparseRatio) && max > float64(e.c.sparseSafe) {
		if !e.c.sparseConvert {
			e.exception(t, "excessively sparse array")
		}
		return -1
	}
	if max > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(max)
}

// Decoding.

type tokType int

const (
	tObjBegin tokType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var tokNames = []string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

var ch2token [256]tokType

func init() {
	for i := range ch2token {
		ch2token[i] = tError
	}
	ch2token[0] = tEnd
	ch2token[' '], ch2token['\t'], ch2token['\r'], ch2token['\n'] = tWhitespace, tWhitespace, tWhitespace, tWhitespace
	ch2token['{'], ch2token['}'], ch2token['['], ch2token[']'] = tObjBegin, tObjEnd, tArrBegin, tArrEnd
	ch2token[':'], ch2token[','] = tColon, tComma
	for _, ch := range "fiInNt\"+-0123456789" {
		ch2token[ch] = tUnknown
	}
}

type token struct {
	typ   tokType
	index int
	str   string
	num   float64
	b     bool
	err   string
}

type decoder struct {
	c     *Cjson
	L     *lua.LState
	data  string
	pos   int
	depth int
	n     int
}

func (d *decoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func (c *Cjson) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		luaaux.ArgError(L, 1, "expected 1 argument")
	}
	s := luaaux.CheckString(L, 1)
	d := &decoder{c: c, L: L, data: s}
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		L.RaiseError("JSON parser does not support UTF-16 or UTF-32")
	}
	var tok token
	d.next(&tok)
	v := d.value(&tok)
	d.next(&tok)
	if tok.typ != tEnd {
		d.parseError("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (d *decoder) parseError(exp string, t *token) {
	found := tokNames[t.typ]
	if t.typ == tError {
		found = t.err
	}
	d.L.RaiseError("Expected %s but found %s at character %d", exp, found, t.index+1)
}

func (d *decoder) setError(t *token, msg string) {
	t.typ, t.index, t.err = tError, d.pos, msg
}

func (d *decoder) next(t *token) {
	d.n++
	if d.n&0x3ff == 0 {
		d.c.guard.Check(d.L)
	}
	var ch byte
	for {
		ch = d.at(d.pos)
		t.typ = ch2token[ch]
		if t.typ != tWhitespace {
			break
		}
		d.pos++
	}
	t.index = d.pos
	switch t.typ {
	case tError:
		d.setError(t, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		d.pos++
		return
	}
	rest := d.data[d.pos:]
	switch {
	case ch == '"':
		d.stringToken(t)
	case ch == '-' || ch >= '0' && ch <= '9':
		if !d.c.decodeInvalid && d.invalidNumber() {
			d.setError(t, "invalid number")
			return
		}
		d.numberToken(t)
	case strings.HasPrefix(rest, "true"):
		t.typ, t.b = tBoolean, true
		d.pos += 4
	case strings.HasPrefix(rest, "false"):
		t.typ, t.b = tBoolean, false
		d.pos += 5
	case strings.HasPrefix(rest, "null"):
		t.typ = tNull
		d.pos += 4
	case d.c.decodeInvalid && d.invalidNumber():
		d.numberToken(t)
	default:
		d.setError(t, "invalid token")
	}
}

func (d *decoder) invalidNumber() bool {
	p := d.pos
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	if d.at(p) == '0' {
		ch2 := d.at(p + 1)
		return ch2|0x20 == 'x' || ch2 >= '0' && ch2 <= '9'
	} else if d.at(p) <= '9' {
		return false
	}
	rest := strings.ToLower(d.data[p:min(p+3, len(d.data))])
	return rest == "inf" || rest == "nan"
}

func (d *decoder) numberToken(t *token) {
	f, n := strtod(d.data[d.pos:])
	if n == 0 {
		d.setError(t, "invalid number")
		return
	}
	d.pos += n
	t.typ, t.num = tNumber, f
}

func hex4(s string) int {
	if len(s) < 4 {
		return -1
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return -1
	}
	return int(v)
}

func (d *decoder) stringToken(t *token) {
	d.pos++
	var sb strings.Builder
	for {
		ch := d.at(d.pos)
		if ch == '"' {
			break
		}
		if ch == 0 {
			d.setError(t, "unexpected end of string")
			return
		}
		if ch == '\\' {
			esc := d.at(d.pos + 1)
			switch esc {
			case '"', '\\', '/':
				ch = esc
			case 'b':
				ch = '\b'
			case 't':
				ch = '\t'
			case 'n':
				ch = '\n'
			case 'f':
				ch = '\f'
			case 'r':
				ch = '\r'
			case 'u':
				if !d.unicodeEscape(&sb) {
					d.setError(t, "invalid unicode escape code")
					return
				}
				continue
			default:
				d.setError(t, "invalid escape code")
				return
			}
			d.pos++
		}
		sb.WriteByte(ch)
		d.pos++
	}
	d.pos++
	t.typ, t.str = tString, sb.String()
}

func (d *decoder) unicodeEscape(sb *strings.Builder) bool {
	cp := hex4(d.data[min(d.pos+2, len(d.data)):])
	if cp < 0 {
		return false
	}
	escLen := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return false
		}
		if d.at(d.pos+escLen) != '\\' || d.at(d.pos+escLen+1) != 'u' {
			return false
		}
		low := hex4(d.data[min(d.pos+2+escLen, len(d.data)):])
		if low < 0 || low&0xFC00 != 0xDC00 {
			return false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		escLen = 12
	}
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], rune(cp))
	sb.Write(buf[:n])
	d.pos += escLen
	return true
}

func (d *decoder) descend() {
	d.depth++
	if d.depth > d.c.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
}

func (d *decoder) value(t *token) lua.LValue {
	switch t.typ {
	case tString:
		return lua.LString(t.str)
	case tNumber:
		return lua.LNumber(t.num)
	case tBoolean:
		return lua.LBool(t.b)
	case tNull:
		return d.c.null
	case tObjBegin:
		d.descend()
		tbl := d.L.NewTable()
		d.next(t)
		if t.typ == tObjEnd {
			d.depth--
			return tbl
		}
		for {
			if t.typ != tString {
				d.parseError("object key string", t)
			}
			key := t.str
			d.next(t)
			if t.typ != tColon {
				d.parseError("colon", t)
			}
			d.next(t)
			v := d.value(t)
			tbl.RawSetString(key, v)
			d.next(t)
			if t.typ == tObjEnd {
				d.depth--
				return tbl
			}
			if t.typ != tComma {
				d.parseError("comma or object end", t)
			}
			d.next(t)
		}
	case tArrBegin:
		d.descend()
		tbl := d.L.NewTable()
		d.next(t)
		if t.typ == tArrEnd {
			d.depth--
			return tbl
		}
		for i := 1; ; i++ {
			tbl.RawSetInt(i, d.value(t))
			d.next(t)
			if t.typ == tArrEnd {
				d.depth--
				return tbl
			}
			if t.typ != tComma {
				d.parseError("comma or array end", t)
			}
			d.next(t)
		}
	}
	d.parseError("value", t)
	return lua.LNil
}

// strtod parses the longest prefix of s that C's strtod accepts (decimal
// with exponent, hex, inf/infinity, nan) and returns the value and the
// number of bytes used (0: none).
func strtod(s string) (float64, int) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	low := strings.ToLower(s[i:min(len(s), i+8)])
	switch {
	case strings.HasPrefix(low, "infinity"):
		f, _ := luaaux.Str2d(s[:i+8])
		return f, i + 8
	case strings.HasPrefix(low, "inf"):
		f, _ := luaaux.Str2d(s[:i+3])
		return f, i + 3
	case strings.HasPrefix(low, "nan"):
		return math.NaN(), i + 3
	}
	start := i
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		j := i + 2
		digits := 0
		for j < len(s) && (isHexDigit(s[j]) || s[j] == '.') {
			if s[j] != '.' {
				digits++
			}
			j++
		}
		if digits > 0 {
			if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			f, ok := luaaux.Str2d(s[:j])
			if ok {
				return f, j
			}
		}
		// "0x" alone: strtod reads the "0"
		return 0, start + 1
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		k := i + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			i = k
		}
	}
	f, ok := luaaux.Str2d(s[:i])
	if !ok {
		return 0, 0
	}
	return f, i
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
