package dumpfmt

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/resp"
)

// do runs a command and returns the reply, failing on transport errors.
func do(t testing.TB, r *fixtures.Redis, args ...string) resp.Value {
	t.Helper()
	return r.Do(t, args...)
}

// fixtureLibs returns the hand-written libraries (file name → code), the 8
// of fixtures/README.md plus ratelimit_v2.
func fixtureLibs(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(fixtures.LibPath("*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no libs: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func eightLibs(t testing.TB) []string {
	var out []string
	libs := fixtureLibs(t)
	for _, k := range sortedKeys(libs) {
		if !strings.HasPrefix(k, "ratelimit_v2") {
			out = append(out, libs[k])
		}
	}
	return out
}

func appendString(s string) []byte {
	return rdbfmtAppendString([]byte(s))
}

func rdbfmtAppendString(b []byte) []byte { return rdbfmt.AppendString(nil, b, true) }
