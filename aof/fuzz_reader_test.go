package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
)

// trace reads data and describes every command and the final error, so two
// readings can be compared.
func trace(data []byte, bufSize int) (string, error) {
	r := NewReader(bytes.NewReader(data), ReaderOptions{Name: "f", KeepAll: true, Annotations: true, BufferSize: bufSize})
	var b bytes.Buffer
	last := int64(0)
	for {
		c, err := r.Next()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		if c.Offset != last || c.End <= c.Offset || c.End > int64(len(data)) {
			return "", fmt.Errorf("bad position %d..%d after %d", c.Offset, c.End, last)
		}
		last = c.End
		fmt.Fprintf(&b, "%d-%d %d %d %q %q|", c.Offset, c.End, c.Index, c.Time, c.Annotation, c.Args)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("#TS:1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n"))
	f.Add([]byte("*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nPI"))
	f.Add(resp.AppendCommand(nil, "FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)"))
	for _, p := range []string{"redis-7.0.15/aof-multi-incr/appendonly.aof.2.incr.aof", "redis-7.0.15/corrupt-aof-truncated/appendonly.aof.2.incr.aof"} {
		if data, err := os.ReadFile(filepath.Join(fixtures.Root(), p)); err == nil {
			f.Add(data[:min(len(data), 4096)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := trace(data, 4096)
		// The buffer size never changes what is read.
		got, gotErr := trace(data, 2048)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("buffer size changes the result:\n%s %v\n%s %v", want, wantErr, got, gotErr)
		}
		if wantErr == nil {
			return
		}
		var e *Error
		if !errors.As(wantErr, &e) || !(errors.Is(wantErr, ErrTruncated) || errors.Is(wantErr, ErrCorrupt)) {
			t.Fatalf("error is not an *Error with a sentinel: %v", wantErr)
		}
		if e.ValidUpTo < 0 || e.ValidUpTo > int64(len(data)) || e.Offset < e.ValidUpTo || e.Offset > int64(len(data)) {
			t.Fatalf("offsets out of range: %+v (len %d)", e, len(data))
		}
		// Cutting at ValidUpTo (what repair does) leaves a file that reads
		// cleanly.
		if _, err := trace(data[:e.ValidUpTo], 4096); err != nil {
			t.Fatalf("cut at %d still fails: %v (first error %v)", e.ValidUpTo, err, wantErr)
		}
	})
}
