package luaengine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/functions"
)

type fuzzHost struct{}

func (fuzzHost) Call(argv []string, resp3 bool) resp.Value { return resp.Status("OK") }
func (fuzzHost) ACLCheck(argv []string) (bool, error)      { return true, nil }
func (fuzzHost) Log(level int, msg string)                 {}

// Any library body loads or fails with an error, within the limits, and
// any function it registers runs to a reply: no panic, no hang.
func FuzzCreate(f *testing.F) {
	files, _ := filepath.Glob(fixtures.LibPath("*.lua"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil && len(b) < 8000 {
			if i := strings.IndexByte(string(b), '\n'); i >= 0 {
				f.Add(string(b[i:]))
			}
		}
	}
	for _, s := range []string{
		"\nredis.register_function('f', function(k, a) return {1, 'x', {ok='y'}} end)",
		"\nlocal t = setmetatable({}, {__index = function(t, k) return t[k] end}) redis.register_function('f', function() return t.x end)",
		"\nredis.register_function('f', function() return string.rep('x', 10):gsub('x', '%0%0') end)",
		"\n(", "\nreturn", "\nerror({})",
	} {
		f.Add(s)
	}
	e := New(Options{TimeLimit: 200 * time.Millisecond, MemoryLimit: 64 << 20})
	f.Cleanup(e.Close)
	f.Fuzz(func(t *testing.T, body string) {
		lib := functions.NewLibrary("fuzz", e, "")
		if err := e.Create(context.Background(), lib, body, 0); err != nil {
			return
		}
		for _, fn := range lib.Functions() {
			v := e.Call(&functions.Run{Host: fuzzHost{}}, fn, []string{"k"}, []string{"a", "1"})
			_ = resp.Append(nil, v, true)
		}
		e.Free(lib)
	})
}

// Lua patterns: find, match, gmatch and gsub on any subject and pattern
// return or raise Lua errors, never panic or hang.
func FuzzPattern(f *testing.F) {
	for _, p := range [][2]string{
		{"hello world", "(o)(r?)"}, {"key:123", "^(%a+):(%d+)$"}, {"aaa", "a-b"}, {"x", "[%"}, {"(a)", "%b()"},
		{"THE (quick) fox", "%f[%a]%a+"}, {"abc", "()"}, {"aaaa", "(a*)*"}, {"a", "%1"},
	} {
		f.Add(p[0], p[1])
	}
	e := New(Options{TimeLimit: 200 * time.Millisecond, MemoryLimit: 64 << 20})
	f.Cleanup(e.Close)
	lib := functions.NewLibrary("pat", e, "")
	if err := e.Create(context.Background(), lib, `
redis.register_function('p', function(keys, args)
  local s, p = args[1], args[2]
  local out = {}
  out[1] = tostring(string.find(s, p))
  out[2] = tostring(string.match(s, p))
  local n = 0
  for x in string.gmatch(s, p) do n = n + 1 if n > 100 then break end end
  out[3] = n
  out[4] = (string.gsub(s, p, '<%0>'))
  return out
end)`, 0); err != nil {
		f.Fatal(err)
	}
	fn, _ := lib.Function("p")
	f.Fuzz(func(t *testing.T, subject, pattern string) {
		v := e.Call(&functions.Run{Host: fuzzHost{}}, fn, nil, []string{subject, pattern})
		if v.IsError() && strings.Contains(v.Str, "panic") {
			t.Fatalf("%q %q: %v", subject, pattern, v)
		}
	})
}
