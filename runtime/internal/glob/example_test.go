package glob_test

import (
	"fmt"

	"github.com/fnkit/fnkit/runtime/internal/glob"
)

func ExampleMatch() {
	fmt.Println(glob.Match("lib[0-9]*", "lib1_x", false), glob.Match("A*", "abc", true), glob.Match("a?c", "abbc", false))
	// Output: true true false
}
