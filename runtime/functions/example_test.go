package functions_test

import (
	"context"
	"fmt"

	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/luaengine"
)

// The registry applies FUNCTION LOAD's rules with an engine; here the Lua
// engine.
func ExampleRegistry() {
	eng := luaengine.New(luaengine.Options{})
	defer eng.Close()
	reg := functions.NewRegistry(eng)
	ctx := context.Background()
	name, err := reg.Load(ctx, "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function() return 1 end, flags={'no-writes'}}", false, 0)
	fmt.Println(name, err)
	_, err = reg.Load(ctx, "#!lua name=lib2\nredis.register_function('F1', function() return 2 end)", false, 0)
	fmt.Println(err)
	f, _ := reg.Current().Function("F1")
	fmt.Println(f.Name, f.Flags, f.Library.Name)
	// Output:
	// lib1 <nil>
	// Function F1 already exists
	// f1 no-writes lib1
}
