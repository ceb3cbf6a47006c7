package runtime_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// hostile is one hostile library: loading it (load) or calling its
// function (call) must fail with an error reply containing want, touch no
// file, and leave the server answering other clients.
type hostile struct {
	name string
	// body is the library body (after the shebang); when call is set it
	// registers a function called "h".
	body string
	// atLoad: the error comes from FUNCTION LOAD.
	atLoad bool
	want   string
	// slow cases (memory bombs) get a longer time limit so that the
	// memory limit stops them first
	slow bool
	// raw: do not decode the reply (it nests deeper than the client
	// accepts)
	raw bool
}

func TestHostileLibraries(t *testing.T) {
	canary := filepath.Join(t.TempDir(), "canary")
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	fn := func(code string) string {
		return "redis.register_function('h', function(keys, args)\n" + code + "\nend)"
	}
	cases := []hostile{
		{name: "os.execute at load", body: "os.execute('touch " + canary + "')", atLoad: true, want: "nonexistent global variable 'os'"},
		{name: "os.execute", body: fn("os.execute('touch " + canary + "')"), want: "nonexistent global variable 'os'"},
		{name: "io.open", body: fn("io.open(" + q(canary) + ", 'w')"), want: "nonexistent global variable 'io'"},
		{name: "require", body: fn("require('os')"), want: "nonexistent global variable 'require'"},
		{name: "dofile", body: fn("dofile(" + q(canary) + ")"), want: "nonexistent global variable 'dofile'"},
		{name: "loadfile", body: fn("loadfile(" + q(canary) + ")"), want: "nonexistent global variable 'loadfile'"},
		{name: "package", body: fn("return package.loaded"), want: "nonexistent global variable 'package'"},
		{name: "bytecode", body: fn("local f, e = loadstring(string.char(27) .. 'LuaQ\\0\\1\\4\\8\\4\\8\\0') if not f then error(e) end return f()"), want: "unexpected symbol near 'char(27)'"},
		{name: "string.dump", body: fn("return loadstring(string.dump(function() return 1 end))()"), want: "attempt to call a nil value"},
		{name: "string.dump of a built-in", body: fn("return string.dump(string.len)"), want: "unable to dump given function"},
		{name: "debug", body: fn("return debug.getinfo(1)"), want: "nonexistent global variable 'debug'"},
		{name: "getfenv", body: fn("return getfenv(0)"), want: "nonexistent global variable 'getfenv'"},
		{name: "setfenv", body: fn("setfenv(1, {})"), want: "nonexistent global variable 'setfenv'"},
		{name: "newproxy", body: fn("return newproxy(true)"), want: "nonexistent global variable 'newproxy'"},
		{name: "setmetatable _G", body: fn("setmetatable(_G, {__index = function() return os end})"), want: "Attempt to modify a readonly table"},
		{name: "globals metatable", body: fn("getmetatable(_G).__index = {}"), want: "Attempt to modify a readonly table"},
		{name: "rawset _G", body: fn("rawset(_G, 'os', {})"), want: "Attempt to modify a readonly table"},
		{name: "replace redis.call", body: fn("redis.call = function() end"), want: "Attempt to modify a readonly table"},
		{name: "string metatable", body: fn("getmetatable('').__index = {upper = function() return 'pwned' end}"), want: "Attempt to modify a readonly table"},
		{name: "string library", body: fn("string.upper = nil"), want: "Attempt to modify a readonly table"},
		{name: "table.insert into a library", body: fn("table.insert(string, 1)"), want: "Attempt to modify a readonly table"},
		{name: "infinite loop at load", body: "while true do end", atLoad: true, want: "FUNCTION LOAD timeout"},
		{name: "infinite loop", body: fn("while true do end"), want: "script time limit"},
		{name: "infinite loop with pcall", body: fn("while true do pcall(error, 'x') end"), want: "script time limit"},
		{name: "error handler that never returns", body: fn("return xpcall(error, function() while true do end end)"), want: "script time limit"},
		{name: "collectgarbage loop", body: fn("while true do collectgarbage('collect') end"), want: "script time limit"},
		{name: "catastrophic pattern", body: fn("return string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40) .. 'b')"), want: "script time limit"},
		{name: "table memory bomb", slow: true, body: fn("local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 1024) .. i end"), want: "memory limit"},
		{name: "concatenation bomb", slow: true, body: fn("local s = 'x' while true do s = s .. s end"), want: "memory"},
		{name: "string.rep bomb", body: fn("return string.rep('x', 2^40)"), want: "not enough memory"},
		{name: "table.concat bomb", slow: true, body: fn("local t = {} for i = 1, 100 do t[i] = string.rep('y', 4 * 1024 * 1024) end return #table.concat(t)"), want: "memory"},
		{name: "coroutine bomb", slow: true, body: fn("local t = {} local i = 0 while true do i = i + 1 t[i] = coroutine.create(function() end) end"), want: "memory"},
		{name: "coroutine spin", body: fn("local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end"), want: "script time limit"},
		{name: "coroutine infinite loop", body: fn("local co = coroutine.create(function() while true do end end) return coroutine.resume(co)"), want: "script time limit"},
		{name: "deep recursion", slow: true, body: fn("local function f() return f() + 1 end return f()"), want: "stack overflow"},
		{name: "metamethod recursion", slow: true, body: fn("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x"), want: "stack overflow"},
		{name: "pcall nesting", body: fn("local function f() return pcall(f) end return select('#', f())"), want: ""},
		{name: "__tostring recursion", body: fn("local t t = setmetatable({}, {__tostring = function(x) return tostring(x) end}) return tostring(t)"), want: "overflow"},
		{name: "gsub recursion", body: fn("local function f(s) return (string.gsub(s, '.', f)) end return f('abc')"), want: "overflow"},
		{name: "error({})", body: fn("error({})"), want: "ERR fnkit: the script raised an error object"},
		{name: "error with table metatable", body: fn("error(setmetatable({}, {__index = function() while true do end end}))"), want: "ERR"},
		{name: "huge unpack", body: fn("return unpack({}, 1, 1e8)"), want: "too many results to unpack"},
		{name: "huge format width", body: fn("return string.format('%99999d', 1)"), want: "invalid format"},
		{name: "huge reply", slow: true, body: fn("local t = {} for i = 1, 3e7 do t[i] = i end return t"), want: "memory limit"},
		{name: "deep reply", raw: true, body: fn("local t = {} local c = t for i = 1, 1e5 do c[1] = {} c = c[1] end return t"), want: ""},
		{name: "load reader never ends", body: fn("return load(function() return 'x = 1 ' end)"), want: ""},
		{name: "migrate", body: fn("return redis.call('migrate', '127.0.0.1', '1', 'k', '0', '1000')"), want: "fnkit does not implement the 'migrate' command"},
		{name: "debug sleep", body: fn("return redis.call('debug', 'sleep', '10')"), want: "This Redis command is not allowed from script"},
		{name: "shutdown", body: fn("return redis.call('shutdown')"), want: "This Redis command is not allowed from script"},
		{name: "config set from script", body: fn("return redis.call('config', 'set', 'requirepass', 'x')"), want: "This Redis command is not allowed from script"},
		{name: "cjson deep", body: fn("return cjson.decode(string.rep('[', 100000))"), want: "Found too many nested data structures"},
		{name: "cmsgpack huge declared array", body: fn("return cmsgpack.unpack('\\221\\255\\255\\255\\255')"), want: "Missing bytes in input."},
		{name: "register_function saved", body: "local r = redis.register_function\nredis.register_function('h', function() return r('x', function() end) end)", want: "can only be called on FUNCTION LOAD command"},
	}
	srv := startHostileServer(t)
	for _, h := range cases {
		h := h
		t.Run(h.name, func(t *testing.T) {
			containHostile(t, srv, canary, h, func(c *rawConn) resp.Value {
				load, err := c.Do("FUNCTION", "LOAD", "#!lua name=hostile\n"+h.body)
				if err != nil {
					t.Fatal(err)
				}
				if h.atLoad {
					return load
				}
				if load.IsError() {
					t.Fatalf("load failed: %v", load)
				}
				return doHostile(t, c, h, "FCALL", "h", "0")
			})
		})
	}
}

// startHostileServer starts a runtime with short limits for hostile code.
func startHostileServer(t *testing.T) *runtime.Server {
	t.Helper()
	srv, err := runtime.Start(runtime.Config{
		ScriptTimeLimit:    600 * time.Millisecond,
		ScriptMemoryLimit:  32 << 20,
		BusyReplyThreshold: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// doHostile sends the command that runs hostile code and returns its reply
// (a summary of the raw bytes when h.raw).
func doHostile(t *testing.T, c *rawConn, h hostile, args ...string) resp.Value {
	t.Helper()
	if h.raw {
		raw, err := c.DoRaw(args...)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Bulk(fmt.Sprintf("%d bytes: %.40q", len(raw), raw))
	}
	reply, err := c.Do(args...)
	if err != nil {
		t.Fatal(err)
	}
	return reply
}

// containHostile runs hostile code through run while another client keeps
// pinging, and checks that the reply is an error containing h.want, that
// no file appeared at canary and that the server still answers.
func containHostile(t *testing.T, srv *runtime.Server, canary string, h hostile, run func(c *rawConn) resp.Value) {
	t.Helper()
	c := dial(t, srv.Addr())
	reset(t, c)
	limit := "600"
	if h.slow {
		limit = "30000"
	}
	if v, err := c.Do("CONFIG", "SET", "fnkit-script-time-limit", limit); err != nil || v.IsError() {
		t.Fatalf("CONFIG SET: %v %v", v, err)
	}
	// another client keeps pinging while the hostile code runs
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var pingErr error
	var pings int
	var slowest time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		o, err := resp.Dial(srv.Addr())
		if err != nil {
			pingErr = err
			return
		}
		defer o.Close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			o.SetDeadline(time.Now().Add(30 * time.Second))
			start := time.Now()
			v, err := o.Do("PING")
			if d := time.Since(start); d > slowest {
				slowest = d
			}
			if err != nil {
				pingErr = err
				return
			}
			if v.Str != "PONG" && !strings.HasPrefix(v.Str, "BUSY") {
				pingErr = fmt.Errorf("PING: %v", v)
				return
			}
			pings++
			time.Sleep(20 * time.Millisecond)
		}
	}()
	reply := run(c)
	close(stop)
	wg.Wait()
	if pingErr != nil {
		t.Errorf("the server stopped answering other clients: %v", pingErr)
	}
	if slowest > time.Second {
		t.Logf("slowest PING of another client during the case: %v", slowest)
	}
	if h.want != "" && (!reply.IsError() || !strings.Contains(reply.Str, h.want)) {
		t.Errorf("reply %q, want an error containing %q", trunc(reply.String(), 300), h.want)
	}
	if h.want == "" {
		t.Logf("reply: %s", trunc(reply.String(), 200))
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatalf("hostile code created %s", canary)
	}
	if v, err := c.Do("PING"); err != nil || v.Str != "PONG" {
		t.Fatalf("server unusable after the case: %v %v", v, err)
	}
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
