package gcfloor_test

import (
	"fmt"
	"runtime"

	"github.com/fnkit/fnkit/runtime/internal/gcfloor"
)

func Example() {
	gcfloor.Acquire()
	gcfloor.Acquire()
	fmt.Println(gcfloor.Size() == gcfloor.Bytes)
	gcfloor.Release()
	fmt.Println(gcfloor.Size() == gcfloor.Bytes)
	gcfloor.Release()
	fmt.Println(gcfloor.Size() == gcfloor.Bytes) // released, not yet collected
	runtime.GC()
	fmt.Println(gcfloor.Size())
	gcfloor.Release() // unbalanced: ignored
	fmt.Println(gcfloor.Size())
	// Output:
	// true
	// true
	// true
	// 0
	// 0
}
