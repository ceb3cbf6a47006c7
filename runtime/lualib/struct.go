package lualib

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/internal/luaaux"
)

// OpenStruct returns the struct module as Redis bundles it (struct.c
// 1.7 with Redis's fixes): pack, unpack and size, for a little-endian
// 64-bit host (long and size_t are 8 bytes, int 4).
func OpenStruct(L *lua.LState) *lua.LTable {
	return newModule(L, map[string]lua.LGFunction{
		"pack":   structPack,
		"unpack": structUnpack,
		"size":   structSize,
	})
}

const (
	maxIntSize = 32
	maxAlign   = 8
	bigEndian  = 0
	littleEnd  = 1
)

type stHeader struct {
	endian int
	align  int
}

type stFormat struct {
	L   *lua.LState
	fmt string
	i   int
}

func (f *stFormat) peek() byte {
	if f.i < len(f.fmt) {
		return f.fmt[f.i]
	}
	return 0
}

func (f *stFormat) getnum(df int) int {
	if !isDigit(f.peek()) {
		return df
	}
	a := 0
	for isDigit(f.peek()) {
		d := int(f.peek() - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			f.L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		f.i++
	}
	return a
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (f *stFormat) optsize(opt byte) int {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'x':
		return 1
	case 'c':
		return f.getnum(1)
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > maxIntSize {
			f.L.RaiseError("integral size %d is larger than limit of %d", sz, maxIntSize)
		}
		return sz
	}
	return 0
}

func gettoalign(n int, h *stHeader, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

func (f *stFormat) control(opt byte, h *stHeader) {
	switch opt {
	case ' ':
	case '>':
		h.endian = bigEndian
	case '<':
		h.endian = littleEnd
	case '!':
		a := f.getnum(maxAlign)
		if a <= 0 || a&(a-1) != 0 {
			f.L.RaiseError("alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		luaaux.ArgError(f.L, 1, "invalid format option '"+string([]byte{opt})+"'")
	}
}

func putInteger(b *strings.Builder, n float64, endian, size int) {
	var value uint64
	if n < 0 {
		value = uint64(luaaux.ToInteger(n))
	} else if n >= 9.223372036854775807e18 && n < 1.8446744073709552e19 {
		value = uint64(n)
	} else {
		value = uint64(luaaux.ToInteger(n))
	}
	buf := make([]byte, size)
	if endian == littleEnd {
		for i := 0; i < size; i++ {
			buf[i] = byte(value)
			value >>= 8
		}
	} else {
		for i := size - 1; i >= 0; i-- {
			buf[i] = byte(value)
			value >>= 8
		}
	}
	b.Write(buf)
}

func structPack(L *lua.LState) int {
	f := &stFormat{L: L, fmt: luaaux.CheckString(L, 1)}
	h := stHeader{endian: littleEnd, align: 1}
	arg := 2
	total := 0
	var b strings.Builder
	for f.i < len(f.fmt) && f.fmt[f.i] != 0 {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		toalign := gettoalign(total, &h, opt, size)
		total += toalign
		for ; toalign > 0; toalign-- {
			b.WriteByte(0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			putInteger(&b, luaaux.CheckNumber(L, arg), h.endian, size)
			arg++
		case 'x':
			b.WriteByte(0)
		case 'f':
			v := float32(luaaux.CheckNumber(L, arg))
			arg++
			var buf [4]byte
			if h.endian == littleEnd {
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			} else {
				binary.BigEndian.PutUint32(buf[:], math.Float32bits(v))
			}
			b.Write(buf[:])
		case 'd':
			v := luaaux.CheckNumber(L, arg)
			arg++
			var buf [8]byte
			if h.endian == littleEnd {
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			} else {
				binary.BigEndian.PutUint64(buf[:], math.Float64bits(v))
			}
			b.Write(buf[:])
		case 'c', 's':
			s := luaaux.CheckString(L, arg)
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				luaaux.ArgError(L, arg, "string too short")
			}
			b.WriteString(s[:size])
			if opt == 's' {
				b.WriteByte(0)
				size++
			}
		default:
			f.control(opt, &h)
		}
		total += size
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func getInteger(data string, endian int, signed bool, size int) float64 {
	var l uint64
	if endian == bigEndian {
		for i := 0; i < size; i++ {
			l = l<<8 | uint64(data[i])
		}
	} else {
		for i := size - 1; i >= 0; i-- {
			l = l<<8 | uint64(data[i])
		}
	}
	if !signed {
		return float64(l)
	}
	shift := uint(size*8-1) & 63
	mask := ^uint64(0) << shift
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	f := &stFormat{L: L, fmt: luaaux.CheckString(L, 1)}
	data := luaaux.CheckString(L, 2)
	ld := len(data)
	pos := luaaux.OptInteger(L, 3, 1) - 1
	if pos < 0 || pos > int64(ld) {
		luaaux.ArgError(L, 3, "offset must be 1 or greater")
	}
	p := int(pos)
	h := stHeader{endian: littleEnd, align: 1}
	var out []lua.LValue
	for f.i < len(f.fmt) && f.fmt[f.i] != 0 {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		p += gettoalign(p, &h, opt, size)
		if !(size <= ld && p <= ld-size) {
			luaaux.ArgError(L, 2, "data string too short")
		}
		if len(out)+L.GetTop() > 7990 {
			L.RaiseError("stack overflow (too many results)")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a' && opt <= 'z'
			out = append(out, lua.LNumber(getInteger(data[p:], h.endian, signed, size)))
		case 'x':
		case 'f':
			var bits uint32
			if h.endian == littleEnd {
				bits = binary.LittleEndian.Uint32([]byte(data[p : p+4]))
			} else {
				bits = binary.BigEndian.Uint32([]byte(data[p : p+4]))
			}
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case 'd':
			var bits uint64
			if h.endian == littleEnd {
				bits = binary.LittleEndian.Uint64([]byte(data[p : p+8]))
			} else {
				bits = binary.BigEndian.Uint64([]byte(data[p : p+8]))
			}
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case 'c':
			if size == 0 {
				if len(out) == 0 {
					L.RaiseError("format 'c0' needs a previous size")
				}
				n, ok := luaaux.ToNumber(out[len(out)-1])
				if !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				out = out[:len(out)-1]
				if n < 0 || n > float64(ld) {
					luaaux.ArgError(L, 2, "data string too short")
				}
				size = int(n)
				if !(p <= ld-size) {
					luaaux.ArgError(L, 2, "data string too short")
				}
			}
			out = append(out, lua.LString(data[p:p+size]))
		case 's':
			e := strings.IndexByte(data[p:], 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e + 1
			out = append(out, lua.LString(data[p:p+e]))
		default:
			f.control(opt, &h)
		}
		p += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(p + 1))
	return len(out) + 1
}

func structSize(L *lua.LState) int {
	f := &stFormat{L: L, fmt: luaaux.CheckString(L, 1)}
	h := stHeader{endian: littleEnd, align: 1}
	pos := 0
	for f.i < len(f.fmt) && f.fmt[f.i] != 0 {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		pos += gettoalign(pos, &h, opt, size)
		if opt == 's' {
			luaaux.ArgError(L, 1, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			luaaux.ArgError(L, 1, "option 'c0' has no fixed size")
		}
		if !(isDigit(opt) || opt >= 'a' && opt <= 'z' || opt >= 'A' && opt <= 'Z') {
			f.control(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
