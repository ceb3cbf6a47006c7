package keyspace

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// The encodings recorded for strings written in place follow the value
// through RENAME, MOVE and COPY, and stop applying once the key is
// written otherwise; stale records are swept.
func TestStringEncodingRecords(t *testing.T) {
	k, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	c := k.NewClient()
	do := func(args ...string) string { return string(c.Do(args)) }
	enc := func(db int, key string) string {
		e, ok := k.StringEncoding(db, key)
		if !ok {
			return "(from the value)"
		}
		return e
	}
	steps := []struct {
		args []string
		db   int
		key  string
		want string
	}{
		{[]string{"SET", "i", "1234"}, 0, "i", "(from the value)"},
		{[]string{"SETRANGE", "i", "0", ""}, 0, "i", "(from the value)"},
		{[]string{"SETRANGE", "i", "0", "2"}, 0, "i", "raw"},
		{[]string{"SET", "i", "2234"}, 0, "i", "(from the value)"},
		{[]string{"SETBIT", "b", "3", "1"}, 0, "b", "raw"},
		{[]string{"APPEND", "a", "12"}, 0, "a", "(from the value)"},
		{[]string{"APPEND", "a", "3"}, 0, "a", "raw"},
		{[]string{"INCR", "a"}, 0, "a", "(from the value)"},
		{[]string{"INCRBYFLOAT", "f", "1"}, 0, "f", "embstr"},
		{[]string{"INCRBYFLOAT", "f", "1e50"}, 0, "f", "raw"},
		{[]string{"RENAME", "b", "b2"}, 0, "b2", "raw"},
		{[]string{"MOVE", "b2", "3"}, 3, "b2", "raw"},
		{[]string{"COPY", "f", "f2", "DB", "2"}, 2, "f2", "raw"},
		{[]string{"DEL", "f"}, 0, "f", "(from the value)"},
	}
	for _, s := range steps {
		out := do(s.args...)
		if strings.HasPrefix(out, "-") {
			t.Fatalf("%v: %q", s.args, out)
		}
		if got := enc(s.db, s.key); got != s.want {
			t.Errorf("after %v: encoding of %d/%s is %s, want %s", s.args, s.db, s.key, got, s.want)
		}
	}
	// a sweep keeps the records that apply and drops the others
	for i := 0; i < 3000; i++ {
		key := "k" + strconv.Itoa(i)
		do("SETRANGE", key, "0", "x")
		if i%2 == 0 {
			do("DEL", key)
		}
	}
	k.sweepEncodings()
	if n := len(k.strEnc.marks); n > 1600 || n < 1500 {
		t.Errorf("%d records after a sweep, want the 1500 live ones and the few above", n)
	}
	if got := enc(0, "k1"); got != "raw" {
		t.Errorf("k1 is %s after a sweep, want raw", got)
	}
}

// parseLongDouble agrees with strconv.ParseFloat on what both read (to
// a float64's precision), and formatLongDouble writes what it read.
func TestParseLongDouble(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "10.5", "0.1", "5.0e3", "1e300", "-2.5e-300", "123456789.125", "0x1p3", "0x1.8p1"} {
		checkLongDouble(t, s)
	}
	for _, s := range []string{"", " 1", "1 ", "1e", "nan", "-nan", "0x", ".", "1e5000", "1e-5000", "+-1", "1..2", "1e1.5", "1\x00"} {
		if _, _, ok := parseLongDouble(s); ok {
			t.Errorf("parseLongDouble(%q) accepted", s)
		}
	}
	for _, s := range []string{"inf", "-INF", "+Infinity"} {
		if _, inf, ok := parseLongDouble(s); !ok || !inf {
			t.Errorf("parseLongDouble(%q) = inf %v, ok %v", s, inf, ok)
		}
	}
}

func checkLongDouble(t *testing.T, s string) {
	v, inf, ok := parseLongDouble(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f == 0 || math.IsInf(f, 0) || math.IsNaN(f) || strings.Contains(s, "_") {
		if ok && !inf {
			formatLongDouble(v) // must not panic
		}
		return
	}
	if !ok || inf {
		t.Fatalf("parseLongDouble(%q) refused what ParseFloat reads as %g", s, f)
	}
	g, _ := v.Float64()
	if g != f && math.Abs(g-f) > math.Abs(f)*0x1p-52 {
		t.Fatalf("parseLongDouble(%q) = %g, ParseFloat %g", s, g, f)
	}
	out := formatLongDouble(v)
	// an integer as written is written back as it is (less a '+' and
	// leading zeros)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && math.Abs(float64(n)) < 1<<53 && out != strconv.FormatInt(n, 10) {
		t.Fatalf("formatLongDouble of %q = %q", s, out)
	}
}

func FuzzParseLongDouble(f *testing.F) {
	for _, s := range []string{"1", "-0.5", "1e4932", "0x1p-16445", "inf", "1e-4951", "2e-4951", "0.024390243902439025", "0x1.8p1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 {
			return // the exponent, not the length, is what is costly
		}
		checkLongDouble(t, s)
	})
}
