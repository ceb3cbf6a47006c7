package dumpfmt

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// Every DUMP fixture of every server decodes to exactly its ground truth.
func TestDecodeFixtures(t *testing.T) {
	n := 0
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "dump-") {
			n++
			t.Run(server+"/"+name, func(t *testing.T) {
				path := fixtures.Path(server, name)
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				exp, err := fixtures.LoadExpected(server, name)
				if err != nil {
					t.Fatal(err)
				}
				p, err := Decode(data, path)
				if err != nil {
					t.Fatal(err)
				}
				if p.Version != exp.Dump.PayloadRDBVersion {
					t.Errorf("version %d, want %d", p.Version, exp.Dump.PayloadRDBVersion)
				}
				if p.Size != len(data) || int64(p.Size) != exp.Size {
					t.Errorf("size %d, want %d", p.Size, exp.Size)
				}
				want := exp.Producer.Functions.Libraries
				if p.Libraries.Len() != len(want) || len(p.Records) != len(want) {
					t.Fatalf("%d libraries, %d records; want %d", p.Libraries.Len(), len(p.Records), len(want))
				}
				for _, wl := range want {
					got, ok := p.Libraries.Get(wl.Name)
					if !ok {
						t.Fatalf("library %s missing", wl.Name)
					}
					if got.Code != wl.Source() {
						t.Errorf("library %s: code differs", wl.Name)
					}
					if got.Engine != wl.Engine {
						t.Errorf("library %s: engine %q, want %q", wl.Name, got.Engine, wl.Engine)
					}
					if got.Origin.Format != "dump" || got.Origin.Path != path {
						t.Errorf("origin %+v", got.Origin)
					}
				}
				for i, wr := range exp.Dump.FunctionRecords {
					r := p.Records[i]
					sum := sha1.Sum([]byte(mustLib(t, p, r.Library)))
					got := fmt.Sprintf("%d %d %d %s %d %s %d %s", r.Offset, r.End, r.Opcode, r.Encoding, r.StoredBytes, r.Library, r.CodeBytes, hex.EncodeToString(sum[:]))
					exp := fmt.Sprintf("%d %d %d %s %d %s %d %s", wr.Offset, wr.End, wr.Opcode, wr.Encoding, wr.StoredBytes, wr.LibraryName, wr.CodeBytes, wr.CodeSHA1)
					if got != exp {
						t.Errorf("record %d:\n got %s\nwant %s", i, got, exp)
					}
					if l, _ := p.Libraries.Get(r.Library); l.Origin.Offset != r.Offset {
						t.Errorf("record %d: origin offset %d", i, l.Origin.Offset)
					}
				}
				// Parse of the raw file says "raw"
				q, err := Parse(data, path)
				if err != nil || q.Form != FormRaw || !q.Libraries.Equal(p.Libraries) {
					t.Fatalf("Parse: form %v err %v", q.Form, err)
				}
			})
		}
	}
	if n < 30 {
		t.Fatalf("only %d dump fixtures found", n)
	}
}

func mustLib(t *testing.T, p *Payload, name string) string {
	l, ok := p.Libraries.Get(name)
	if !ok {
		t.Fatalf("no library %s", name)
	}
	return l.Code
}
