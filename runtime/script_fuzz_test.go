package runtime_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/runtime"
)

// Any script text gets a reply from SCRIPT LOAD and EVAL, never a panic or
// a hang, and a shebang error is exactly library.ParseScriptShebang's.
func FuzzScriptLoad(f *testing.F) {
	for _, s := range []string{
		"return 1", "#!lua\nreturn 1", "#!lua", "#!LUA\nreturn 1", "#!lua flags=no-writes,allow-oom\nreturn redis.call('get', KEYS[1])",
		"#!lua flags=\nreturn 1", "#!lua flags=no-writes,\nreturn 1", "#!lua name=x\nreturn 1", "#!lua \"\nreturn 1",
		"#! lua\nreturn 1", "#!lua flags=\"no-writes\"\r\nreturn KEYS", "return 1 +", "x = 1", "error({})",
		"#!lua flags=allow-stale\tflags=no-cluster\nreturn ARGV[1]",
	} {
		f.Add(s)
	}
	srv, err := runtime.New(runtime.Config{ScriptTimeLimit: 100 * time.Millisecond, ScriptMemoryLimit: 16 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	f.Fuzz(func(t *testing.T, script string) {
		load := srv.Do("SCRIPT", "LOAD", script)
		_, perr := library.ParseScriptShebang(script)
		var se *library.ScriptShebangError
		if errors.As(perr, &se) {
			if !load.IsError() || load.Str != "ERR "+se.Msg {
				t.Fatalf("shebang error %q, SCRIPT LOAD replied %v", se.Msg, load)
			}
		} else if load.IsError() && !strings.HasPrefix(load.Str, "ERR Error compiling script (new function): ") {
			t.Fatalf("no shebang error, SCRIPT LOAD replied %v", load)
		}
		if !load.IsError() {
			srv.Do("EVAL", script, "1", "k", "a")
		}
		srv.Do("SCRIPT", "FLUSH")
	})
}
