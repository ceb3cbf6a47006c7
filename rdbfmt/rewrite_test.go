package rdbfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/library"
)

func identity(s *library.Set) (*library.Set, error) { return s, nil }

// TestRewriteIdentity rewrites every RDB fixture with an identity edit and
// expects the input back byte for byte.
func TestRewriteIdentity(t *testing.T) {
	for _, fx := range rdbFixtures(t) {
		if strings.HasPrefix(fx.name, "corrupt-rdb") {
			continue
		}
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res, err := Rewrite(bytes.NewReader(data), &out, identity, RewriteOptions{File: fx.path, Summary: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("output differs from input (%d vs %d bytes) at %d", out.Len(), len(data), firstDiff(out.Bytes(), data))
			}
			if res.BytesIn != int64(len(data)) || res.BytesOut != int64(len(data)) {
				t.Errorf("bytes in/out %d/%d, want %d", res.BytesIn, res.BytesOut, len(data))
			}
			if res.Before.Len() != len(fx.facts.FunctionRecords) || !res.Before.Equal(res.After) {
				t.Errorf("before %v after %v", res.Before, res.After)
			}
			info, err := ReadInfo(bytes.NewReader(data), InfoOptions{Summary: true})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(info.Summary)
			b, _ := json.Marshal(res.Summary)
			if string(a) != string(b) {
				t.Errorf("Rewrite's summary differs from ReadInfo's:\n%s\n%s", b, a)
			}
		})
	}
}

// TestRewriteCorruptInput refuses to rewrite the damaged fixtures.
func TestRewriteCorruptInput(t *testing.T) {
	for _, fx := range rdbFixtures(t) {
		if !strings.HasPrefix(fx.name, "corrupt-rdb") {
			continue
		}
		data, _ := os.ReadFile(fx.path)
		_, err := Rewrite(bytes.NewReader(data), &bytes.Buffer{}, identity, RewriteOptions{File: fx.path})
		if !errors.Is(err, ErrChecksum) {
			t.Errorf("%s/%s: %v, want ErrChecksum", fx.server, fx.name, err)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return len(a)
}
