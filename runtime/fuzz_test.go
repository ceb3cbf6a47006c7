package runtime

import (
	"bufio"
	"bytes"
	"testing"
)

// The request parser never panics and never returns more than it read.
func FuzzReadCommand(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nPING\r\n", "PING\r\n", "set a \"b c\"\r\n", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*-1\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\n", "*1\r\n$-5\r\n", "*99999999999\r\n", "'unbalanced\r\n", "*1\r\nx\r\n", "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for i := 0; i < 100; i++ {
			argv, err := readCommand(r)
			if err != nil {
				return
			}
			total := 0
			for _, a := range argv {
				total += len(a)
			}
			if total > len(data) {
				t.Fatalf("argv of %d bytes from %d bytes of input", total, len(data))
			}
		}
	})
}

// The in-process reply parser never panics.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "$3\r\nabc\r\n", "*2\r\n:1\r\n_\r\n", "%1\r\n+a\r\n,1.5\r\n", "=7\r\ntxt:abc\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n", "$5\r\nab", "*-1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parseReply(data)
	})
}
