package rdbfmt

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fnkit/fnkit/library"
)

// benchFiles holds benchRDB's RDBs by shape.
var benchFiles sync.Map

// benchRDB builds, once per shape, an in-memory RDB with the Writer: a few
// libraries, then keys.
func benchRDB(b *testing.B, shape string) []byte {
	if v, ok := benchFiles.Load(shape); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, WriterOptions{Version: 12})
	if err != nil {
		b.Fatal(err)
	}
	w.WriteAux("redis-ver", "7.4.1")
	w.WriteAux("redis-bits", "64")
	for i := 0; i < 4; i++ {
		lib, _ := library.New(fmt.Sprintf("#!lua name=lib%d\nredis.register_function('f%d', function() return %d end)\n", i, i, i), library.Origin{})
		w.WriteFunction(lib)
	}
	w.WriteRaw([]byte{OpSelectDB, 0})
	rng := rand.New(rand.NewSource(1))
	var rec []byte
	switch shape {
	case "large-values": // 128 MiB of 1 MiB strings and 64 KiB listpack hashes
		val := make([]byte, 1<<20)
		rng.Read(val)
		lp := make([]byte, 64<<10)
		rng.Read(lp)
		for i := 0; buf.Len() < 128<<20; i++ {
			rec = append(rec[:0], TypeString)
			rec = AppendString(rec, []byte(fmt.Sprintf("big:%d", i)), false)
			rec = AppendString(rec, val, false)
			w.WriteRaw(rec)
			rec = append(rec[:0], TypeHashListpack)
			rec = AppendString(rec, []byte(fmt.Sprintf("hash:%d", i)), false)
			rec = AppendString(rec, lp, false)
			w.WriteRaw(rec)
		}
	case "small-keys": // 64 MiB of small strings, sets and hashes, some with expiries
		for i := 0; buf.Len() < 64<<20; i++ {
			rec = rec[:0]
			if i%4 == 0 {
				rec = append(rec, OpExpireMs)
				rec = append(rec, le64(4102444800000)...)
			}
			switch i % 3 {
			case 0:
				rec = append(rec, TypeString)
				rec = AppendString(rec, []byte(fmt.Sprintf("user:%08d:name", i)), false)
				rec = AppendString(rec, []byte("some value of 24 bytes.."), false)
			case 1:
				rec = append(rec, TypeSet)
				rec = AppendString(rec, []byte(fmt.Sprintf("set:%08d", i)), false)
				rec = AppendLength(rec, 8)
				for j := 0; j < 8; j++ {
					rec = AppendString(rec, []byte(fmt.Sprintf("member-%d", j)), false)
				}
			case 2:
				rec = append(rec, TypeHash)
				rec = AppendString(rec, []byte(fmt.Sprintf("hash:%08d", i)), false)
				rec = AppendLength(rec, 4)
				for j := 0; j < 4; j++ {
					rec = AppendString(rec, []byte(fmt.Sprintf("field-%d", j)), false)
					rec = AppendString(rec, []byte(fmt.Sprintf("value-%d", j)), false)
				}
			}
			w.WriteRaw(rec)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	benchFiles.Store(shape, data)
	return data
}

// BenchmarkReader reads a whole RDB with checksum verification, as
// `fnkit inspect` does by default.
func BenchmarkReader(b *testing.B) {
	benchShapes(b, func(data []byte) error {
		info, err := ReadInfo(bytes.NewReader(data), InfoOptions{})
		if err == nil && !info.Checksum.Valid {
			err = fmt.Errorf("checksum not valid")
		}
		return err
	})
}

// benchShapes runs fn b.N times on the RDB of each shape, in a
// sub-benchmark per shape.
func benchShapes(b *testing.B, fn func(data []byte) error) {
	for _, shape := range []string{"large-values", "small-keys"} {
		b.Run(shape, func(b *testing.B) {
			data := benchRDB(b, shape)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := fn(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReaderSummary adds the keyspace summary.
func BenchmarkReaderSummary(b *testing.B) {
	data := benchRDB(b, "small-keys")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ReadInfo(bytes.NewReader(data), InfoOptions{Summary: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderNoVerify reads only the header, AUX fields and libraries.
func BenchmarkReaderNoVerify(b *testing.B) {
	data := benchRDB(b, "large-values")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		info, err := ReadInfo(bytes.NewReader(data), InfoOptions{NoVerify: true})
		if err != nil || info.Libraries.Len() != 4 {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewrite replaces one library of a large RDB, copying the rest.
func BenchmarkRewrite(b *testing.B) {
	lib, _ := library.New("#!lua name=lib1\nredis.register_function('f1', function() return 'new' end)\n", library.Origin{})
	edit := func(s *library.Set) (*library.Set, error) { s.Put(lib); return s, nil }
	benchShapes(b, func(data []byte) error {
		_, err := Rewrite(bytes.NewReader(data), io.Discard, edit, RewriteOptions{})
		return err
	})
}

// benchFile is the RDB named by $RDBFMT_BENCH_FILE and its size; the
// benchmark is skipped when the variable is not set.
func benchFile(b *testing.B) (path string, size int64) {
	path = os.Getenv("RDBFMT_BENCH_FILE")
	if path == "" {
		b.Skip("set RDBFMT_BENCH_FILE to an RDB file")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, st.Size()
}

// BenchmarkReaderFile reads the RDB named by $RDBFMT_BENCH_FILE from disk
// (page cache) with full verification, for comparison with `cat` and
// redis-check-rdb on the same file (see bench/). RDBFMT_BENCH_SUMMARY=1
// adds the keyspace summary, RDBFMT_BENCH_NOVERIFY=1 reads only up to the
// libraries.
func BenchmarkReaderFile(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_, err = ReadInfo(f, InfoOptions{File: path, Summary: os.Getenv("RDBFMT_BENCH_SUMMARY") != "", NoVerify: os.Getenv("RDBFMT_BENCH_NOVERIFY") != ""})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewriteFile rewrites the RDB named by $RDBFMT_BENCH_FILE into a
// temporary file, replacing one library.
func BenchmarkRewriteFile(b *testing.B) {
	path, size := benchFile(b)
	lib, _ := library.New("#!lua name=fnkit_bench\nredis.register_function('fnkit_bench', function() return 1 end)\n", library.Origin{})
	edit := func(s *library.Set) (*library.Set, error) { s.Put(lib); return s, nil }
	out := filepath.Join(b.TempDir(), "out.rdb")
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		o, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		_, err = Rewrite(in, o, edit, RewriteOptions{File: path})
		in.Close()
		o.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
