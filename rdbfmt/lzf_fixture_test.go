package rdbfmt

import (
	"bytes"
	"os"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// TestLZFCompressMatchesRedis recompresses every LZF-stored function record
// of every RDB fixture and expects the bytes the real server wrote.
func TestLZFCompressMatchesRedis(t *testing.T) {
	n := 0
	for _, srv := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(srv, "rdb-") {
			exp, err := fixtures.LoadExpected(srv, name)
			if err != nil || exp.RDB == nil {
				continue
			}
			data, err := os.ReadFile(fixtures.Path(srv, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range exp.RDB.FunctionRecords {
				if rec.Encoding != "lzf" {
					continue
				}
				stored := data[rec.Offset+1 : rec.End]
				code, enc, size, err := ParseString(stored)
				if err != nil || enc != EncodingLZF || size != len(stored) {
					t.Fatalf("%s/%s@%d: %v", srv, name, rec.Offset, err)
				}
				again := AppendString(nil, code, true)
				if !bytes.Equal(again, stored) {
					t.Errorf("%s/%s@%d (%s): recompressed %d bytes, Redis stored %d", srv, name, rec.Offset, rec.LibraryName, len(again), len(stored))
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no LZF records found")
	}
	t.Logf("%d LZF records recompressed", n)
}
