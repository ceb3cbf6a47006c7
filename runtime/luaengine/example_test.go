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

// A scripts engine runs EVAL scripts: KEYS and ARGV are globals, errors
// name the script's SHA1 and @user_script.
func ExampleNewScripts() {
	funcs := luaengine.New(luaengine.Options{})
	defer funcs.Close()
	eng := luaengine.NewScripts(luaengine.Options{}, funcs) // shares math.random with funcs
	defer eng.Close()
	s, err := eng.CompileScript("return {KEYS[1], ARGV[1], redis.replicate_commands()}")
	fmt.Println(err)
	run := &functions.Run{Host: noKeyspace{}}
	fmt.Println(eng.RunScript(run, s, "sha", []string{"k"}, []string{"a"}))
	bad, _ := eng.CompileScript("\nerror('boom')")
	fmt.Println(eng.RunScript(run, bad, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", nil, nil))
	_, err = eng.CompileScript("return 1 +")
	fmt.Println(err)
	// Output:
	// <nil>
	// ["k" "a" (integer) 1]
	// (error) ERR user_script:2: boom script: e3b0c44298fc1c149afbf4c8996fb92427ae41e4, on @user_script:2.
	// user_script:1: unexpected symbol near '<eof>'
}
