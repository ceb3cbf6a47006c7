package lualib

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/internal/luaaux"
)

// OpenCmsgpack returns the cmsgpack module (lua-cmsgpack 0.4.0 as bundled
// with Redis): pack, unpack, unpack_one, unpack_limit and the _NAME,
// _VERSION, _COPYRIGHT, _DESCRIPTION fields. real maps read-only proxies
// to their tables (nil: identity).
func OpenCmsgpack(L *lua.LState, g Guard, real func(*lua.LTable) *lua.LTable) *lua.LTable {
	m := &msgpack{guard: guardOr(g), real: real}
	if m.real == nil {
		m.real = func(t *lua.LTable) *lua.LTable { return t }
	}
	t := newModule(L, map[string]lua.LGFunction{
		"pack":         m.pack,
		"unpack":       func(L *lua.LState) int { return m.unpackFull(L, 0, 0) },
		"unpack_one":   m.unpackOne,
		"unpack_limit": m.unpackLimit,
	})
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

// maxNesting is LUACMSGPACK_MAX_NESTING: deeper tables encode as nil.
const maxNesting = 16

type msgpack struct {
	guard Guard
	real  func(*lua.LTable) *lua.LTable
}

type mpEncoder struct {
	m   *msgpack
	L   *lua.LState
	buf []byte
	n   int
}

func (m *msgpack) pack(L *lua.LState) int {
	nargs := L.GetTop()
	if nargs == 0 {
		luaaux.ArgError(L, 0, "MessagePack pack needs input.")
	}
	e := &mpEncoder{m: m, L: L}
	for i := 1; i <= nargs; i++ {
		e.value(L.Get(i), 0)
	}
	L.Push(lua.LString(e.buf))
	return 1
}

func (e *mpEncoder) tick() {
	e.n++
	if e.n&0x3ff == 0 {
		e.m.guard.Charge(e.L, len(e.buf))
	}
}

func (e *mpEncoder) value(v lua.LValue, level int) {
	e.tick()
	if _, ok := v.(*lua.LTable); ok && level == maxNesting {
		v = lua.LNil
	}
	switch x := v.(type) {
	case lua.LString:
		e.bytes(string(x))
	case lua.LBool:
		if x {
			e.buf = append(e.buf, 0xc3)
		} else {
			e.buf = append(e.buf, 0xc2)
		}
	case lua.LNumber:
		f := float64(x)
		if !math.IsInf(f, 0) && float64(luaaux.ToInteger(f)) == f {
			e.int(luaaux.ToInteger(f))
		} else {
			e.double(f)
		}
	case *lua.LTable:
		t := e.m.real(x)
		if isArray(t) {
			n := t.Len()
			e.arrayHeader(n)
			for j := 1; j <= n; j++ {
				e.value(e.L.GetTable(x, lua.LNumber(j)), level+1)
			}
		} else {
			count := 0
			t.ForEach(func(_, _ lua.LValue) { count++ })
			e.mapHeader(count)
			k, val := t.Next(lua.LNil)
			for k != lua.LNil {
				e.value(k, level+1)
				e.value(val, level+1)
				k, val = t.Next(k)
			}
		}
	default:
		e.buf = append(e.buf, 0xc0)
	}
}

// isArray is table_is_an_array: keys are exactly 1..n.
func isArray(t *lua.LTable) bool {
	count, max := 0, 0.0
	k, _ := t.Next(lua.LNil)
	for k != lua.LNil {
		n, ok := k.(lua.LNumber)
		if !ok || n <= 0 || float64(int32(n)) != float64(n) {
			return false
		}
		if float64(n) > max {
			max = float64(n)
		}
		count++
		k, _ = t.Next(k)
	}
	return float64(count) == max
}

func (e *mpEncoder) bytes(s string) {
	n := len(s)
	switch {
	case n < 32:
		e.buf = append(e.buf, 0xa0|byte(n))
	case n <= 0xff:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= 0xffff:
		e.buf = append(e.buf, 0xda)
		e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(n))
	default:
		e.buf = append(e.buf, 0xdb)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
	}
	e.buf = append(e.buf, s...)
}

func (e *mpEncoder) double(d float64) {
	f := float32(d)
	if float64(f) == d {
		e.buf = append(e.buf, 0xca)
		e.buf = binary.BigEndian.AppendUint32(e.buf, math.Float32bits(f))
		return
	}
	e.buf = append(e.buf, 0xcb)
	e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(d))
}

func (e *mpEncoder) int(n int64) {
	b := e.buf
	switch {
	case n >= 0 && n <= 127:
		b = append(b, byte(n))
	case n >= 0 && n <= 0xff:
		b = append(b, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		b = binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		b = binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		b = append(b, byte(int8(n)))
	case n >= -128:
		b = append(b, 0xd0, byte(int8(n)))
	case n >= -32768:
		b = binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= -2147483648:
		b = binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
	}
	e.buf = b
}

func (e *mpEncoder) arrayHeader(n int) {
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x90|byte(n))
	case n <= 0xffff:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xdc), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdd), uint32(n))
	}
}

func (e *mpEncoder) mapHeader(n int) {
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x80|byte(n))
	case n <= 0xffff:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xde), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdf), uint32(n))
	}
}

// Decoding.

type mpErr int

const (
	mpOK mpErr = iota
	mpEOF
	mpBadFmt
)

type mpCursor struct {
	m     *msgpack
	L     *lua.LState
	p     string
	err   mpErr
	n     int
	depth int
}

func (c *mpCursor) need(n int) bool {
	if len(c.p) < n {
		c.err = mpEOF
		return false
	}
	return true
}

func (c *mpCursor) decode() lua.LValue {
	c.n++
	if c.n&0x3ff == 0 {
		c.m.guard.Check(c.L)
	}
	if !c.need(1) {
		return lua.LNil
	}
	p := c.p
	u16 := func() int { return int(binary.BigEndian.Uint16([]byte(p[1:3]))) }
	u32 := func() uint32 { return binary.BigEndian.Uint32([]byte(p[1:5])) }
	str := func(hdr, n int) lua.LValue {
		if !c.need(hdr + n) {
			return lua.LNil
		}
		s := p[hdr : hdr+n]
		c.p = p[hdr+n:]
		return lua.LString(s)
	}
	switch b := p[0]; b {
	case 0xcc:
		if !c.need(2) {
			return lua.LNil
		}
		c.p = p[2:]
		return lua.LNumber(p[1])
	case 0xd0:
		if !c.need(2) {
			return lua.LNil
		}
		c.p = p[2:]
		return lua.LNumber(int8(p[1]))
	case 0xcd:
		if !c.need(3) {
			return lua.LNil
		}
		c.p = p[3:]
		return lua.LNumber(u16())
	case 0xd1:
		if !c.need(3) {
			return lua.LNil
		}
		c.p = p[3:]
		return lua.LNumber(int16(u16()))
	case 0xce:
		if !c.need(5) {
			return lua.LNil
		}
		c.p = p[5:]
		return lua.LNumber(u32())
	case 0xd2:
		if !c.need(5) {
			return lua.LNil
		}
		c.p = p[5:]
		return lua.LNumber(int32(u32()))
	case 0xcf:
		if !c.need(9) {
			return lua.LNil
		}
		c.p = p[9:]
		return lua.LNumber(binary.BigEndian.Uint64([]byte(p[1:9])))
	case 0xd3:
		if !c.need(9) {
			return lua.LNil
		}
		c.p = p[9:]
		return lua.LNumber(int64(binary.BigEndian.Uint64([]byte(p[1:9]))))
	case 0xc0:
		c.p = p[1:]
		return lua.LNil
	case 0xc3:
		c.p = p[1:]
		return lua.LTrue
	case 0xc2:
		c.p = p[1:]
		return lua.LFalse
	case 0xca:
		if !c.need(5) {
			return lua.LNil
		}
		c.p = p[5:]
		return lua.LNumber(math.Float32frombits(u32()))
	case 0xcb:
		if !c.need(9) {
			return lua.LNil
		}
		c.p = p[9:]
		return lua.LNumber(math.Float64frombits(binary.BigEndian.Uint64([]byte(p[1:9]))))
	case 0xd9:
		if !c.need(2) {
			return lua.LNil
		}
		return str(2, int(p[1]))
	case 0xda:
		if !c.need(3) {
			return lua.LNil
		}
		return str(3, u16())
	case 0xdb:
		if !c.need(5) {
			return lua.LNil
		}
		return str(5, int(u32()))
	case 0xdc:
		if !c.need(3) {
			return lua.LNil
		}
		c.p = p[3:]
		return c.array(u16())
	case 0xdd:
		if !c.need(5) {
			return lua.LNil
		}
		c.p = p[5:]
		return c.array(int(u32()))
	case 0xde:
		if !c.need(3) {
			return lua.LNil
		}
		c.p = p[3:]
		return c.hash(u16())
	case 0xdf:
		if !c.need(5) {
			return lua.LNil
		}
		c.p = p[5:]
		return c.hash(int(u32()))
	default:
		switch {
		case b&0x80 == 0:
			c.p = p[1:]
			return lua.LNumber(b)
		case b&0xe0 == 0xe0:
			c.p = p[1:]
			return lua.LNumber(int8(b))
		case b&0xe0 == 0xa0:
			return str(1, int(b&0x1f))
		case b&0xf0 == 0x90:
			c.p = p[1:]
			return c.array(int(b & 0xf))
		case b&0xf0 == 0x80:
			c.p = p[1:]
			return c.hash(int(b & 0xf))
		}
		c.err = mpBadFmt
		return lua.LNil
	}
}

func (c *mpCursor) enter() bool {
	c.depth++
	if c.depth > 7900 {
		c.L.RaiseError("stack overflow (in function mp_decode_to_lua_array)")
	}
	return true
}

func (c *mpCursor) array(n int) lua.LValue {
	c.enter()
	defer func() { c.depth-- }()
	t := c.L.NewTable()
	for i := 1; i <= n; i++ {
		v := c.decode()
		if c.err != mpOK {
			return t
		}
		t.RawSetInt(i, v)
	}
	return t
}

func (c *mpCursor) hash(n int) lua.LValue {
	c.enter()
	defer func() { c.depth-- }()
	t := c.L.NewTable()
	for i := 0; i < n; i++ {
		k := c.decode()
		if c.err != mpOK {
			return t
		}
		v := c.decode()
		if c.err != mpOK {
			return t
		}
		if k == lua.LNil {
			c.L.RaiseError("table index is nil")
		}
		if f, ok := k.(lua.LNumber); ok && f != f {
			c.L.RaiseError("table index is NaN")
		}
		t.RawSet(k, v)
	}
	return t
}

func (m *msgpack) unpackFull(L *lua.LState, limit, offset int) int {
	s := luaaux.CheckString(L, 1)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	} else if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	c := &mpCursor{m: m, L: L, p: s[offset:]}
	var out []lua.LValue
	for cnt := 0; len(c.p) > 0 && cnt < limit; cnt++ {
		v := c.decode()
		switch c.err {
		case mpEOF:
			L.RaiseError("Missing bytes in input.")
		case mpBadFmt:
			L.RaiseError("Bad data format in input.")
		}
		if len(out)+L.GetTop() > 7990 {
			L.RaiseError("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)")
		}
		out = append(out, v)
	}
	if !decodeAll {
		next := len(s) - len(c.p)
		if len(c.p) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if decodeAll {
		return len(out)
	}
	return len(out) + 1
}

func (m *msgpack) unpackOne(L *lua.LState) int {
	offset := int(luaaux.OptInteger(L, 2, 0))
	L.SetTop(1)
	return m.unpackFull(L, 1, offset)
}

func (m *msgpack) unpackLimit(L *lua.LState) int {
	limit := int(luaaux.CheckInteger(L, 2))
	offset := int(luaaux.OptInteger(L, 3, 0))
	L.SetTop(1)
	return m.unpackFull(L, limit, offset)
}

var _ = strings.Repeat
