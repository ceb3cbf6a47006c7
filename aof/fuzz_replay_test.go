package aof

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fnkit/fnkit/resp"
)

// FuzzReplay replays arbitrary single-file AOFs: never a panic, and a
// successful replay ends with a set every library of which has an event.
func FuzzReplay(f *testing.F) {
	var seed []byte
	seed = resp.AppendCommand(seed, "FUNCTION", "LOAD", "#!lua name=a\nredis.register_function('f', function() return 1 end)")
	seed = resp.AppendCommand(seed, "MULTI")
	seed = resp.AppendCommand(seed, "FUNCTION", "DELETE", "a")
	seed = resp.AppendCommand(seed, "EXEC")
	seed = resp.AppendCommand(seed, "FUNCTION", "RESTORE", "\x0a\x00\x5d\x9b\x5c\x40\x0f\x7f\xa2\xda", "FLUSH")
	f.Add(seed)
	f.Add(resp.AppendCommand(nil, "FUNCTION", "FLUSH", "ASYNC"))
	f.Add([]byte("REDIS0010\xff\x00\x00\x00\x00\x00\x00\x00\x00*1\r\n$4\r\nPING\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "appendonly.aof")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := Open(path)
		if err != nil {
			return
		}
		res, err := a.Replay(ReplayOptions{})
		if err != nil {
			return
		}
		have := map[string]bool{}
		for _, e := range res.Events {
			have[e.Library] = true
		}
		for _, name := range res.Libraries.Names() {
			if !have[name] {
				t.Fatalf("library %s without an event", name)
			}
		}
	})
}
