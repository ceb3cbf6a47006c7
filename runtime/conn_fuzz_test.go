package runtime

import (
	"bufio"
	"bytes"
	"slices"
	"testing"
)

// FuzzParseBuffered: whenever the in-buffer fast path parses a request, the
// reading parser gives the same arguments and leaves the same input.
func FuzzParseBuffered(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nPING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\n",
		"*1\r\n$-5\r\n", "*99999999999\r\n", "*1\r\n$03\r\nabc\r\n", "*1\r\n$3\r\nabcXY", "*0\r\n", "*2\r\n$0\r\n\r\n$0\r\n\r\n",
		"PING\r\n", "*1\r\n$3\nabc\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
		fast.Peek(len(data))
		argv, ok := parseBuffered(fast)
		if !ok {
			return
		}
		slow := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
		want, err := readCommandSlow(slow)
		if err != nil || !slices.Equal(argv, want) {
			t.Fatalf("%q: fast %q, slow %q %v", data, argv, want, err)
		}
		if fast.Buffered() != slow.Buffered() {
			t.Fatalf("%q: fast left %d bytes, slow %d", data, fast.Buffered(), slow.Buffered())
		}
	})
}
