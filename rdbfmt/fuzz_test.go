package rdbfmt

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/fnkit/fnkit/fixtures"
)

// FuzzReader feeds arbitrary bytes to the Reader, ReadInfo (both modes)
// and Rewrite: they must never panic, every error must be an *Error
// wrapping a sentinel, record spans must tile the input, and a file the
// Reader accepts must survive an identity Rewrite.
func FuzzReader(f *testing.F) {
	for _, srv := range fixtures.Servers {
		for _, name := range []string{"rdb-functions-only.rdb", "rdb-cli-functions.rdb", "rdb-functions-keyspace.rdb", "rdb-keyspace-only.rdb"} {
			if data, err := os.ReadFile(fixtures.Path(srv, name)); err == nil {
				f.Add(data)
			}
		}
	}
	recs := synthRecords()
	f.Add(synthFile(4, recs, false)) // no checksum: the fuzzer can change the structure freely
	f.Add(synthFile(12, recs, true)) // checksum disabled
	for i := range recs {
		f.Add(synthFile(3, recs[i:i+1], false))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), ReaderOptions{File: "fuzz.rdb"})
		end := int64(9)
		var readErr error
		var funcs []int64
		layoutOK := true // function records contiguous and before the keyspace
		stage := 0       // 0 before functions, 1 in them, 2 after
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				checkFuzzErr(t, err)
				break
			}
			if rec.Offset != end || rec.End <= rec.Offset || rec.End > int64(len(data)) {
				t.Fatalf("record %v spans %d..%d after %d (input %d bytes)", rec.Kind, rec.Offset, rec.End, end, len(data))
			}
			end = rec.End
			switch {
			case rec.Kind == KindFunction:
				funcs = append(funcs, rec.Offset)
				if !bytes.Equal(rec.Raw, data[rec.Offset:rec.End]) {
					t.Fatalf("Raw differs from the input")
				}
				if stage == 2 {
					layoutOK = false
				}
				stage = 1
			case rec.Kind == KindAux || rec.Kind == KindModuleAux && rec.ModuleWhen == 1:
				if stage == 1 {
					layoutOK = false
				}
			default:
				if stage < 2 {
					stage = 2
				}
			}
		}
		if readErr == nil && end != int64(len(data)) {
			t.Fatalf("accepted %d of %d bytes", end, len(data))
		}
		// The records do not depend on how the input arrives.
		if len(data) <= 4<<10 {
			if a, b := recordsDigest(t, bytes.NewReader(data)), recordsDigest(t, iotest.OneByteReader(bytes.NewReader(data))); a != b {
				t.Fatalf("one byte at a time:\n%s\nall at once:\n%s", b, a)
			}
		}
		for _, opts := range []InfoOptions{{}, {NoVerify: true}, {Summary: true, Largest: 2}} {
			info, err := ReadInfo(bytes.NewReader(data), opts)
			if err != nil {
				checkFuzzErr(t, err)
			}
			if !opts.NoVerify && (err == nil) != (readErr == nil) {
				t.Fatalf("ReadInfo %+v: %v, Reader: %v", opts, err, readErr)
			}
			if err == nil && info.Summary != nil {
				info.Summary.Finish()
			}
		}
		var out bytes.Buffer
		_, err := Rewrite(bytes.NewReader(data), &out, identity, RewriteOptions{})
		if err != nil {
			checkFuzzErr(t, err)
			if readErr == nil && layoutOK {
				t.Fatalf("Rewrite failed on an accepted file: %v", err)
			}
			return
		}
		if readErr != nil {
			t.Fatalf("Rewrite accepted a file the Reader refused (%v)", readErr)
		}
		if layoutOK && !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("identity Rewrite changed the file")
		}
		if _, err := readAll(out.Bytes()); err != nil {
			t.Fatalf("Rewrite output does not read back: %v", err)
		}
	})
}

func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not an *Error", err)
	}
	for _, s := range []error{ErrTruncated, ErrCorrupt, ErrChecksum, ErrNotRDB, ErrUnsupportedVersion, ErrPreGAFunction} {
		if errors.Is(err, s) {
			if strings.TrimSpace(e.What) == "" {
				t.Fatalf("%v: no What", err)
			}
			return
		}
	}
	t.Fatalf("%v wraps no sentinel", err)
}

// FuzzLZF: what LZFCompress writes decompresses to the input, and
// LZFDecompress never panics on arbitrary data.
func FuzzLZF(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 100)
	f.Add([]byte("#!lua name=lib\nredis.register_function('f', function() return 1 end)"), 70)
	f.Add([]byte{0x1f, 'a', 0xe0, 0xff, 0x00}, 300)
	f.Fuzz(func(t *testing.T, data []byte, ulen int) {
		// liblzf needs a few bytes of slack beyond its worst case (one
		// control byte per 32 literals) before it gives up.
		room := len(data) + len(data)/32 + 16
		if c := LZFCompress(data, room); len(data) > 0 {
			if c == nil {
				t.Fatalf("%d bytes did not compress into %d", len(data), room)
			}
			out, err := LZFDecompress(c, len(data))
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("round trip: %v", err)
			}
		}
		if ulen >= 0 && ulen < 1<<20 {
			LZFDecompress(data, ulen)
		}
	})
}
