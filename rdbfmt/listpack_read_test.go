package rdbfmt

import (
	"bytes"
	"strings"
	"testing"
)

// What AppendListpack writes, AppendListpackEntries reads back, every
// integer and string encoding and back-length size included; a damaged
// back-length or count is an error.
func TestListpackRoundTrip(t *testing.T) {
	var elems [][]byte
	for _, s := range []string{"0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "-32768", "32768",
		"8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "", "x", "01", "007", "+1", strings.Repeat("f", 300),
		strings.Repeat("a", 63), strings.Repeat("b", 64), strings.Repeat("c", 4095), strings.Repeat("d", 4096), strings.Repeat("e", 20000)} {
		elems = append(elems, []byte(s))
	}
	lp := AppendListpack(nil, elems)
	got, err := AppendListpackEntries(nil, lp)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(elems) {
		t.Fatalf("%d entries, want %d", len(got), len(elems))
	}
	for i := range elems {
		if !bytes.Equal(got[i], elems[i]) {
			t.Errorf("entry %d: %q, want %q", i, got[i], elems[i])
		}
	}
	bad := append([]byte(nil), lp...)
	bad[4]++ // the count
	if _, err := AppendListpackEntries(nil, bad); err == nil || !strings.Contains(err.Error(), "counts") {
		t.Errorf("a wrong count: %v", err)
	}
	bad = append([]byte(nil), lp...)
	bad[7]++ // the back-length of the first entry ("0": encoding byte 0x00, back-length 1)
	if _, err := AppendListpackEntries(nil, bad); err == nil || !strings.Contains(err.Error(), "back-length") {
		t.Errorf("a wrong back-length: %v", err)
	}
}
