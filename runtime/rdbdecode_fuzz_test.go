package runtime

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/hdt3213/rdb/model"
)

// fixtureValues returns the type and stored value of every key record of
// the RDB fixtures of every server whose type is in types (all when
// empty).
func fixtureValues(t testing.TB, types ...byte) (ts []byte, vs [][]byte) {
	for _, srv := range fixtures.Servers {
		data, err := os.ReadFile(fixtures.Path(srv, "rdb-functions-keyspace.rdb"))
		if err != nil {
			t.Fatal(err)
		}
		rd := rdbfmt.NewReader(bytes.NewReader(data), rdbfmt.ReaderOptions{Values: true})
		for {
			rec, err := rd.Next()
			if err != nil {
				break
			}
			if rec.Kind != rdbfmt.KindKey || len(types) > 0 && bytes.IndexByte(types, rec.Type) < 0 {
				continue
			}
			ts = append(ts, rec.Type)
			vs = append(vs, append([]byte(nil), rec.Value...))
		}
	}
	if len(vs) == 0 {
		t.Fatal("no values in the fixtures")
	}
	return ts, vs
}

// decodeValue never panics on a value rdbfmt's Reader delimits (as
// LoadRDB and RESTORE pass it), and what it decodes from a type-18 value
// is a list.
func FuzzDecodeValue(f *testing.F) {
	ts, vs := fixtureValues(f)
	for i := range vs {
		if len(vs[i]) <= 2<<10 { // Go's fuzzer stalls on large inputs
			f.Add(ts[i], vs[i])
		}
	}
	f.Fuzz(func(t *testing.T, typ byte, v []byte) {
		rdb := append([]byte("REDIS0012"), typ, 1, 'k')
		rdb = append(append(rdb, v...), rdbfmt.OpEOF, 0, 0, 0, 0, 0, 0, 0, 0)
		rec, err := rdbfmt.NewReader(bytes.NewReader(rdb), rdbfmt.ReaderOptions{Values: true, AllowTrailing: true}).Next()
		if err != nil || rec.Kind != rdbfmt.KindKey {
			return
		}
		typ, v = rec.Type, rec.Value
		obj, err := decodeValue(typ, v)
		if err == nil && obj == nil {
			t.Fatal("no error and no value")
		}
		if err == nil && typ == rdbfmt.TypeListQuicklist2 {
			if _, ok := obj.(*model.ListObject); !ok {
				t.Fatalf("type 18 decoded as %T", obj)
			}
		}
	})
}

// Every type-18 value of the fixtures decodes to as many elements as the
// node listpacks' headers count (and PLAIN nodes), and every cut or
// changed header of it is an error that says where and what was expected,
// never a panic.
func TestDecodeQuicklist2Fixtures(t *testing.T) {
	_, vs := fixtureValues(t, rdbfmt.TypeListQuicklist2)
	for _, v := range vs {
		obj, err := decodeQuicklist2(v)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if len(obj.Values) == 0 {
			t.Fatalf("%q: no elements", v)
		}
		for cut := 0; cut < len(v); cut++ {
			if _, err := decodeQuicklist2(v[:cut]); err == nil {
				t.Errorf("%q cut at %d: no error", v, cut)
			}
		}
		if _, err := decodeQuicklist2(append(append([]byte(nil), v...), 0)); err == nil || !strings.Contains(err.Error(), "after the last node") {
			t.Errorf("%q with a byte more: %v", v, err)
		}
	}
}

// Corrupt quicklists: each error names what was expected.
func TestDecodeQuicklist2Errors(t *testing.T) {
	lp := rdbfmt.AppendListpack(nil, [][]byte{[]byte("a"), []byte("12"), []byte("-5000")})
	node := func(c byte, s []byte) []byte { return rdbfmt.AppendString([]byte{c}, s, false) }
	withCount := func(n uint16) []byte {
		b := append([]byte(nil), lp...)
		b[4], b[5] = byte(n), byte(n>>8)
		return b
	}
	withByte := func(i int, c byte) []byte {
		b := append([]byte(nil), lp...)
		b[i] = c
		return b
	}
	good := append([]byte{1}, node(2, lp)...)
	obj, err := decodeQuicklist2(good)
	if err != nil || len(obj.Values) != 3 || string(obj.Values[1]) != "12" || string(obj.Values[2]) != "-5000" {
		t.Fatalf("a good quicklist: %v %+v", err, obj)
	}
	if obj, err := decodeQuicklist2(append([]byte{1}, node(2, withCount(65535))...)); err != nil || len(obj.Values) != 3 {
		t.Errorf("count 65535 (unknown): %v", err)
	}
	for _, c := range []struct {
		v    []byte
		want string
	}{
		{nil, "quicklist node count at byte 0"},
		{[]byte{1}, "quicklist node 0 of 1: container at byte 1"},
		{append([]byte{1}, node(3, lp)...), "container 3 at byte 1, expected 1 (PLAIN) or 2 (PACKED)"},
		{[]byte{1, 1, 0}, "empty string at byte 2"},
		{append([]byte{1}, node(2, withCount(2))...), "listpack header counts 2 entries, it holds 3"},
		{append([]byte{1}, node(2, lp[:len(lp)-1])...), "says 16 bytes, the string holds 15"},
		{append([]byte{1}, node(2, []byte{7, 0, 0})...), "listpack of 3 bytes, expected at least 7"},
		{append([]byte{1}, node(2, withByte(0, byte(len(lp)+1)))...), "listpack header says"},
		{append([]byte{1}, node(2, withByte(len(lp)-1, 0))...), "entry 3 at byte 15: 1 bytes and a 1-byte back-length do not fit"},
		{append([]byte{1}, node(2, withByte(8, 9))...), "back-length"},
		{append([]byte{1}, node(2, withByte(6, 0xF5))...), "unknown encoding byte 0xf5"},
		{append([]byte{2}, node(1, []byte("x"))...), "quicklist node 1 of 2: container at byte"},
	} {
		_, err := decodeQuicklist2(c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.v, err, c.want)
		}
	}
}
