package rdbfmt

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"testing"
	"testing/iotest"
)

// checkValues reads data with ReaderOptions.Values through src and checks
// that every key record's Value is the file's bytes from ValueOffset to
// End, and that the records and the outcome are those of a reader without
// Values. It returns the number of key records.
func checkValues(t *testing.T, label string, data []byte, src io.Reader) int {
	t.Helper()
	plain := NewReader(bytes.NewReader(data), ReaderOptions{})
	rd := NewReader(src, ReaderOptions{Values: true})
	keys := 0
	for {
		want, werr := plain.Next()
		var wantEnd int64
		if want != nil {
			wantEnd = want.End
		}
		rec, err := rd.Next()
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%s: error %v, without Values %v", label, err, werr)
		}
		if err != nil {
			return keys
		}
		if rec.End != wantEnd || rec.Kind != want.Kind {
			t.Fatalf("%s: record %v at %d ends at %d, without Values %v at %d", label, rec.Kind, rec.Offset, rec.End, want.Kind, wantEnd)
		}
		if rec.Kind != KindKey {
			if rec.Value != nil {
				t.Fatalf("%s: %v record at %d has a Value", label, rec.Kind, rec.Offset)
			}
			continue
		}
		keys++
		if !bytes.Equal(rec.Value, data[rec.ValueOffset:rec.End]) {
			t.Fatalf("%s: key %q at %d: Value has %d bytes, not the file's %d from %d", label, rec.Key, rec.Offset, len(rec.Value), rec.End-rec.ValueOffset, rec.ValueOffset)
		}
	}
}

// Record.Value holds each key's stored value byte for byte, for every RDB
// fixture of every server, however the input arrives.
func TestReaderValuesFixtures(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data-err": iotest.DataErrReader,
	}
	total := 0
	for _, fx := range rdbFixtures(t) {
		data, err := os.ReadFile(fx.path)
		if err != nil {
			t.Fatal(err)
		}
		for name, wrap := range wraps {
			n := checkValues(t, fx.server+"/"+fx.name+" "+name, data, wrap(bytes.NewReader(data)))
			if name == "whole" {
				total += n
			}
		}
	}
	if total == 0 {
		t.Fatal("no key records in the fixtures")
	}
	t.Logf("%d key values compared", total)
}

// Values larger than the reader's buffer (assembled while the buffer is
// refilled and skipped through) and values that end exactly at a refill.
func TestReaderValuesLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var buf bytes.Buffer
	w, err := NewWriter(&buf, WriterOptions{Version: 10})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteRaw([]byte{OpSelectDB, 0})
	for i, size := range []int{1, readMin - 20, readMin, 3*readMax + 17, 5, readMax, 2*readMax - 3, 40} {
		v := make([]byte, size)
		rng.Read(v)
		rec := append([]byte{TypeString}, AppendString(nil, []byte{'k', byte('a' + i)}, false)...)
		rec = AppendString(rec, v, false)
		// a list too, whose value is many strings
		rec = append(rec, TypeList)
		rec = AppendString(rec, []byte{'l', byte('a' + i)}, false)
		rec = AppendListValue(rec, [][]byte{v, v[:size/2], []byte("x")}, false)
		w.WriteRaw(rec)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for name, src := range map[string]io.Reader{
		"whole": bytes.NewReader(data),
		"half":  iotest.HalfReader(bytes.NewReader(data)),
		"odd":   &oddReader{data: data, sizes: []int{1, 7, readMin + 3, 3 * readMax, 2}},
	} {
		if n := checkValues(t, name, data, src); n != 16 {
			t.Errorf("%s: %d key records, want 16", name, n)
		}
	}
}

// oddReader returns data in reads of the sizes given, in turn.
type oddReader struct {
	data  []byte
	sizes []int
	i     int
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(o.data), o.sizes[o.i%len(o.sizes)])
	o.i++
	copy(p, o.data[:n])
	o.data = o.data[n:]
	return n, nil
}

// A value cut short gives the same error with or without Values, and no
// Value.
func TestReaderValuesTruncated(t *testing.T) {
	data, err := os.ReadFile(rdbFixtures(t)[0].path)
	if err != nil {
		t.Fatal(err)
	}
	rd := NewReader(bytes.NewReader(data), ReaderOptions{})
	var cuts []int64
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		if rec.Kind == KindKey && rec.End-rec.ValueOffset > 2 {
			cuts = append(cuts, rec.ValueOffset+1, rec.End-1)
		}
	}
	if len(cuts) == 0 {
		t.Fatal("no key records")
	}
	for _, cut := range cuts {
		part := data[:cut]
		checkValues(t, "cut", part, bytes.NewReader(part))
		rd := NewReader(bytes.NewReader(part), ReaderOptions{Values: true})
		for {
			_, err := rd.Next()
			if err != nil {
				if !errors.Is(err, ErrTruncated) {
					t.Errorf("cut at %d: %v, want ErrTruncated", cut, err)
				}
				break
			}
		}
	}
}

// BenchmarkReaderValues reads every record with NewReader and Next, with
// and without ReaderOptions.Values, to show what returning the values
// costs.
func BenchmarkReaderValues(b *testing.B) {
	for _, values := range []bool{false, true} {
		name := "off"
		if values {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			benchShapes(b, func(data []byte) error {
				rd := NewReader(bytes.NewReader(data), ReaderOptions{Values: values})
				for {
					rec, err := rd.Next()
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return err
					}
					if values && rec.Kind == KindKey && int64(len(rec.Value)) != rec.End-rec.ValueOffset {
						return errors.New("wrong value size")
					}
				}
			})
		})
	}
}

// With ReaderOptions.Values, any input gives the records and the error it
// gives without, and each Value is the input's bytes of that value.
func FuzzReaderValues(f *testing.F) {
	for _, fx := range rdbFixtures(f) {
		// small inputs: the fuzzer is slow with large ones
		if data, err := os.ReadFile(fx.path); err == nil {
			f.Add(data[:min(len(data), 3<<10)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkValues(t, "fuzz", data, bytes.NewReader(data))
		checkValues(t, "fuzz half", data, iotest.HalfReader(bytes.NewReader(data)))
	})
}

// A skipped LZF string whose lengths cannot match (more than LZF can
// expand) is corrupt, as a read one is: a decoder of the value would
// allocate the stated length.
func TestReaderSkippedLZFLengths(t *testing.T) {
	for _, c := range []struct {
		clen, ulen uint64
		ok         bool
	}{{3, 200, true}, {3, 1000, false}, {0, 1 << 33, false}, {40, 30, false}} {
		rdb := append([]byte("REDIS0010"), TypeList)
		rdb = AppendString(rdb, []byte("k"), false)
		rdb = append(AppendLength(rdb, 1), 0xC3) // one LZF string
		rdb = AppendLength(AppendLength(rdb, c.clen), c.ulen)
		rdb = append(rdb, make([]byte, c.clen)...)
		rdb = append(rdb, OpEOF, 0, 0, 0, 0, 0, 0, 0, 0)
		_, err := NewReader(bytes.NewReader(rdb), ReaderOptions{}).Next()
		if c.ok && err != nil || !c.ok && !errors.Is(err, ErrCorrupt) {
			t.Errorf("LZF %d -> %d bytes: %v", c.clen, c.ulen, err)
		}
	}
}
