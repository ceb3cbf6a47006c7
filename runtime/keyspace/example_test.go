package keyspace_test

import (
	"fmt"

	"github.com/fnkit/fnkit/runtime/keyspace"
)

// Commands are dispatched in-process; replies are RESP bytes in the
// client's protocol.
func Example() {
	ks, err := keyspace.New(16)
	if err != nil {
		panic(err)
	}
	defer ks.Close()
	c := ks.NewClient()
	fmt.Printf("%q\n", c.Do([]string{"HSET", "h", "f", "v"}))
	fmt.Printf("%q\n", c.Do([]string{"HGETALL", "h"}))
	c.SetProtocol(true)
	fmt.Printf("%q\n", c.Do([]string{"HGETALL", "h"}))
	c.Select(1)
	fmt.Printf("%q %d\n", c.Do([]string{"EXISTS", "h"}), ks.DBSize(0))
	// Output:
	// ":1\r\n"
	// "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
	// "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
	// ":0\r\n" 1
}
