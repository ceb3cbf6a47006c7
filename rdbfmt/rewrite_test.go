package rdbfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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

// TestRewriteInsertionPoint: new libraries go after the AUX fields and the
// "before" MODULE_AUX records, before the keyspace or an "after"
// MODULE_AUX; and where the first library was when there were some.
func TestRewriteInsertionPoint(t *testing.T) {
	modID := cat([]byte{0x81}, le64(0x1234567890ABCDEF))
	aux := cat([]byte{OpAux}, str("redis-ver"), str("7.0.15"))
	before := cat([]byte{OpModuleAux}, modID, ln(2), ln(1), ln(0))
	after := cat([]byte{OpModuleAux}, modID, ln(2), ln(2), ln(0))
	keys := cat([]byte{OpSelectDB}, ln(0), []byte{TypeString}, str("k"), str("v"))
	oldLib := AppendFunction(nil, "#!lua name=old\nredis.register_function('old', function() return 1 end)", true)
	added := "#!lua name=added\nredis.register_function('added', function() return 2 end)"
	newLib := AppendFunction(nil, added, true)
	add := func(s *library.Set) (*library.Set, error) {
		l, err := library.New(added, library.Origin{})
		s.Put(l)
		return s, err
	}
	file := func(parts ...[]byte) []byte {
		b := cat(append([][]byte{[]byte("REDIS0010")}, parts...)...)
		b = append(b, OpEOF)
		return append(b, le64(CRC64(0, b))...)
	}
	for _, c := range []struct {
		name    string
		in, out []byte
	}{
		{"aux, module aux before, keys", file(aux, before, keys), file(aux, before, newLib, keys)},
		{"aux, module aux after", file(aux, after), file(aux, newLib, after)},
		{"keys only", file(keys), file(newLib, keys)},
		{"empty", file(), file(newLib)},
		{"libraries kept in place", file(aux, before, oldLib, keys, after), file(aux, before, oldLib, newLib, keys, after)},
	} {
		var out bytes.Buffer
		if _, err := Rewrite(bytes.NewReader(c.in), &out, add, RewriteOptions{}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(out.Bytes(), c.out) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, out.Bytes(), c.out)
		}
	}
	// A library after the keyspace cannot be edited in a stream.
	in := file(keys, oldLib)
	if _, err := Rewrite(bytes.NewReader(in), io.Discard, add, RewriteOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("library after the keyspace: %v", err)
	}
	// Neither an edit error nor a library Redis would refuse is written.
	boom := errors.New("boom")
	if _, err := Rewrite(bytes.NewReader(file(keys)), io.Discard, func(*library.Set) (*library.Set, error) { return nil, boom }, RewriteOptions{}); !errors.Is(err, boom) {
		t.Errorf("edit error: %v", err)
	}
	bad := &library.Library{Name: "bad", Code: "#!lua\nreturn 1"}
	if _, err := Rewrite(bytes.NewReader(file(keys)), io.Discard, func(s *library.Set) (*library.Set, error) { s.Put(bad); return s, nil }, RewriteOptions{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "Library name was not given") {
		t.Errorf("bad library: %v", err)
	}
}
