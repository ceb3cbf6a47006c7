package sds

import (
	"strconv"
	"testing"
)

// TestParseLongLong checks ParseLongLong against strconv.ParseInt with
// string2ll's extra rules: no '+', no leading zero (but "0"), no "-0".
func TestParseLongLong(t *testing.T) {
	inputs := []string{
		"", "0", "-0", "00", "01", "-01", "+1", "+0", " 1", "1 ", "1.5", "1e3", "-", "--1", "0x10",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551616", "99999999999999999999", "123456789012345678901", "-1", "42", "-42",
	}
	for i := 0; i < 2000; i++ { // every small integer, and its spellings with '+' and a leading zero
		s := strconv.Itoa(i - 1000)
		inputs = append(inputs, s, "+"+s, "0"+s)
	}
	for _, s := range inputs {
		got, ok := ParseLongLong(s)
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := err == nil && s[0] != '+' && !(len(s) > 1 && s[0] == '0') && !(len(s) > 1 && s[0] == '-' && s[1] == '0')
		if ok != wantOK || (ok && got != want) {
			t.Errorf("ParseLongLong(%q) = %d, %v; want %d, %v", s, got, ok, want, wantOK)
		}
	}
}
