package resp_test

import (
	"bytes"
	"fmt"

	"github.com/fnkit/fnkit/resp"
)

// A command as clients send it and AOF files store it, and a reply read back
// in RESP2 form.
func Example() {
	cmd := resp.AppendCommand(nil, "FCALL", "lb_top", "1", "lb:global")
	fmt.Printf("%q\n", cmd)

	reply := resp.Append(nil, resp.Arr(resp.Bulk("alice"), resp.Int(42)), false)
	v, err := resp.NewReader(bytes.NewReader(reply)).ReadValue()
	fmt.Println(v, err)
	// Output:
	// "*4\r\n$5\r\nFCALL\r\n$6\r\nlb_top\r\n$1\r\n1\r\n$9\r\nlb:global\r\n"
	// ["alice" (integer) 42] <nil>
}
