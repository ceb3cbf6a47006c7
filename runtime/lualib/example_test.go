package lualib_test

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/lualib"
)

// The libraries in a plain gopher-lua state.
func Example() {
	L := lua.NewState()
	defer L.Close()
	cj, _ := lualib.OpenCjson(L, lualib.CjsonOptions{})
	L.SetGlobal("cjson", cj)
	L.SetGlobal("bit", lualib.OpenBit(L))
	L.SetGlobal("struct", lualib.OpenStruct(L))
	L.SetGlobal("cmsgpack", lualib.OpenCmsgpack(L, nil, nil))
	err := L.DoString(`
		print(cjson.encode({1, 2, "three"}))
		print(cjson.decode('{"a":[true]}').a[1])
		print(bit.tohex(bit.bxor(0xff, 0x0f)))
		print(#struct.pack(">i4", 7), struct.unpack(">i4", struct.pack(">i4", 7)))
		print(cmsgpack.unpack(cmsgpack.pack({1, 2})) [2])
	`)
	fmt.Println(err)
	// Output:
	// [1,2,"three"]
	// true
	// 000000f0
	// 4	7	5
	// 2
	// <nil>
}
