package rdbfmt

import (
	"fmt"
	"math/rand"
	"testing"
)

// go test -run XXX -bench CRC64 -count 3 ./rdbfmt/
//
// BenchmarkCRC64 is what callers get (CRC64 picks the fastest path this CPU
// has); BenchmarkCRC64Impl runs each implementation, including the
// slicing-by-8 reference; BenchmarkCRC64Small locates the thresholds below
// which the table code wins; BenchmarkCRC64Parallel spreads over
// GOMAXPROCS cores.

var crc64BenchSizes = []struct {
	name string
	n    int
}{{"1KB", 1 << 10}, {"64KB", 64 << 10}, {"1MB", 1 << 20}, {"64MB", 64 << 20}}

var crc64BenchData []byte

func crc64BenchBuf(n int) []byte {
	if len(crc64BenchData) < n {
		crc64BenchData = make([]byte, n)
		rand.New(rand.NewSource(1)).Read(crc64BenchData)
	}
	return crc64BenchData[:n]
}

var crc64Sink uint64

func BenchmarkCRC64(b *testing.B) {
	for _, s := range crc64BenchSizes {
		b.Run(s.name, func(b *testing.B) {
			p := crc64BenchBuf(s.n)
			b.SetBytes(int64(s.n))
			for b.Loop() {
				crc64Sink = CRC64(0, p)
			}
		})
	}
}

func BenchmarkCRC64Impl(b *testing.B) {
	for _, im := range crc64Impls {
		for _, s := range crc64BenchSizes {
			b.Run(im.name+"/"+s.name, func(b *testing.B) {
				p := crc64BenchBuf(s.n)
				b.SetBytes(int64(s.n))
				for b.Loop() {
					crc64Sink = im.fn(0, p)
				}
			})
		}
	}
}

func BenchmarkCRC64Small(b *testing.B) {
	for _, im := range crc64Impls {
		for _, n := range []int{9, 16, 32, 48, 64, 96, 128, 256, 384, 512, 768} {
			b.Run(fmt.Sprintf("%s/%d", im.name, n), func(b *testing.B) {
				p := crc64BenchBuf(n)
				b.SetBytes(int64(n))
				for b.Loop() {
					crc64Sink = im.fn(0, p)
				}
			})
		}
	}
}

func BenchmarkCRC64Parallel(b *testing.B) {
	for _, s := range crc64BenchSizes {
		b.Run(s.name, func(b *testing.B) {
			p := crc64BenchBuf(s.n)
			b.SetBytes(int64(s.n))
			for b.Loop() {
				crc64Sink = CRC64Parallel(0, p)
			}
		})
	}
}

// BenchmarkCRC64ParallelImpl forces the split (from 256 KiB) with each
// single-core implementation, to find where splitting pays off.
func BenchmarkCRC64ParallelImpl(b *testing.B) {
	for _, im := range crc64Impls {
		for _, s := range []struct {
			name string
			n    int
		}{{"1MB", 1 << 20}, {"4MB", 4 << 20}, {"16MB", 16 << 20}, {"64MB", 64 << 20}} {
			b.Run(im.name+"/"+s.name, func(b *testing.B) {
				p := crc64BenchBuf(s.n)
				b.SetBytes(int64(s.n))
				for b.Loop() {
					crc64Sink = crc64Parallel(0, p, im.fn, 0)
				}
			})
		}
	}
}

// BenchmarkCRC64Writer feeds 1 MiB chunks, as the RDB reader does.
func BenchmarkCRC64Writer(b *testing.B) {
	p := crc64BenchBuf(64 << 20)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		var w CRC64Writer
		for q := p; len(q) > 0; q = q[1<<20:] {
			w.Write(q[:1<<20])
		}
		crc64Sink = w.Sum64()
	}
}

func BenchmarkCRC64Combine(b *testing.B) {
	for b.Loop() {
		crc64Sink = CRC64Combine(crc64Sink, 0x1234, 1<<20+17)
	}
}
