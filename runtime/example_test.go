package runtime_test

import (
	"fmt"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/runtime"
)

// A server for a test: load a library, call it in-process (Do) or over TCP
// (Start and Addr give a real address for any Redis client).
func Example() {
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	fmt.Println(srv.Do("FUNCTION", "LOAD", "#!lua name=greet\nredis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)"))
	fmt.Println(srv.Do("FCALL", "hello", "0", "world"))
	fmt.Println(srv.Do("FCALL", "nope", "0"))
	// Output:
	// "greet"
	// "hello world"
	// (error) ERR Function not found
}

// Verify reports what FUNCTION LOAD would say about each library.
func ExampleVerify() {
	lib, _ := libraryFromCode("#!lua name=broken\nredis.register_function('f', 42)")
	for _, r := range runtime.Verify(lib, runtime.VerifyOptions{}) {
		fmt.Printf("%s: %s\n", r.Library.Name, r.Error)
	}
	// Output:
	// broken: Error registering functions: ERR second argument to redis.register_function must be a function
}

// A server with the libraries and the keyspace of an AOF directory, as a
// Redis server would load it.
func ExampleServer_LoadAOF() {
	dir := fixtures.Path("redis-7.0.15", "aof-multi-incr")
	a, err := aof.Open(dir)
	if err != nil {
		panic(err)
	}
	replay, err := a.Replay(aof.ReplayOptions{})
	if err != nil {
		panic(err)
	}
	srv, err := runtime.New(runtime.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	if err := srv.LoadLibraries(replay.Libraries); err != nil {
		panic(err)
	}
	st, err := srv.LoadAOF(dir, runtime.AOFLoadOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("keys per database:", st.Keys)
	fmt.Println(srv.Do("SELECT", "3"))
	fmt.Println(srv.Do("GET", "db3:key"))
	// Output:
	// keys per database: map[0:17 3:3]
	// OK
	// "in-db-3"
}
