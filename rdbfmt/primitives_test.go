package rdbfmt

import (
	"bytes"
	"math"
	"testing"
)

func TestCRC64CheckValue(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
	// incremental use gives the same result
	if got := CRC64(CRC64(0, []byte("1234")), []byte("56789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("incremental crc64 = %x", got)
	}
}

func TestLengthRoundTrip(t *testing.T) {
	for _, n := range []uint64{0, 1, 63, 64, 16383, 16384, 0xFFFFFFFF, 0x100000000, 1<<64 - 1} {
		b := AppendLength(nil, n)
		got, special, size, err := ParseLength(b)
		if err != nil || special || got != n || size != len(b) {
			t.Errorf("%d: %x -> %d %v %d %v", n, b, got, special, size, err)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	cases := []string{"", "0", "-1", "127", "128", "-32768", "32768", "2147483647", "2147483648",
		"-0", "+1", "007", "hello", string(bytes.Repeat([]byte("abc"), 100)), "x\x00y"}
	for _, c := range cases {
		for _, compress := range []bool{false, true} {
			b := AppendString(nil, []byte(c), compress)
			got, _, size, err := ParseString(b)
			if err != nil || string(got) != c || size != len(b) {
				t.Errorf("%q compress=%v: %x -> %q %d %v", c, compress, b, got, size, err)
			}
		}
	}
	if b := AppendString(nil, []byte("-5"), false); !bytes.Equal(b, []byte{0xC0, 0xFB}) {
		t.Errorf("-5 encoded as %x", b)
	}
}

func TestDoubles(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 1.5, 1e-10, -3.25e300, 1 << 62, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64} {
		b := AppendBinaryDouble(nil, v)
		if got, err := ParseBinaryDouble(b); err != nil || got != v || len(b) != 8 {
			t.Errorf("binary %v: %v %v", v, got, err)
		}
		s := AppendStringDouble(nil, v)
		if got, n, err := ParseStringDouble(s); err != nil || got != v || n != len(s) {
			t.Errorf("string %v: %x -> %v %d %v", v, s, got, n, err)
		}
	}
	if got, _, err := ParseStringDouble(AppendStringDouble(nil, math.NaN())); err != nil || !math.IsNaN(got) {
		t.Errorf("NaN: %v %v", got, err)
	}
	if s := AppendStringDouble(nil, 3); string(s) != "\x013" {
		t.Errorf("3 written as %q", s)
	}
	if s := AppendStringDouble(nil, 0.1); string(s[1:]) != "0.10000000000000001" {
		t.Errorf("0.1 written as %q", s)
	}
	for _, bad := range [][]byte{nil, {3, '1'}, {3, 'a', 'b', 'c'}} {
		if _, _, err := ParseStringDouble(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
