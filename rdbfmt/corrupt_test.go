package rdbfmt

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"testing"
)

// readAll reads every record of data and returns the libraries' names and
// code (as one string) or the error.
func readAll(data []byte) (string, error) {
	rd := NewReader(bytes.NewReader(data), ReaderOptions{File: "x.rdb"})
	var libs []string
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return strings.Join(libs, ","), nil
		}
		if err != nil {
			return "", err
		}
		if rec.Kind == KindFunction {
			libs = append(libs, fmt.Sprintf("%s:%x", rec.Library.Name, maphash.String(seed, rec.Library.Code)))
		}
	}
}

var seed = maphash.MakeSeed()

// smallFixtures are the functions-only RDBs of every server.
func smallFixtures(t *testing.T) []rdbFixture {
	var out []rdbFixture
	for _, fx := range rdbFixtures(t) {
		if strings.HasPrefix(fx.name, "rdb-functions-only") || fx.name == "rdb-cli-functions.rdb" {
			out = append(out, fx)
		}
	}
	if len(out) == 0 {
		t.Fatal("no small fixtures")
	}
	return out
}

func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v is not an *Error", what, err)
	}
	if e.File != "x.rdb" || e.What == "" {
		t.Fatalf("%s: error does not name the file and what was read: %+v", what, e)
	}
	for _, s := range []error{ErrTruncated, ErrCorrupt, ErrChecksum, ErrNotRDB, ErrUnsupportedVersion, ErrPreGAFunction} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("%s: %v wraps no sentinel", what, err)
}

// TestTruncatedPrefixes: every proper prefix of the small fixtures is an
// error, never a panic.
func TestTruncatedPrefixes(t *testing.T) {
	for _, fx := range smallFixtures(t) {
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			// Every prefix of the compressed files; of the uncompressed ones
			// (four times larger, mostly plain text) every 7th, and every one
			// in the last 32 bytes.
			stride := 1
			if strings.Contains(fx.name, "nocompress") {
				stride = 7
			}
			for n := 0; n < len(data); n++ {
				if n%stride != 0 && n < len(data)-32 {
					continue
				}
				_, err := readAll(data[:n])
				if err == nil {
					t.Fatalf("%s/%s: prefix of %d bytes read without error", fx.server, fx.name, n)
				}
				checkErr(t, fx.name, err)
				if n >= 9 && !errors.Is(err, ErrTruncated) {
					t.Fatalf("%s/%s: prefix of %d bytes: %v, want ErrTruncated", fx.server, fx.name, n, err)
				}
			}
		})
	}
}

// TestByteChanges: changing any byte of a function record or of the
// checksum is an error (a checksum mismatch or a corrupt record), never a
// success with other libraries.
func TestByteChanges(t *testing.T) {
	for _, fx := range smallFixtures(t) {
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := readAll(data)
			if err != nil {
				t.Fatal(err)
			}
			var spans [][2]int64
			for _, r := range fx.facts.FunctionRecords {
				spans = append(spans, [2]int64{r.Offset, r.End})
			}
			spans = append(spans, [2]int64{int64(len(data)) - 8, int64(len(data))})
			buf := append([]byte(nil), data...)
			n := 0
			// Every byte of the compressed files; in the uncompressed ones
			// (four times larger, mostly plain text) every byte of the record
			// headers and the checksum and every 5th byte of the code.
			stride := int64(1)
			if strings.Contains(fx.name, "nocompress") {
				stride = 5
			}
			for si, sp := range spans {
				for i := sp[0]; i < sp[1]; i++ {
					head := i < sp[0]+12 || si == len(spans)-1
					if !head && (i-sp[0])%stride != 0 {
						continue
					}
					xs := []byte{0xFF}
					if head {
						xs = []byte{0x01, 0x80, 0xFF}
					}
					for _, x := range xs {
						buf[i] ^= x
						got, err := readAll(buf)
						buf[i] ^= x
						n++
						if err == nil {
							t.Fatalf("%s/%s: byte %d ^ %#x read without error (same libraries: %v)", fx.server, fx.name, i, x, got == want)
						}
						checkErr(t, fx.name, err)
					}
				}
			}
			t.Logf("%s/%s: %d changes", fx.server, fx.name, n)
		})
	}
}
