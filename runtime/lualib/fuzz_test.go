package lualib

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func fuzzState(t testing.TB) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	cj, _ := OpenCjson(L, CjsonOptions{})
	L.SetGlobal("cjson", cj)
	L.SetGlobal("cmsgpack", OpenCmsgpack(L, nil, nil))
	L.SetGlobal("struct", OpenStruct(L))
	return L
}

// call runs fn(args...) in protected mode; a Lua error is fine, a Go panic
// is not.
func call(t *testing.T, L *lua.LState, fn string, args ...lua.LValue) {
	mod, name, _ := strings.Cut(fn, ".")
	f := L.GetField(L.GetGlobal(mod), name)
	L.Push(f)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		if ae, ok := err.(*lua.ApiError); ok && ae.Type == lua.ApiErrorPanic {
			t.Fatalf("%s: Go panic: %v", fn, err)
		}
	}
	L.SetTop(0)
}

func FuzzCjsonDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u00e9\ud83d\ude00"`, `[1,]`, `0x10`, `-Infinity`, `{"a" 1}`, `[[[[`, `"\x`} {
		f.Add(s)
	}
	L := fuzzState(f)
	f.Cleanup(L.Close)
	f.Fuzz(func(t *testing.T, s string) {
		call(t, L, "cjson.decode", lua.LString(s))
	})
}

func FuzzCmsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x93\x01\x02\x03", "\x81\xa1a\x01", "\xcd\x01", "\xc1", "\xdd\xff\xff\xff\xff", "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"} {
		f.Add(s)
	}
	L := fuzzState(f)
	f.Cleanup(L.Close)
	f.Fuzz(func(t *testing.T, s string) {
		call(t, L, "cmsgpack.unpack", lua.LString(s))
		call(t, L, "cmsgpack.unpack_one", lua.LString(s), lua.LNumber(1))
		call(t, L, "cmsgpack.unpack_limit", lua.LString(s), lua.LNumber(2), lua.LNumber(0))
	})
}

func FuzzStruct(f *testing.F) {
	for _, p := range [][2]string{{">i4", "\x00\x00\x00\x07"}, {"<hBc0", "\x01\x00\x02ab"}, {"s", "abc\x00"}, {"!8bd", "x\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"}, {"i33", ""}, {"c99999999999", "x"}} {
		f.Add(p[0], p[1])
	}
	L := fuzzState(f)
	f.Cleanup(L.Close)
	f.Fuzz(func(t *testing.T, format, data string) {
		call(t, L, "struct.unpack", lua.LString(format), lua.LString(data))
		call(t, L, "struct.size", lua.LString(format))
		call(t, L, "struct.pack", lua.LString(format), lua.LNumber(1), lua.LString(data), lua.LNumber(2))
	})
}
