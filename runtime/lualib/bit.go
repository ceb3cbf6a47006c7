package lualib

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/internal/luaaux"
)

// OpenBit returns the bit module (LuaBitOp 1.0.2): tobit, tohex, bnot, band,
// bor, bxor, lshift, rshift, arshift, rol, ror, bswap. Numbers are reduced
// to 32 bits as LuaBitOp does (adding 2^52+2^51, so fractions round to
// nearest even), results are signed 32-bit numbers.
func OpenBit(L *lua.LState) *lua.LTable {
	return newModule(L, map[string]lua.LGFunction{
		"tobit":   bitUnary(func(x int32) int32 { return x }),
		"bnot":    bitUnary(func(x int32) int32 { return ^x }),
		"bswap":   bitUnary(func(x int32) int32 { u := uint32(x); return int32(u>>24 | u>>8&0xff00 | u<<8&0xff0000 | u<<24) }),
		"band":    bitFold(func(a, b int32) int32 { return a & b }),
		"bor":     bitFold(func(a, b int32) int32 { return a | b }),
		"bxor":    bitFold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  bitShift(func(x uint32, n uint) uint32 { return x << n }),
		"rshift":  bitShift(func(x uint32, n uint) uint32 { return x >> n }),
		"arshift": bitShift(func(x uint32, n uint) uint32 { return uint32(int32(x) >> n) }),
		"rol":     bitShift(func(x uint32, n uint) uint32 { return x<<n | x>>((32-n)&31) }),
		"ror":     bitShift(func(x uint32, n uint) uint32 { return x>>n | x<<((32-n)&31) }),
		"tohex":   bitToHex,
	})
}

// barg is barg(): the argument's low 32 bits after the 2^52+2^51 trick.
func barg(L *lua.LState, n int) int32 {
	x := luaaux.CheckNumber(L, n)
	v := x + 6755399441055744.0
	return int32(uint32(math.Float64bits(v)))
}

func bitUnary(f func(int32) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		L.Push(lua.LNumber(f(barg(L, 1))))
		return 1
	}
}

func bitFold(f func(a, b int32) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := barg(L, 1)
		for i := L.GetTop(); i > 1; i-- {
			b = f(b, barg(L, i))
		}
		L.Push(lua.LNumber(b))
		return 1
	}
}

func bitShift(f func(x uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		x := uint32(barg(L, 1))
		n := uint(uint32(barg(L, 2)) & 31)
		L.Push(lua.LNumber(int32(f(x, n))))
		return 1
	}
}

func bitToHex(L *lua.LState) int {
	b := uint32(barg(L, 1))
	n := int32(8)
	if L.GetTop() >= 2 {
		n = barg(L, 2)
	}
	hexdigits := "0123456789abcdef"
	if n < 0 {
		n = -n
		hexdigits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	var sb strings.Builder
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = hexdigits[b&15]
		b >>= 4
	}
	sb.Write(buf)
	L.Push(lua.LString(sb.String()))
	return 1
}
