package aof

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzParseManifest(f *testing.F) {
	for _, tc := range manifestCases {
		f.Add([]byte(tc.text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(bytes.NewReader(data), "fuzz.manifest")
		if err != nil {
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("error does not wrap ErrManifest: %v", err)
			}
			return
		}
		// What fnkit writes, Redis (and fnkit) read back as the same files.
		out := AppendManifest(nil, m)
		back, err := ParseManifest(bytes.NewReader(out), "rewritten")
		if err != nil {
			if len(m.Entries) == 0 {
				return // an all-comment manifest is written as an empty file
			}
			t.Fatalf("rewritten manifest does not parse: %v\n%q", err, out)
		}
		want := append(append(m.ofType(TypeBase), m.History()...), m.Incr()...)
		if len(back.Entries) != len(want) {
			t.Fatalf("round trip: %d entries, want %d", len(back.Entries), len(want))
		}
		for i, e := range back.Entries {
			w := want[i]
			if e.Name != w.Name || e.Seq != w.Seq || e.Type != w.Type {
				t.Fatalf("round trip entry %d: %+v, want %+v", i, e, w)
			}
		}
	})
}
