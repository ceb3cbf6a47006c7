package rdbfmt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// crc64Bitwise is the definition of Redis's CRC-64/Jones, one bit at a time
// (reflected input and output, polynomial 0xAD93D23594C935A9, init and
// xorout 0), written independently of the package's tables and constants.
func crc64Bitwise(crc uint64, p []byte) uint64 {
	const rev = 0x95AC9329AC4BC9B5
	for _, b := range p {
		for i := 0; i < 8; i++ {
			bit := (crc ^ uint64(b>>i)) & 1
			crc >>= 1
			if bit == 1 {
				crc ^= rev
			}
		}
	}
	return crc
}

const crc64Check = 0xe9c6d914c4b8d9ca

func TestCRC64CheckValueAllImpls(t *testing.T) {
	if got := crc64Bitwise(0, []byte("123456789")); got != crc64Check {
		t.Fatalf("bitwise reference: %x", got)
	}
	// The check value repeated past every fast-path threshold still agrees
	// with the reference.
	long := bytes.Repeat([]byte("123456789"), 1000)
	want := crc64Bitwise(0, long)
	for _, im := range crc64Impls {
		if got := im.fn(0, []byte("123456789")); got != crc64Check {
			t.Errorf("%s: %x", im.name, got)
		}
		if got := im.fn(0, long); got != want {
			t.Errorf("%s: 9000 bytes: %x, want %x", im.name, got, want)
		}
	}
	t.Logf("implementations on this CPU: %v", crc64ImplNames())
}

func crc64ImplNames() []string {
	var names []string
	for _, im := range crc64Impls {
		names = append(names, im.name)
	}
	return names
}

// TestCRC64LengthsAndAlignments compares every implementation with the
// bitwise reference for every length 0..2048 at every alignment 0..15 of
// random data, starting from 0 and from a random CRC.
func TestCRC64LengthsAndAlignments(t *testing.T) {
	const maxLen = 2048
	rng := rand.New(rand.NewSource(1))
	data := make([]byte, maxLen)
	rng.Read(data)
	seed := rng.Uint64()
	// want[n] and wantSeed[n]: the reference over data[:n], from 0 and
	// from seed (the reference is incremental bit by bit).
	want := make([]uint64, maxLen+1)
	wantSeed := make([]uint64, maxLen+1)
	wantSeed[0] = seed
	for n := 1; n <= maxLen; n++ {
		want[n] = crc64Bitwise(want[n-1], data[n-1:n])
		wantSeed[n] = crc64Bitwise(wantSeed[n-1], data[n-1:n])
	}
	buf := make([]byte, maxLen+16+64)
	for _, im := range append(crc64Impls, crc64Impl{"CRC64", CRC64}) {
		fails := 0
		for align := 0; align < 16; align++ {
			for n := 0; n <= maxLen; n++ {
				p := buf[align : align+n]
				copy(p, data)
				if got := im.fn(0, p); got != want[n] {
					t.Errorf("%s: len %d align %d: %x, want %x", im.name, n, align, got, want[n])
					fails++
				}
				if got := im.fn(seed, p); got != wantSeed[n] {
					t.Errorf("%s: len %d align %d from %x: %x, want %x", im.name, n, align, seed, got, wantSeed[n])
					fails++
				}
				if fails > 10 {
					t.Fatalf("%s: too many failures", im.name)
				}
			}
		}
	}
}

// TestCRC64LargeInputs checks the long loops (many 128- and 256-byte steps)
// against the bitwise reference, with lengths that leave every kind of tail.
func TestCRC64LargeInputs(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	data := make([]byte, 300000)
	rng.Read(data)
	for _, n := range []int{4096, 4096 + 15, 65536 + 128 + 16 + 7, 100000 + 255, 300000} {
		want := crc64Bitwise(0, data[:n])
		for _, im := range crc64Impls {
			if got := im.fn(0, data[:n]); got != want {
				t.Errorf("%s: len %d: %x, want %x", im.name, n, got, want)
			}
		}
	}
	// Special data: all zeros, all ones.
	for _, fill := range []byte{0x00, 0xff} {
		p := bytes.Repeat([]byte{fill}, 70000)
		want := crc64Bitwise(0, p)
		for _, im := range crc64Impls {
			if got := im.fn(0, p); got != want {
				t.Errorf("%s: 70000 x %02x: %x, want %x", im.name, fill, got, want)
			}
		}
	}
}

// TestCRC64Incremental feeds random inputs in random pieces.
func TestCRC64Incremental(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	data := make([]byte, 200000)
	rng.Read(data)
	for iter := 0; iter < 200; iter++ {
		n := rng.Intn(len(data) + 1)
		if iter%2 == 0 {
			n = rng.Intn(5000)
		}
		p := data[:n]
		want := CRC64(0, p)
		if iter < 40 {
			if ref := crc64Bitwise(0, p); ref != want {
				t.Fatalf("len %d: CRC64 %x, reference %x", n, want, ref)
			}
		}
		for _, im := range crc64Impls {
			crc, rest := uint64(0), p
			for len(rest) > 0 {
				k := rng.Intn(len(rest) + 1)
				if rng.Intn(4) == 0 {
					k = rng.Intn(min(len(rest), 300) + 1)
				}
				crc = im.fn(crc, rest[:k])
				rest = rest[k:]
			}
			if crc != want {
				t.Fatalf("%s: len %d in pieces: %x, want %x", im.name, n, crc, want)
			}
		}
	}
}

func TestCRC64Combine(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	data := make([]byte, 100000)
	rng.Read(data)
	for iter := 0; iter < 300; iter++ {
		n := rng.Intn(len(data) + 1)
		if iter%3 == 0 {
			n = rng.Intn(100)
		}
		split := rng.Intn(n + 1)
		switch iter % 10 {
		case 1:
			split = n // len2 = 0
		case 2:
			split = 0 // len1 = 0
		}
		a, b := data[:split], data[split:n]
		want := CRC64(0, data[:n])
		got := CRC64Combine(CRC64(0, a), CRC64(0, b), int64(len(b)))
		if got != want {
			t.Fatalf("len %d split %d: %x, want %x", n, split, got, want)
		}
		// Continuing from any CRC is the same as CRC64(crc, b).
		seed := rng.Uint64()
		if got, want := CRC64Combine(seed, CRC64(0, b), int64(len(b))), CRC64(seed, b); got != want {
			t.Fatalf("from %x, len2 %d: %x, want %x", seed, len(b), got, want)
		}
	}
	// Huge lengths: CRC of a followed by n zero bytes, checked on a length
	// that can still be hashed for real.
	zeros := make([]byte, 3<<20+5)
	a := data[:777]
	want := CRC64(CRC64(0, a), zeros)
	if got := CRC64Combine(CRC64(0, a), 0, int64(len(zeros))); got != want {
		t.Fatalf("%d zero bytes: %x, want %x", len(zeros), got, want)
	}
	// Combining is associative: (a+b)+c == a+(b+c), also at lengths near
	// 2^63 that no buffer could have.
	x, y, z := rng.Uint64(), rng.Uint64(), rng.Uint64()
	for _, l := range [][2]int64{{1, 1}, {1 << 40, 3}, {1<<61 + 12345, 1<<62 - 1}} {
		left := CRC64Combine(CRC64Combine(x, y, l[0]), z, l[1])
		right := CRC64Combine(x, CRC64Combine(y, z, l[1]), l[0]+l[1])
		if left != right {
			t.Errorf("lengths %v: not associative: %x != %x", l, left, right)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("negative len2 did not panic")
		}
	}()
	CRC64Combine(1, 2, -1)
}

// TestCRC64Parallel compares the parallel split (forced from 1 MiB, with
// every implementation) with CRC64 at sizes around the thresholds and part
// boundaries, for several GOMAXPROCS values; then CRC64Parallel and
// CRC64Writer as callers get them.
func TestCRC64Parallel(t *testing.T) {
	const splitFrom = 1 << 20
	rng := rand.New(rand.NewSource(5))
	data := make([]byte, 9<<20+300)
	rng.Read(data)
	sizes := []int{0, 1, 1000}
	for _, base := range []int{splitFrom, 2 * splitFrom, 3*crc64ParallelChunk + 1, 8 << 20, 9 << 20} {
		for _, d := range []int{-257, -256, -255, -1, 0, 1, 255, 256, 257} {
			if s := base + d; s >= 0 && s <= len(data) {
				sizes = append(sizes, s)
			}
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 4, 7, 64} {
		runtime.GOMAXPROCS(procs)
		for _, n := range sizes {
			p := data[:n]
			want := CRC64(0, p)
			seed := uint64(n)*0x9E3779B97F4A7C15 + 1
			wantSeed := CRC64(seed, p)
			for _, im := range crc64Impls {
				if got := crc64Parallel(0, p, im.fn, splitFrom); got != want {
					t.Fatalf("%s: GOMAXPROCS=%d len %d: %x, want %x", im.name, procs, n, got, want)
				}
				if got := crc64Parallel(seed, p, im.fn, splitFrom); got != wantSeed {
					t.Fatalf("%s: GOMAXPROCS=%d len %d from %x: %x, want %x", im.name, procs, n, seed, got, wantSeed)
				}
			}
			if got := CRC64Parallel(seed, p); got != wantSeed {
				t.Fatalf("CRC64Parallel: GOMAXPROCS=%d len %d from %x: %x, want %x", procs, n, seed, got, wantSeed)
			}
		}
	}
	// The writer, fed pieces of every size class, equals one CRC64, with
	// this CPU's split threshold and with splitting forced.
	defer func(m int) { crc64ParallelMin = m }(crc64ParallelMin)
	for _, threshold := range []int{crc64ParallelMin, splitFrom} {
		crc64ParallelMin = threshold
		var w CRC64Writer
		rest := data
		for len(rest) > 0 {
			k := min(len(rest), []int{1, 17, 4096, 1 << 20, 3<<20 + 7}[rng.Intn(5)])
			if n, err := w.Write(rest[:k]); n != k || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			rest = rest[k:]
		}
		if got, want := w.Sum64(), CRC64(0, data); got != want || w.Len() != int64(len(data)) {
			t.Fatalf("writer: %x (%d bytes), want %x (%d)", got, w.Len(), want, len(data))
		}
		w.Reset()
		if w.Sum64() != 0 || w.Len() != 0 {
			t.Fatal("Reset did not clear the writer")
		}
	}
}

// TestCRC64Consts recomputes every folding and Barrett constant with plain
// polynomial arithmetic on big integers (bit d is the coefficient of x^d)
// and compares.
func TestCRC64Consts(t *testing.T) {
	p := new(big.Int).SetUint64(0xAD93D23594C935A9) // P - x^64, normal form
	p.SetBit(p, 64, 1)
	if bits.Reverse64(0xAD93D23594C935A9) != crc64Poly {
		t.Fatalf("crc64Poly %x is not the reflection of 0xAD93D23594C935A9", uint64(crc64Poly))
	}
	// mod returns a mod P.
	mod := func(a *big.Int) *big.Int {
		r := new(big.Int).Set(a)
		for r.BitLen() > 64 {
			r.Xor(r, new(big.Int).Lsh(p, uint(r.BitLen()-65)))
		}
		return r
	}
	// xpow returns x^n mod P reflected: bit i is the coefficient of x^(63-i).
	xpow := func(n int) uint64 {
		r := mod(new(big.Int).SetBit(new(big.Int), n, 1))
		return bits.Reverse64(r.Uint64())
	}
	pair := func(dBits int) [2]uint64 { return [2]uint64{xpow(dBits + 63), xpow(dBits - 1)} }

	var want crc64Consts
	want.fold128 = pair(128)
	want.fold1024 = pair(8 * 128)
	for i := 0; i < 7; i++ {
		want.foldTo1[i] = pair((7 - i) * 128)
	}
	want.fold2048 = pair(16 * 128)
	for i := 0; i < 3; i++ {
		want.foldZ[i] = pair((3 - i) * 4 * 128)
	}
	for i := 0; i < 3; i++ {
		want.lanes[i] = pair((3 - i) * 128)
	}
	// μ = floor(x^128 / P) by long division.
	mu, r := new(big.Int), new(big.Int).SetBit(new(big.Int), 128, 1)
	for r.BitLen() > 64 {
		s := r.BitLen() - 65
		mu.SetBit(mu, s, 1)
		r.Xor(r, new(big.Int).Lsh(p, uint(s)))
	}
	// Check: μ·P + r == x^128 with deg r < 64 (carry-less product).
	prod := new(big.Int)
	for i := 0; i <= mu.BitLen(); i++ {
		if mu.Bit(i) == 1 {
			prod.Xor(prod, new(big.Int).Lsh(p, uint(i)))
		}
	}
	if prod.Xor(prod, r); prod.Cmp(new(big.Int).SetBit(new(big.Int), 128, 1)) != 0 || mu.BitLen() != 65 {
		t.Fatalf("long division is wrong: μ = %x", mu)
	}
	// Constants read with bit j = coefficient of x^(64-j).
	high64 := func(a *big.Int) (v uint64) {
		for j := 0; j < 64; j++ {
			v |= uint64(a.Bit(64-j)) << j
		}
		return v
	}
	want.barrett = [2]uint64{high64(mu), high64(p)}
	if crc64K != want {
		t.Fatalf("constants differ from a recomputation:\n got %x\nwant %x", crc64K, want)
	}
	if got := crc64MakeConsts(); got != want {
		t.Fatal("crc64MakeConsts is not deterministic")
	}
	// x^(8·2^k) mod P for CRC64Combine.
	for k := 0; k < 64; k++ {
		base := mod(new(big.Int).SetBit(new(big.Int), 8, 1))
		for i := 0; i < k; i++ { // square k times
			sq := new(big.Int)
			for j := 0; j <= base.BitLen(); j++ {
				if base.Bit(j) == 1 {
					sq.Xor(sq, new(big.Int).Lsh(base, uint(j)))
				}
			}
			base = mod(sq)
		}
		if got, want := crc64XPow8[k], bits.Reverse64(base.Uint64()); got != want {
			t.Fatalf("x^(8·2^%d) mod P = %x, want %x", k, got, want)
		}
	}
}

// TestCRC64FixtureDumps verifies the footer of every FUNCTION DUMP payload
// a real server wrote: the last 8 bytes are the little-endian CRC of all
// bytes before them (including the 2-byte RDB version).
func TestCRC64FixtureDumps(t *testing.T) {
	n := 0
	for _, srv := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(srv, "dump-") {
			data, err := os.ReadFile(fixtures.Path(srv, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(data) < 10 {
				t.Fatalf("%s/%s: %d bytes", srv, name, len(data))
			}
			body, stored := data[:len(data)-8], binary.LittleEndian.Uint64(data[len(data)-8:])
			for _, im := range crc64Impls {
				if got := im.fn(0, body); got != stored {
					t.Errorf("%s/%s: %s computes %016x, the server stored %016x", srv, name, im.name, got, stored)
				}
			}
			// Any damage is noticed.
			bad := bytes.Clone(body)
			bad[len(bad)/2] ^= 0x10
			if CRC64(0, bad) == stored {
				t.Errorf("%s/%s: a flipped bit gives the same CRC", srv, name)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no dump fixtures found")
	}
}

// TestCRC64FixtureRDBs verifies the trailer of every RDB a real server
// wrote (including AOF base files): the stored CRC equals ours, a zero
// trailer means "not computed", and our CRC equals the ground truth's
// "computed" (also for the deliberately damaged copies).
func TestCRC64FixtureRDBs(t *testing.T) {
	checked := 0
	for _, srv := range fixtures.Servers {
		var files []string
		for _, name := range fixtures.Artifacts(srv, "") {
			path := fixtures.Path(srv, name)
			if strings.HasSuffix(name, ".rdb") {
				files = append(files, path)
			} else if st, err := os.Stat(path); err == nil && st.IsDir() {
				bases, _ := filepath.Glob(filepath.Join(path, "*.rdb"))
				files = append(files, bases...)
			}
		}
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(fixtures.Root(), path)
			if len(data) < 18 || string(data[:5]) != "REDIS" {
				t.Fatalf("%s: not an RDB", rel)
			}
			stored := binary.LittleEndian.Uint64(data[len(data)-8:])
			got := CRC64(0, data[:len(data)-8])
			damaged := strings.HasPrefix(filepath.Base(path), "corrupt-") // corrupt-aof-*: only the AOF part is damaged
			switch {
			case stored == 0:
				t.Logf("%s: checksum disabled (computed %016x)", rel, got)
			case damaged:
				if got == stored {
					t.Errorf("%s: damaged copy still verifies", rel)
				}
			case got != stored:
				t.Errorf("%s: computed %016x, the server stored %016x", rel, got, stored)
			}
			if name := filepath.Base(path); strings.HasSuffix(filepath.Dir(rel), srv) {
				exp, err := fixtures.LoadExpected(srv, name)
				if err != nil || exp.RDB == nil {
					t.Fatalf("%s: no ground truth: %v", rel, err)
				}
				want, err := strconv.ParseUint(exp.RDB.Checksum.Computed, 16, 64)
				if err != nil || want != got {
					t.Errorf("%s: computed %016x, ground truth says %s", rel, got, exp.RDB.Checksum.Computed)
				}
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d RDB files checked", checked)
	}
}

// TestCRC64RealServer asks a real redis-server for DUMP payloads of random
// values of many sizes (and a FUNCTION DUMP) and checks their CRC footers
// with every implementation.
func TestCRC64RealServer(t *testing.T) {
	r := fixtures.StartRedis(t)
	c := r.Conn(t)
	rng := rand.New(rand.NewSource(6))
	sizes := []int{0, 1, 7, 8, 15, 16, 17, 45, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
		1000, 4096, 65536 + 13, 1<<20 + 5, 5<<20 + 3}
	for i := 0; i < 20; i++ {
		sizes = append(sizes, rng.Intn(20000))
	}
	for i, n := range sizes {
		val := make([]byte, n)
		rng.Read(val)
		if i%3 == 0 { // compressible values are stored LZF-compressed
			for j := range val {
				val[j] = "abcab"[j%5]
			}
		}
		key := fmt.Sprintf("k%d", i)
		if v, err := c.Do("SET", key, string(val)); err != nil || v.IsError() {
			t.Fatalf("SET %s: %v %v", key, v, err)
		}
		v, err := c.Do("DUMP", key)
		if err != nil || v.IsError() {
			t.Fatalf("DUMP %s: %v %v", key, v, err)
		}
		payload := []byte(v.Str)
		body, stored := payload[:len(payload)-8], binary.LittleEndian.Uint64(payload[len(payload)-8:])
		for _, im := range crc64Impls {
			if got := im.fn(0, body); got != stored {
				t.Errorf("DUMP of a %d-byte value (%d-byte payload): %s computes %016x, server stored %016x",
					n, len(payload), im.name, got, stored)
			}
		}
		if got := CRC64Parallel(0, body); got != stored {
			t.Errorf("DUMP of a %d-byte value: CRC64Parallel %016x, server %016x", n, got, stored)
		}
	}
	code, err := os.ReadFile(fixtures.LibPath("i18n.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Do("FUNCTION", "LOAD", string(code)); err != nil || v.IsError() {
		t.Fatalf("FUNCTION LOAD: %v %v", v, err)
	}
	v, err := c.Do("FUNCTION", "DUMP")
	if err != nil || v.IsError() {
		t.Fatalf("FUNCTION DUMP: %v %v", v, err)
	}
	payload := []byte(v.Str)
	if got, stored := CRC64(0, payload[:len(payload)-8]), binary.LittleEndian.Uint64(payload[len(payload)-8:]); got != stored {
		t.Errorf("FUNCTION DUMP: computed %016x, server stored %016x", got, stored)
	}
}

// FuzzCRC64 compares the fast paths with the bitwise reference, split
// feeding and CRC64Combine on arbitrary input.
func FuzzCRC64(f *testing.F) {
	f.Add([]byte("123456789"), uint16(4), uint64(0))
	f.Add(bytes.Repeat([]byte{0xff}, 1000), uint16(300), uint64(1))
	f.Add(make([]byte, 4099), uint16(2048), uint64(0xe9c6d914c4b8d9ca))
	f.Fuzz(func(t *testing.T, data []byte, split uint16, seed uint64) {
		want := crc64Bitwise(seed, data)
		for _, im := range crc64Impls {
			if got := im.fn(seed, data); got != want {
				t.Fatalf("%s: len %d: %x, want %x", im.name, len(data), got, want)
			}
		}
		k := int(split) % (len(data) + 1)
		if got := CRC64(CRC64(seed, data[:k]), data[k:]); got != want {
			t.Fatalf("split at %d: %x, want %x", k, got, want)
		}
		if got := CRC64Combine(CRC64(seed, data[:k]), CRC64(0, data[k:]), int64(len(data)-k)); got != want {
			t.Fatalf("combine at %d: %x, want %x", k, got, want)
		}
	})
}
