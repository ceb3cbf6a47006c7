package sds_test

import (
	"fmt"

	"github.com/fnkit/fnkit/internal/sds"
)

// SplitArgs tokenizes like redis.conf and shebang lines.
func ExampleSplitArgs() {
	args, ok := sds.SplitArgs(`#!lua name=mylib "quoted\x41" 'single'`)
	fmt.Printf("%q %v\n", args, ok)
	_, ok = sds.SplitArgs(`"unbalanced`)
	fmt.Println(ok)
	// Output:
	// ["#!lua" "name=mylib" "quotedA" "single"] true
	// false
}

// AppendRepr quotes as redis-cli prints a bulk string; ParseRepr undoes it.
func ExampleAppendRepr() {
	q := sds.AppendRepr(nil, "a\"b\n\xf5")
	fmt.Println(string(q))
	back, ok := sds.ParseRepr(q)
	fmt.Printf("%q %v\n", back, ok)
	// Output:
	// "a\"b\n\xf5"
	// "a\"b\n\xf5" true
}
