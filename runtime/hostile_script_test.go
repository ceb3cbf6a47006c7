package runtime_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/resp"
)

// Hostile EVAL scripts: the scripts engine has the same sandbox and limits
// as the functions engine. Each script (h.body is the whole script, EVAL's
// argument) must fail with an error reply containing h.want, touch no file
// and leave the server answering other clients.
func TestHostileScripts(t *testing.T) {
	canary := filepath.Join(t.TempDir(), "canary")
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	cases := []hostile{
		{name: "os.execute", body: "os.execute('touch " + canary + "')", want: "nonexistent global variable 'os'"},
		{name: "io.open", body: "io.open(" + q(canary) + ", 'w')", want: "nonexistent global variable 'io'"},
		{name: "require", body: "require('os')", want: "nonexistent global variable 'require'"},
		{name: "dofile", body: "dofile(" + q(canary) + ")", want: "nonexistent global variable 'dofile'"},
		{name: "bytecode", body: "local f, e = loadstring(string.char(27) .. 'LuaQ\\0\\1\\4\\8\\4\\8\\0') if not f then error(e) end return f()", want: "unexpected symbol near 'char(27)'"},
		{name: "bytecode as the script", body: "\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00", want: "Error compiling script"},
		{name: "string.dump", body: "return loadstring(string.dump(function() return 1 end))()", want: "attempt to call a nil value"},
		{name: "string.dump of a built-in", body: "return string.dump(string.len)", want: "unable to dump given function"},
		{name: "debug", body: "return debug.getinfo(1)", want: "nonexistent global variable 'debug'"},
		{name: "getfenv", body: "return getfenv(0)", want: "nonexistent global variable 'getfenv'"},
		{name: "replace the error handler", body: "__redis__err__handler = function() return {err='pwned'} end error('x')", want: "Attempt to modify a readonly table"},
		{name: "rawset the error handler", body: "rawset(_G, '__redis__err__handler', tostring)", want: "Attempt to modify a readonly table"},
		{name: "setmetatable _G", body: "setmetatable(_G, {__index = function() return os end})", want: "Attempt to modify a readonly table"},
		{name: "replace redis.call", body: "redis.call = function() end", want: "Attempt to modify a readonly table"},
		{name: "replace redis.breakpoint", body: "redis.breakpoint = nil", want: "Attempt to modify a readonly table"},
		{name: "infinite loop", body: "while true do end", want: "script time limit"},
		{name: "infinite loop with pcall", body: "while true do pcall(error, 'x') end", want: "script time limit"},
		{name: "error handler that never returns", body: "return xpcall(error, function() while true do end end)", want: "script time limit"},
		{name: "loop in the redis error handler", body: "while true do __redis__err__handler('x') end", want: "script time limit"},
		{name: "breakpoints in a loop", body: "while true do redis.breakpoint() redis.debug('x') end", want: "script time limit"},
		{name: "catastrophic pattern", body: "return string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40) .. 'b')", want: "script time limit"},
		{name: "table memory bomb", slow: true, body: "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 1024) .. i end", want: "memory limit"},
		{name: "KEYS memory bomb", slow: true, body: "local i = 0 while true do i = i + 1 KEYS[i] = string.rep('k', 1024) .. i end", want: "memory limit"},
		{name: "string.rep bomb", body: "return string.rep('x', 2^40)", want: "not enough memory"},
		{name: "deep recursion", slow: true, body: "local function f() return f() + 1 end return f()", want: "stack overflow"},
		{name: "error({})", body: "error({})", want: "ERR fnkit: the script raised an error object"},
		{name: "eval from a script", body: "return redis.call('eval', 'while true do end', '0')", want: "This Redis command is not allowed from script"},
		{name: "script flush from a script", body: "return redis.call('script', 'flush')", want: "This Redis command is not allowed from script"},
		{name: "migrate", body: "return redis.call('migrate', '127.0.0.1', '1', 'k', '0', '1000')", want: "fnkit does not implement the 'migrate' command"},
		{name: "huge reply", slow: true, body: "local t = {} for i = 1, 3e7 do t[i] = i end return t", want: "memory limit"},
		{name: "deep reply", raw: true, body: "local t = {} local c = t for i = 1, 1e5 do c[1] = {} c = c[1] end return t", want: ""},
		{name: "huge shebang", body: "#!lua flags=" + strings.Repeat("no-writes,", 100000) + "bogus\nreturn 1", want: "Unexpected flag in script shebang: bogus"},
		{name: "deeply nested code", body: "return " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000), want: "Error compiling script"},
	}
	srv := startHostileServer(t)
	for _, h := range cases {
		h := h
		t.Run(h.name, func(t *testing.T) {
			containHostile(t, srv, canary, h, func(c *rawConn) resp.Value {
				if v, err := c.Do("SCRIPT", "FLUSH"); err != nil || v.IsError() {
					t.Fatalf("SCRIPT FLUSH: %v %v", v, err)
				}
				return doHostile(t, c, h, "EVAL", h.body, "1", "k")
			})
		})
	}
}
