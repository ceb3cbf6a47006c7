package runtime

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/runtime/keyspace"
)

// dumpSeeds are values of every type and encoding for the payload tests.
func dumpSeeds() []keyspace.Value {
	var longList, ints []string
	for i := 0; i < 3000; i++ {
		longList = append(longList, "elem"+strconv.Itoa(i))
		if i < 100 {
			ints = append(ints, strconv.Itoa(i*1000-7))
		}
	}
	return []keyspace.Value{
		{Type: "string", Str: "12345"}, {Type: "string", Str: "hello"}, {Type: "string", Str: strings.Repeat("abc", 100)},
		{Type: "list", Elems: []string{"a", "1", ""}}, {Type: "list", Elems: longList},
		{Type: "set", Elems: ints}, {Type: "set", Elems: []string{"a", "b"}},
		{Type: "hash", Pairs: []string{"f", "v", "g", "1"}}, {Type: "hash", Pairs: []string{"f", strings.Repeat("v", 100)}},
		{Type: "zset", ZSet: []keyspace.ZMember{{Member: "a", Score: 1.5}, {Member: "b", Score: 2}}},
		{Type: "zset", ZSet: []keyspace.ZMember{{Member: strings.Repeat("m", 80), Score: -3}}},
		{Type: "stream", Stream: &keyspace.Stream{LastID: "2-0", Entries: []keyspace.StreamEntry{{ID: "1-1", Values: []string{"f", "v"}}, {ID: "2-0", Values: []string{"g", "w"}}},
			Groups: []keyspace.StreamGroup{{Name: "g", LastID: "1-1"}}}},
	}
}

func testDumpOptions() dumpOptions {
	return dumpOptions{lim: encodingLimits{hashEntries: 512, hashValue: 64, zsetEntries: 128, zsetValue: 64, setIntsetEntries: 512, listFill: -2}, compress: true}
}

// Every payload DUMP writes decodes, and changing any byte of it is
// refused (the checksum) rather than decoded.
func TestDumpPayloadDecodes(t *testing.T) {
	for _, v := range dumpSeeds() {
		p, err := dumpPayload(v, testDumpOptions())
		if err != nil {
			t.Fatalf("%s: %v", v.Type, err)
		}
		if _, err := decodeDumpPayload(p); err != nil {
			t.Errorf("%s %q: %v", v.Type, p, err)
		}
		for i := range p {
			q := []byte(string(p))
			q[i] ^= 0x20
			if _, err := decodeDumpPayload(q); err != errPayloadCheck {
				t.Errorf("%s: byte %d changed: %v, want the checksum error", v.Type, i, err)
			}
		}
	}
}

// RESTORE's decoder never panics, whatever a payload with a valid footer
// holds.
func FuzzRestorePayload(f *testing.F) {
	for _, v := range dumpSeeds() {
		p, err := dumpPayload(v, testDumpOptions())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p[:len(p)-10])
	}
	f.Add([]byte("\x0b\x0a\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00"))
	f.Add([]byte("\x12\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81a\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := sealPayload(append([]byte(nil), body...), dumpRDBVersion)
		obj, err := decodeDumpPayload(p)
		if err == nil && !validRestored(obj) {
			t.Fatalf("decoded an invalid value from %q", body)
		}
		if err != nil && err != errPayloadFormat {
			t.Fatalf("a sealed payload failed with %v", err)
		}
	})
}
