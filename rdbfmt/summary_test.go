package rdbfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// TestSummaryFixtures compares the keyspace summary of every fixture with
// a keyspace with what the producing server reported: keys and expiries
// per database, keys per type, and keys per encoding for sets, sorted sets
// and hashes (whose RDB types name their encoding).
func TestSummaryFixtures(t *testing.T) {
	n := 0
	for _, fx := range rdbFixtures(t) {
		if fx.exp == nil || len(fx.exp.Keys) == 0 || strings.HasPrefix(fx.name, "corrupt-") {
			continue
		}
		n++
		data, err := os.ReadFile(fx.path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ReadInfo(bytes.NewReader(data), InfoOptions{Summary: true, Largest: 5})
		if err != nil {
			t.Fatal(err)
		}
		s := info.Summary
		wantDB := map[string][2]int64{}
		wantType := map[string]int64{}
		wantEnc := map[string]int64{}
		for _, row := range fx.exp.Keys {
			var cols []json.RawMessage
			json.Unmarshal(row, &cols)
			var db, exp int64
			var typ, enc string
			json.Unmarshal(cols[0], &db)
			json.Unmarshal(cols[2], &typ)
			json.Unmarshal(cols[3], &enc)
			json.Unmarshal(cols[4], &exp)
			d := wantDB[fmt.Sprint(db)]
			d[0]++
			if exp != -1 {
				d[1]++
			}
			wantDB[fmt.Sprint(db)] = d
			wantType[typ]++
			if typ == "set" || typ == "zset" || typ == "hash" {
				wantEnc[typ+"/"+enc]++
			}
		}
		gotDB := map[string][2]int64{}
		for _, d := range s.Databases {
			gotDB[fmt.Sprint(d.DB)] = [2]int64{d.Keys, d.Expires}
			if d.HintKeys == nil || int64(*d.HintKeys) != d.Keys || int64(*d.HintExpires) != d.Expires {
				t.Errorf("%s/%s db %d: RESIZEDB hint %v/%v, counted %d/%d", fx.server, fx.name, d.DB, d.HintKeys, d.HintExpires, d.Keys, d.Expires)
			}
		}
		gotType := map[string]int64{}
		gotEnc := map[string]int64{}
		var total int64
		for _, ty := range s.Types {
			gotType[ty.Type] += ty.Keys
			if ty.Type == "set" || ty.Type == "zset" || ty.Type == "hash" {
				gotEnc[ty.Type+"/"+ty.Encoding] += ty.Keys
			}
			total += ty.Bytes
		}
		for what, pair := range map[string][2]any{"databases": {gotDB, wantDB}, "types": {gotType, wantType}, "encodings": {gotEnc, wantEnc}} {
			if fmt.Sprint(pair[0]) != fmt.Sprint(pair[1]) {
				t.Errorf("%s/%s %s: %v, want %v", fx.server, fx.name, what, pair[0], pair[1])
			}
		}
		if total != s.ValueBytes || s.Keys != int64(len(fx.exp.Keys)) {
			t.Errorf("%s/%s: value bytes %d vs %d, keys %d", fx.server, fx.name, total, s.ValueBytes, s.Keys)
		}
		// The largest values: the 5 largest value sizes of all key records.
		var sizes []int64
		rd := NewReader(bytes.NewReader(data), ReaderOptions{})
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if rec.Kind == KindKey {
				sizes = append(sizes, rec.ValueSize())
			}
		}
		for i := 0; i < len(sizes); i++ {
			for j := i + 1; j < len(sizes); j++ {
				if sizes[j] > sizes[i] {
					sizes[i], sizes[j] = sizes[j], sizes[i]
				}
			}
		}
		if len(s.Largest) != 5 {
			t.Fatalf("%d largest", len(s.Largest))
		}
		for i, k := range s.Largest {
			if k.Bytes != sizes[i] || k.Key == "" || k.Type == "" {
				t.Errorf("%s/%s largest[%d] = %+v, want %d bytes", fx.server, fx.name, i, k, sizes[i])
			}
		}
		if _, err := json.Marshal(info); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("no fixture with keys")
	}
}
