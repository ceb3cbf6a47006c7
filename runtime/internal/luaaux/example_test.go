package luaaux_test

import (
	"fmt"

	"github.com/fnkit/fnkit/runtime/internal/luaaux"
)

func ExampleFmtNumber() {
	fmt.Println(luaaux.FmtNumber(0.1+0.2), luaaux.FmtNumber(1e15), luaaux.FmtNumber(42))
	// Output: 0.3 1e+15 42
}
