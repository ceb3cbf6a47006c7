package sds_test

import (
	"testing"

	"github.com/fnkit/fnkit/internal/sds"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", []string{}, true},
		{"  a b\t c ", []string{"a", "b", "c"}, true},
		{`"a b" 'c d'`, []string{"a b", "c d"}, true},
		{`"\x41\n\t\\\"" x`, []string{"A\n\t\\\"", "x"}, true},
		{`'it\'s'`, []string{"it's"}, true},
		{`"a"b`, nil, false},
		{`'a`, nil, false},
		{`a"b c"`, []string{"ab c"}, true},
	}
	for _, c := range cases {
		got, ok := sds.SplitArgs(c.in)
		if ok != c.ok || (ok && !equal(got, c.want)) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReprRoundTrip: what AppendRepr writes, SplitArgs reads back as one
// token, and ParseRepr as it was, for every byte value.
func TestReprRoundTrip(t *testing.T) {
	var all []byte
	for i := 1; i < 256; i++ { // SplitArgs stops at NUL, as the C code does
		all = append(all, byte(i))
	}
	for _, s := range []string{"", "plain", "two words", "q'x", "a\\b\"c", string(all)} {
		got, ok := sds.SplitArgs(string(sds.AppendRepr(nil, s)))
		if !ok || len(got) != 1 || got[0] != s {
			t.Errorf("%q: read back %q, %v", s, got, ok)
		}
		all0 := s + "\x00"
		if back, ok := sds.ParseRepr(sds.AppendRepr(nil, all0)); !ok || string(back) != all0 {
			t.Errorf("%q: ParseRepr read back %q, %v", all0, back, ok)
		}
		if want := s != "plain" && s != "q'x" && s != ""; sds.NeedsRepr(s) != want {
			t.Errorf("NeedsRepr(%q) = %v", s, sds.NeedsRepr(s))
		}
	}
}

// ParseRepr refuses what sdscatrepr never writes.
func TestParseReprStrict(t *testing.T) {
	for _, s := range []string{`"a`, `a"`, `"a"b"`, "\"\\x1\"", `"\q"`, "\"\x01\"", `"\"`, "caf\xc3\xa9"} {
		if out, ok := sds.ParseRepr([]byte(s)); ok {
			t.Errorf("%q accepted as %q", s, out)
		}
	}
}
