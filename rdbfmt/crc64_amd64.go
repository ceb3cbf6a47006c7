//go:build amd64 && !purego

package rdbfmt

import "golang.org/x/sys/cpu"

var (
	// crc64HaveCLMUL: PCLMULQDQ with SSE4.1 (PEXTRQ).
	crc64HaveCLMUL = cpu.X86.HasPCLMULQDQ && cpu.X86.HasSSE41
	// crc64HaveAVX512: 512-bit VPCLMULQDQ, usable by the OS (x/sys/cpu
	// checks XCR0), plus AVX2 for the 256-bit step of the final fold.
	crc64HaveAVX512 = crc64HaveCLMUL && cpu.X86.HasAVX2 && cpu.X86.HasAVX512F &&
		cpu.X86.HasAVX512VPCLMULQDQ
)

// Below these lengths the table code is as fast (see BenchmarkCRC64Small).
const (
	crc64CLMULMin  = 32
	crc64AVX512Min = 256
)

// crc64ParallelMin is the smallest input CRC64Parallel splits (see its doc
// and BenchmarkCRC64ParallelImpl): with AVX-512 one core runs at memory
// speed on anything that fits a typical L3, so only beyond 32 MiB.
var crc64ParallelMin = func() int {
	switch {
	case crc64HaveAVX512:
		return 32 << 20
	case crc64HaveCLMUL:
		return 4 << 20
	}
	return 1 << 20
}()

// crc64CLMUL returns crc updated with p by folding with PCLMULQDQ.
// len(p) must be a non-zero multiple of 16.
//
//go:noescape
func crc64CLMUL(crc uint64, p []byte, k *crc64Consts) uint64

// crc64AVX512 returns crc updated with p by folding with 512-bit
// VPCLMULQDQ. len(p) must be a non-zero multiple of 256.
//
//go:noescape
func crc64AVX512(crc uint64, p []byte, k *crc64Consts) uint64

func crc64Update(crc uint64, p []byte) uint64 {
	if len(p) >= crc64CLMULMin && crc64HaveCLMUL {
		return crc64UpdateCLMUL(crc, p, crc64HaveAVX512 && len(p) >= crc64AVX512Min)
	}
	return crc64Slicing8(crc, p)
}

func crc64UpdateCLMUL(crc uint64, p []byte, avx512 bool) uint64 {
	if avx512 && len(p) >= 256 {
		n := len(p) &^ 255
		crc = crc64AVX512(crc, p[:n], &crc64K)
		p = p[n:]
	}
	if len(p) >= 16 {
		n := len(p) &^ 15
		crc = crc64CLMUL(crc, p[:n], &crc64K)
		p = p[n:]
	}
	return crc64Slicing8(crc, p)
}

// crc64Impls lists the implementations this CPU can run, for tests and
// benchmarks; each is complete (any length, any crc).
var crc64Impls = func() []crc64Impl {
	impls := []crc64Impl{{"slicing8", crc64Slicing8}}
	if crc64HaveCLMUL {
		impls = append(impls, crc64Impl{"clmul", func(crc uint64, p []byte) uint64 {
			return crc64UpdateCLMUL(crc, p, false)
		}})
	}
	if crc64HaveAVX512 {
		impls = append(impls, crc64Impl{"avx512", func(crc uint64, p []byte) uint64 {
			return crc64UpdateCLMUL(crc, p, true)
		}})
	}
	return impls
}()
