package cmdtable

import (
	"strings"
	"testing"
)

// KeyPositions never panics and returns indexes inside argv.
func FuzzKeyPositions(f *testing.F) {
	for _, s := range []string{"fcall\x00f\x002\x00a\x00b", "set\x00k\x00v", "zunionstore\x00d\x00999\x00a", "migrate\x00h\x00p\x00\x000\x001\x00KEYS\x00a\x00b", "xread\x00STREAMS\x00a\x00b\x000\x000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		argv := strings.Split(joined, "\x00")
		c := LookupArgv(argv)
		if c == nil {
			return
		}
		for _, i := range c.KeyPositions(argv) {
			if i < 0 || i >= len(argv) {
				t.Fatalf("%q: key index %d", argv, i)
			}
		}
	})
}
