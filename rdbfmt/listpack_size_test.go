package rdbfmt

import (
	"strconv"
	"strings"
	"testing"
)

// ListpackEntrySize agrees with the bytes AppendListpack writes for every
// integer width and string length class.
func TestListpackEntrySize(t *testing.T) {
	var elems []string
	for _, v := range []int64{0, 127, 128, -1, 4095, -4096, 4096, 32767, -32768, 32768, 8388607, -8388608, 8388608, 2147483647, -2147483648, 2147483648, -9223372036854775808} {
		elems = append(elems, strconv.FormatInt(v, 10))
	}
	elems = append(elems, "", "-0", "01", "+1", "a", strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 125), strings.Repeat("x", 126), strings.Repeat("x", 4095), strings.Repeat("x", 4096), strings.Repeat("x", 20000))
	for _, e := range elems {
		got := ListpackEntrySize([]byte(e))
		want := len(AppendListpack(nil, [][]byte{[]byte(e)})) - 7
		if got != want {
			t.Errorf("%.20q: ListpackEntrySize %d, AppendListpack wrote %d", e, got, want)
		}
	}
}
