package aof

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

func copyFixtureDir(t *testing.T, server, art string) string {
	t.Helper()
	src := fixtures.Path(server, art)
	dst := filepath.Join(t.TempDir(), "appendonlydir")
	os.Mkdir(dst, 0o755)
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644)
	}
	return dst
}

func TestOpenErrors(t *testing.T) {
	// A listed file that is missing: Redis refuses to start.
	dir := copyFixtureDir(t, "redis-7.0.15", "aof-multi-incr")
	os.Remove(filepath.Join(dir, "appendonly.aof.1.incr.aof"))
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "The append log file appendonly.aof.1.incr.aof doesn't exist") {
		t.Fatalf("missing incr: %v", err)
	}
	// A missing history file is fine: Redis deletes them in the background.
	dir = copyFixtureDir(t, "redis-7.0.15", "aof-preamble")
	os.Remove(filepath.Join(dir, "appendonly.aof.1.incr.aof"))
	a, err := Open(dir)
	if err != nil || len(a.History) != 2 || a.History[0].Size != -1 {
		t.Fatalf("missing history file: %v %+v", err, a)
	}
	// No manifest, two manifests.
	empty := t.TempDir()
	if _, err := Open(empty); !errors.Is(err, ErrNotAOF) {
		t.Fatalf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "other.aof.manifest"), []byte("file x seq 1 type b\n"), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "2 manifests") {
		t.Fatalf("two manifests: %v", err)
	}
	// A bad manifest.
	dir = copyFixtureDir(t, "redis-7.0.15", "aof-nopreamble")
	os.WriteFile(filepath.Join(dir, "appendonly.aof.manifest"), []byte("file a seq 1 type b\nfile b seq 1 type b\n"), 0o644)
	if _, err := Open(dir); !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), MsgManifestDuplicate) {
		t.Fatalf("bad manifest: %v", err)
	}
}

// TestScanDamage: a damaged RDB base or a truncated file that is not the
// last one make the replay fail, naming the file and the offset, as Redis
// refuses to load them.
func TestScanDamage(t *testing.T) {
	dir := copyFixtureDir(t, "redis-7.0.15", "aof-preamble")
	base := filepath.Join(dir, "appendonly.aof.2.base.rdb")
	data, _ := os.ReadFile(base)
	os.WriteFile(base, data[:3000], 0o644)
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Replay(ReplayOptions{})
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "appendonly.aof.2.base.rdb") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("truncated RDB base: %v", err)
	}

	dir = copyFixtureDir(t, "redis-7.0.15", "aof-multi-incr")
	incr := filepath.Join(dir, "appendonly.aof.1.incr.aof")
	data, _ = os.ReadFile(incr)
	os.WriteFile(incr, data[:len(data)-10], 0o644)
	a, _ = Open(dir)
	_, err = a.Replay(ReplayOptions{})
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "the truncated file is not the last file") {
		t.Fatalf("truncated middle file: %v", err)
	}

	dir = copyFixtureDir(t, "redis-7.0.15", "aof-multi-incr")
	incr = filepath.Join(dir, "appendonly.aof.2.incr.aof")
	data, _ = os.ReadFile(incr)
	third := 0
	for i, n := 0, 0; i < len(data); i++ {
		if data[i] == '*' && (i == 0 || data[i-1] == '\n') {
			if n++; n == 3 {
				third = i
				break
			}
		}
	}
	data[third] = 'x'
	os.WriteFile(incr, data, 0o644)
	a, _ = Open(dir)
	_, err = a.Replay(ReplayOptions{})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrCorrupt) || e.Offset != int64(third) || !strings.Contains(err.Error(), "Expected prefix '*', got: 'x'") {
		t.Fatalf("damaged byte: %v", err)
	}
}
