package aof

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"github.com/fnkit/fnkit/resp"
)

// benchAOF builds about size bytes of typical AOF traffic: SET and HSET with
// small values, an occasional large value, a MULTI block and a FUNCTION LOAD.
func benchAOF(size int) []byte {
	var b []byte
	b = resp.AppendCommand(b, "SELECT", "0")
	big := string(bytes.Repeat([]byte("v"), 64<<10))
	for i := 0; len(b) < size; i++ {
		k := "key:" + strconv.Itoa(i)
		switch {
		case i%5000 == 0:
			b = resp.AppendCommand(b, "FUNCTION", "LOAD", "REPLACE", "#!lua name=lib\nredis.register_function('f', function() return "+strconv.Itoa(i)+" end)")
		case i%1000 == 0:
			b = resp.AppendCommand(b, "SET", k, big)
		case i%100 == 0:
			b = resp.AppendCommand(b, "MULTI")
			b = resp.AppendCommand(b, "INCR", "counter")
			b = resp.AppendCommand(b, "EXEC")
		case i%2 == 0:
			b = resp.AppendCommand(b, "SET", k, "value-of-moderate-size-"+strconv.Itoa(i))
		default:
			b = resp.AppendCommand(b, "HSET", "h:"+strconv.Itoa(i%97), "field"+strconv.Itoa(i), "1234567890")
		}
	}
	return b
}

func BenchmarkReader(b *testing.B) {
	data := benchAOF(64 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), ReaderOptions{Name: "bench"})
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
