package library_test

import (
	"errors"
	"fmt"

	"github.com/fnkit/fnkit/library"
)

// A library's shebang is judged as FUNCTION LOAD judges it.
func ExampleNew() {
	l, err := library.New("#!lua name=mylib\nredis.register_function('f', function() return 1 end)", library.Origin{Path: "mylib.lua", Format: "lua", Offset: -1})
	fmt.Println(l.Name, l.Engine, err)
	_, err = library.New("#!lua name=my-lib\n", library.Origin{})
	fmt.Println(err)
	// Output:
	// mylib LUA <nil>
	// Library names can only contain letters, numbers, or underscores(_) and must be at least one character long
}

// Merging sets: identical code is never a conflict; different code under
// one name is, unless the policy picks a side.
func ExampleMerge() {
	v1, _ := library.New("#!lua name=rl\nredis.register_function('a', function() return 1 end)", library.Origin{Path: "backup.rdb", Format: "rdb", Offset: 80})
	v2, _ := library.New("#!lua name=rl\nredis.register_function('a', function() return 2 end)", library.Origin{Path: "rl.lua", Format: "lua", Offset: -1})
	_, err := library.Merge(library.PolicyFail, library.NewSet(v1), library.NewSet(v2))
	fmt.Println(errors.Is(err, library.ErrConflict))
	merged, _ := library.Merge(library.PolicyReplace, library.NewSet(v1), library.NewSet(v2))
	l, _ := merged.Get("rl")
	fmt.Println(l.Origin)
	// Output:
	// true
	// rl.lua
}

// Compare lists what changed between two sets.
func ExampleCompare() {
	a, _ := library.New("#!lua name=x\nredis.register_function('f', function() return 1 end)", library.Origin{})
	b, _ := library.New("#!lua name=y\nredis.register_function('g', function() return 1 end)", library.Origin{})
	d := library.Compare(library.NewSet(a), library.NewSet(b))
	fmt.Println(len(d.Added), len(d.Removed), len(d.Changed))
	// Output:
	// 1 1 0
}

// An EVAL script's shebang declares its flags; Redis's errors otherwise.
func ExampleParseScriptShebang() {
	sb, err := library.ParseScriptShebang("#!lua flags=no-writes,allow-oom\nreturn redis.call('GET', KEYS[1])")
	fmt.Println(sb.Present, sb.Flags, err)
	_, err = library.ParseScriptShebang("#!lua flags=read-only\nreturn 1")
	fmt.Println(err)
	// Output:
	// true [no-writes allow-oom] <nil>
	// Unexpected flag in script shebang: read-only
}
