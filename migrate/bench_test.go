package migrate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fnkit/fnkit/migrate"
)

// BenchmarkMigrateCorpus migrates the 28 corpus scripts into one library.
func BenchmarkMigrateCorpus(b *testing.B) {
	paths, _ := filepath.Glob("testdata/scripts/*.lua")
	var scripts []migrate.Script
	size := 0
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		size += len(src)
		scripts = append(scripts, migrate.Script{Path: p, Source: string(src)})
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := migrate.Migrate("corpus", scripts); err != nil {
			b.Fatal(err)
		}
	}
}
