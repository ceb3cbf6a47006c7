package luaengine_test

import (
	"context"
	"fmt"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/luaengine"
)

// noKeyspace answers every redis.call with an error.
type noKeyspace struct{}

func (noKeyspace) Call(argv []string, resp3 bool) resp.Value { return resp.Err("ERR no keyspace") }
func (noKeyspace) ACLCheck(argv []string) (bool, error)      { return true, nil }
func (noKeyspace) Log(level int, msg string)                 {}

// The engine alone: create a library, call its function, see Redis's
// error format.
func ExampleEngine() {
	eng := luaengine.New(luaengine.Options{})
	defer eng.Close()
	lib := functions.NewLibrary("demo", eng, "")
	err := eng.Create(context.Background(), lib, "\nredis.register_function('f', function(keys, args) if args[1] == 'fail' then error('boom') end return {1, 'two', {ok='THREE'}} end)", 0)
	fmt.Println(err)
	f, _ := lib.Function("f")
	run := &functions.Run{Host: noKeyspace{}}
	fmt.Println(eng.Call(run, f, nil, []string{"go"}))
	fmt.Println(eng.Call(run, f, nil, []string{"fail"}))
	// Output:
	// <nil>
	// [(integer) 1 "two" THREE]
	// (error) ERR user_function:2: boom script: f, on @user_function:2.
}
