//go:build !amd64 || purego

package rdbfmt

func crc64Update(crc uint64, p []byte) uint64 {
	return crc64Slicing8(crc, p)
}

// crc64Impls lists the implementations this build can run, for tests and
// benchmarks.
var crc64Impls = []crc64Impl{{"slicing8", crc64Slicing8}}

// crc64ParallelMin: at 1-2 GB/s a core, splitting pays from 1 MiB.
var crc64ParallelMin = 1 << 20
