package rdbfmt

import (
	"bytes"
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
