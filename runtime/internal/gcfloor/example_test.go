package gcfloor_test

import (
	"fmt"

	"github.com/fnkit/fnkit/runtime/internal/gcfloor"
)

func Example() {
	gcfloor.Acquire()
	gcfloor.Acquire()
	fmt.Println(gcfloor.Size() == gcfloor.Bytes)
	gcfloor.Release()
	fmt.Println(gcfloor.Size() == gcfloor.Bytes)
	gcfloor.Release()
	fmt.Println(gcfloor.Size())
	gcfloor.Release() // unbalanced: ignored
	fmt.Println(gcfloor.Size())
	// Output:
	// true
	// true
	// 0
	// 0
}
