package runtime_test

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/resp"
)

// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: the same commands on
// fnkit's runtime and on a real redis-server 7.0.15, in RESP2 and RESP3,
// replies compared byte for byte. Every case starts with SCRIPT FLUSH on
// both servers.

// scriptSkip documents the script cases known to differ.
var scriptSkip = map[string]string{
	"script debug yes": "fnkit has no Lua debugger: SCRIPT DEBUG YES and SYNC answer an error where Redis starts a debugging session",
}

// shaOf is a script's SHA1 as Redis names it.
func shaOf(script string) string {
	sum := sha1.Sum([]byte(script))
	return hex.EncodeToString(sum[:])
}

func eval(code string, numkeys string, rest ...string) []string {
	return append([]string{"EVAL", code, numkeys}, rest...)
}

func TestDiffScripts(t *testing.T) {
	const (
		ret1    = "return 1"
		ret1SHA = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
		unknown = "ffffffffffffffffffffffffffffffffffffffff"
		noWr    = "#!lua flags=no-writes\n"
		allowOO = "#!lua flags=allow-oom\n"
	)
	upper := "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"
	spin := fn1("fnrand", "return math.random(1000)")
	type sc struct {
		name      string
		setup     [][]string
		cmds      [][]string
		unordered bool
	}
	base := []sc{
		// the script and its arguments
		{name: "keys and args", cmds: [][]string{
			eval("return {#KEYS, #ARGV, KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", "2", "k1", "k2", "a1", "a2"),
			eval("return {#KEYS, #ARGV}", "0"),
			eval("return KEYS", "3", "a", "b", "c"),
			eval("return ARGV", "0", "x", "", "z"),
		}},
		{name: "keys table is writable", cmds: [][]string{
			eval("KEYS[1] = 'changed' return KEYS[1]", "1", "k"),
			eval("table.insert(ARGV, 'more') return ARGV", "0", "a"),
		}},
		{name: "keys replaced per call", cmds: [][]string{
			eval("return KEYS[1]", "1", "first"), eval("return KEYS[1]", "1", "second"), eval("return KEYS[1]", "0"),
		}},
		{name: "reply conversions", cmds: [][]string{
			eval("return {1, 'two', {ok='THREE'}, 3.9, -2.5, true, false}", "0"),
			eval("return {err='MYERR custom'}", "0"),
			eval("return {double=3.5}", "0"),
			eval("return {map={a=1}}", "0"),
			eval("return {set={x=true}}", "0"),
			eval("return {big_number='123456789012345678901234567890'}", "0"),
			eval("return {verbatim_string={format='txt', string='hello'}}", "0"),
			eval("return nil", "0"),
			eval("return", "0"),
		}},
		{name: "setresp", cmds: [][]string{
			cmd("HSET", "h", "f", "v"),
			eval("redis.setresp(3) return redis.call('hgetall', KEYS[1])", "1", "h"),
			eval("redis.setresp(3) return {redis.call('get', 'nosuch') == nil, true, false}", "0"),
			eval("return redis.call('hgetall', KEYS[1])", "1", "h"),
			eval("redis.setresp(4)", "0"),
			eval("redis.setresp()", "0"),
			eval("redis.setresp(3) return redis.call('zscore', 'nosuch', 'm')", "0"),
		}},
		{name: "set_repl", cmds: [][]string{
			eval("redis.set_repl(redis.REPL_ALL) redis.set_repl(redis.REPL_NONE) return redis.call('set', 'k', 'v')", "0"),
			eval("redis.set_repl(99)", "0"),
			eval("redis.set_repl()", "0"),
			eval("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}", "0"),
			cmd("GET", "k"),
		}},
		{name: "errors", cmds: [][]string{
			eval("error('boom')", "0"),
			eval("\n\nerror('line three')", "0"),
			eval("error('plain', 0)", "0"),
			eval("error({err='MYERR custom'})", "0"),
			eval("error(nil)", "0"),
			eval("error(123)", "0"),
			eval("return redis.error_reply('MYERR x')", "0"),
			eval("return redis.status_reply('DONE')", "0"),
			eval("local x = nil; return x.y", "0"),
			eval("return #nil", "0"),
		}},
		{name: "redis.call errors", cmds: [][]string{
			cmd("SET", "str", "abc"),
			eval("return redis.call('nosuch')", "0"),
			eval("return redis.call('get')", "0"),
			eval("return redis.call()", "0"),
			eval("return redis.call('get', {})", "0"),
			eval("return redis.call('incr', KEYS[1])", "1", "str"),
			eval("return redis.pcall('incr', KEYS[1])", "1", "str"),
			eval("local r = redis.pcall('incr', KEYS[1]) return r.err", "1", "str"),
			eval("return redis.call('lpush', KEYS[1], 'x')", "1", "str"),
			eval("return pcall(redis.call, 'nosuch')", "0"),
		}},
		{name: "compile errors", cmds: [][]string{
			eval("return 1 +", "0"),
			eval("return (", "0"),
			eval("x =", "0"),
			eval("#!lua\nreturn +", "0"),
			eval("#!lua flags=no-writes\n\nreturn +", "0"),
			cmd("SCRIPT", "LOAD", "return 1 +"),
			cmd("SCRIPT", "EXISTS", "1e7fd7db2fd4ddb79e3a2cd0e8d0dfd2ba0bcbc3"),
		}},
		{name: "runtime error lines with a shebang", cmds: [][]string{
			eval("#!lua\nerror('on two')", "0"),
			eval("#!lua flags=no-writes\n\n\nreturn redis.call('nosuch')", "0"),
			eval("#!lua\nreturn nosuchglobal", "0"),
		}},

		// numkeys and arity
		{name: "numkeys", cmds: [][]string{
			eval(ret1, "x"),
			eval(ret1, ""),
			eval(ret1, " 1", "a"),
			eval(ret1, "1.0", "a"),
			eval(ret1, "-1"),
			eval(ret1, "2", "a"),
			eval(ret1, "99999999999999999999"),
			eval(ret1, "+1", "a"),
			eval(ret1, "01", "a"),
			eval("return 1 +", "x"),
		}},
		{name: "arity", cmds: [][]string{
			cmd("EVAL"), cmd("EVAL", ret1), cmd("EVALSHA", ret1SHA), cmd("EVAL_RO", ret1), cmd("EVALSHA_RO"),
			cmd("SCRIPT"), cmd("SCRIPT", "LOAD"), cmd("SCRIPT", "LOAD", "a", "b"), cmd("SCRIPT", "EXISTS"),
			cmd("SCRIPT", "KILL", "x"), cmd("SCRIPT", "HELP", "x"), cmd("SCRIPT", "DEBUG"), cmd("SCRIPT", "NOSUCH"), cmd("script", "nosuch", "x"),
		}},

		// the script cache
		{name: "evalsha", cmds: [][]string{
			cmd("EVALSHA", ret1SHA, "0"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("EVALSHA", ret1SHA, "0"),
			cmd("EVALSHA", upper, "0"),
			cmd("EVALSHA_RO", ret1SHA, "0"),
			cmd("EVALSHA", unknown, "0"),
			cmd("EVALSHA", "abc", "0"),
			cmd("EVALSHA", "abc", "x"),
			cmd("EVALSHA", unknown, "x"),
			cmd("EVALSHA", ret1SHA+"0", "0"),
			cmd("EVALSHA", ret1SHA, "1"),
		}},
		{name: "eval caches", cmds: [][]string{
			cmd("SCRIPT", "EXISTS", ret1SHA),
			eval(ret1, "0"),
			cmd("SCRIPT", "EXISTS", ret1SHA, upper, unknown, "abc", ""),
			cmd("EVALSHA", ret1SHA, "0"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("SCRIPT", "LOAD", ret1),
		}},
		{name: "script flush", cmds: [][]string{
			cmd("SCRIPT", "LOAD", ret1),
			cmd("SCRIPT", "FLUSH"),
			cmd("SCRIPT", "EXISTS", ret1SHA),
			cmd("EVALSHA", ret1SHA, "0"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("SCRIPT", "FLUSH", "ASYNC"),
			cmd("SCRIPT", "FLUSH", "sync"),
			cmd("SCRIPT", "FLUSH", "bogus"),
			cmd("SCRIPT", "FLUSH", "sync", "async"),
			cmd("SCRIPT", "EXISTS", ret1SHA),
		}},
		{name: "script flush keeps functions and data", cmds: [][]string{
			load(fn1("keep", "return 'kept'")),
			cmd("SET", "k", "v"),
			cmd("SCRIPT", "FLUSH"),
			call("keep"),
			cmd("GET", "k"),
			cmd("FUNCTION", "FLUSH"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("FLUSHALL"),
			cmd("SCRIPT", "EXISTS", ret1SHA),
		}},
		{name: "script load", cmds: [][]string{
			cmd("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 'ro'"),
			cmd("SCRIPT", "LOAD", "#!lua flags=bogus\nreturn 1"),
			cmd("SCRIPT", "EXISTS", "0000000000000000000000000000000000000000"),
			cmd("SCRIPT", "LOAD", ""),
			cmd("EVAL", "", "0"),
		}},
		{name: "script help", cmds: [][]string{cmd("SCRIPT", "HELP"), cmd("script", "help")}},
		{name: "script debug", cmds: [][]string{cmd("SCRIPT", "DEBUG", "no"), cmd("SCRIPT", "DEBUG", "maybe"), cmd("SCRIPT", "DEBUG", "NO")}},
		{name: "script debug yes", cmds: [][]string{cmd("SCRIPT", "DEBUG", "yes"), cmd("SCRIPT", "DEBUG", "no")}},
		{name: "idle kill", cmds: [][]string{cmd("SCRIPT", "KILL"), cmd("FUNCTION", "KILL"), cmd("FUNCTION", "STATS")}},

		// the environment
		{name: "global writes", cmds: [][]string{
			eval("x = 1", "0"),
			eval("_G.x = 1", "0"),
			eval("rawset(_G, 'x', 1)", "0"),
			eval("KEYS = {}", "0"),
			eval("setmetatable(_G, nil)", "0"),
			eval("string.x = 1", "0"),
			eval("redis.call = nil", "0"),
			eval("getmetatable('').__index = {}", "0"),
			eval("function f() end", "0"),
		}},
		{name: "nonexistent globals", cmds: [][]string{
			eval("return y", "0"),
			eval("return debug", "0"),
			eval("return os", "0"),
			eval("return print", "0"),
			eval("return io", "0"),
			eval("return require", "0"),
			eval("return loadfile", "0"),
			eval("return rawget(_G, 'y')", "0"),
		}},
		{name: "globals list", cmds: [][]string{
			eval("local n = 0 for k in pairs(_G) do n = n + 1 end return n", "0"),
			eval("local t = {} for _, k in ipairs({'KEYS', 'ARGV', '__redis__err__handler', 'redis', 'cjson', 'bit', 'struct', 'cmsgpack', 'string', 'math', 'table', 'coroutine', 'loadstring', 'pcall', 'xpcall', 'getfenv', 'setfenv', 'newproxy', '_VERSION'}) do table.insert(t, k .. '=' .. type(rawget(_G, k))) end return t", "0"),
			eval("return _VERSION", "0"),
			eval("return type(getmetatable(_G))", "0"),
		}},
		{name: "varargs of the main chunk", cmds: [][]string{
			eval("return select('#', ...)", "1", "k", "a"),
			eval("return {...}", "0"),
			eval("return type(arg)", "0"),
			eval("local function f(...) return arg.n end return f(1, 2)", "0"),
			eval("return (function(...) return select('#', ...) end)(1, nil, 3)", "0"),
		}},
		{name: "error handler global", cmds: [][]string{
			eval("return type(__redis__err__handler)", "0"),
			eval("local t = __redis__err__handler('x') return {t.err, t.source, t.line}", "0"),
			eval("return __redis__err__handler({err='E y'})", "0"),
			eval("return xpcall(function() error('z') end, __redis__err__handler)", "0"),
			eval("local ok, e = xpcall(function() error('z') end, __redis__err__handler) return {tostring(ok), e.err, e.source, e.line}", "0"),
		}},
		{name: "eval-only redis api", cmds: [][]string{
			eval("return redis.replicate_commands()", "0"),
			eval("return {redis.breakpoint()}", "0"),
			eval("return {redis.breakpoint(), 'after'}", "0"),
			eval("return select('#', redis.debug('x', 1, {}))", "0"),
			eval("return {type(redis.breakpoint), type(redis.debug), type(redis.replicate_commands), type(redis.register_function)}", "0"),
			eval("return redis.register_function('f', function() end)", "0"),
		}},
		{name: "redis api", cmds: [][]string{
			eval("return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}", "0"),
			eval("return redis.sha1hex('')", "0"),
			eval("return redis.sha1hex()", "0"),
			eval("redis.log(redis.LOG_WARNING, 'from a script') return 'logged'", "0"),
			eval("redis.log(9, 'x')", "0"),
			eval("return redis.acl_check_cmd('get', 'k')", "0"),
			eval("return redis.acl_check_cmd('nosuch')", "0"),
			eval("return cjson.encode({1, 2, 3})", "0"),
			eval("return cmsgpack.unpack(cmsgpack.pack({1, 'a'}))", "0"),
			eval("return {bit.band(7, 3), struct.pack('>I2', 258)}", "0"),
		}},
		{name: "loadstring", cmds: [][]string{
			eval("return loadstring('return KEYS[1]')()", "1", "k"),
			eval("return loadstring('error(\"in chunk\")')()", "0"),
			eval("local f, e = loadstring('return +') return e", "0"),
			eval("return loadstring('x = 1')()", "0"),
		}},
		{name: "pcall", cmds: [][]string{
			eval("return {pcall(error, 'x')}", "0"),
			eval("return {pcall(error, {err='E t'})}", "0"),
			eval("return {pcall(redis.call, 'incr', 'nosuchkey', 'extra')}", "0"),
		}},
		{name: "math.random shared with functions", setup: [][]string{load(spin)}, cmds: [][]string{
			eval("return math.random(1000)", "0"),
			call("fnrand"),
			eval("return math.random(1000)", "0"),
			cmd("SCRIPT", "FLUSH"),
			eval("return math.random(1000)", "0"),
			eval("math.randomseed(7) return math.random(1000)", "0"),
			call("fnrand"),
		}},
		{name: "tostring and numbers", cmds: [][]string{
			eval("return tostring(1/3)", "0"),
			eval("return {tostring(1e15), tostring(2^53), tostring(-0.0)}", "0"),
			eval("return redis.call('set', KEYS[1], 0.1) and redis.call('get', KEYS[1])", "1", "n"),
			eval("return redis.call('incrbyfloat', KEYS[1], 1.5)", "1", "f"),
		}},

		// shebangs
		{name: "shebang engines", cmds: [][]string{
			eval("#!lua\nreturn 'plain'", "0"),
			eval("#!lua", "0"),
			eval("#!LUA\nreturn 1", "0"),
			eval("#!Lua\nreturn 1", "0"),
			eval("#! lua\nreturn 1", "0"),
			eval("#!\nreturn 1", "0"),
			eval("#!js\nreturn 1", "0"),
			eval("#!lua \"\nreturn 1", "0"),
			eval("#!lua\r\nreturn 'cr'", "0"),
			eval("#!lua\t\nreturn 'tab'", "0"),
			eval("#!lua\x00\nreturn 1", "0"),
			eval("#!\"lua\"\nreturn 'quoted'", "0"),
		}},
		{name: "shebang options", cmds: [][]string{
			eval("#!lua name=x\nreturn 1", "0"),
			eval("#!lua flags=\nreturn 'empty flags'", "0"),
			eval("#!lua flags=no-writes,\nreturn 1", "0"),
			eval("#!lua flags=no-writes,bogus\nreturn 1", "0"),
			eval("#!lua flags=NO-WRITES\nreturn 1", "0"),
			eval("#!lua FLAGS=no-writes\nreturn 1", "0"),
			eval("#!lua flags=no-writes flags=allow-oom\nreturn 'two'", "0"),
			eval("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 'all'", "0"),
			eval("#!lua flags=no-writes,no-writes\nreturn 'twice'", "0"),
			eval("#!lua flags=\"no-writes,allow-oom\"\nreturn 'quoted'", "0"),
			eval("#!lua flags=,\nreturn 1", "0"),
		}},

		// flags and their effects
		{name: "no-writes", cmds: [][]string{
			eval(noWr+"return redis.call('set', KEYS[1], 'v')", "1", "k"),
			eval(noWr+"return redis.call('get', KEYS[1])", "1", "k"),
			eval(noWr+"return redis.call('publish', 'ch', 'm')", "0"),
			eval(noWr+"return redis.pcall('del', KEYS[1])", "1", "k"),
			cmd("EVAL_RO", noWr+"return redis.call('exists', KEYS[1])", "1", "k"),
		}},
		{name: "compat mode writes", cmds: [][]string{
			eval("return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"),
			eval("return redis.call('get', KEYS[1])", "1", "k"),
			eval("redis.call('del', KEYS[1]) return redis.call('exists', KEYS[1])", "1", "k"),
			eval("return redis.call('publish', 'ch', 'm')", "0"),
		}},
		{name: "eval_ro", cmds: [][]string{
			cmd("SET", "k", "v"),
			cmd("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"),
			cmd("EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "k"),
			cmd("EVAL_RO", "return redis.pcall('set', KEYS[1], 'x')", "1", "k"),
			cmd("EVAL_RO", "return redis.call('publish', 'ch', 'm')", "0"),
			cmd("EVAL_RO", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "k"),
			cmd("EVAL_RO", allowOO+"return 1", "0"),
			cmd("EVAL_RO", "#!lua flags=bogus\nreturn 1", "0"),
			cmd("EVAL_RO", "return 1 +", "0"),
			cmd("GET", "k"),
		}},
		{name: "evalsha_ro", cmds: [][]string{
			cmd("SCRIPT", "LOAD", "#!lua\nreturn 'w'"),
			cmd("SCRIPT", "LOAD", noWr+"return 'r'"),
			cmd("SCRIPT", "LOAD", "return redis.call('set', 'k', 'v')"),
			cmd("EVALSHA_RO", shaOf("#!lua\nreturn 'w'"), "0"),
			cmd("EVALSHA_RO", shaOf(noWr+"return 'r'"), "0"),
			cmd("EVALSHA_RO", shaOf("return redis.call('set', 'k', 'v')"), "0"),
			cmd("GET", "k"),
		}},
		{name: "maxmemory", cmds: [][]string{
			cmd("SET", "k", "v"),
			cmd("SCRIPT", "LOAD", "#!lua\nreturn redis.call('set', KEYS[1], 'x')"),
			cmd("CONFIG", "SET", "maxmemory", "1"),
			eval("return redis.call('get', KEYS[1])", "1", "k"),
			eval("return redis.call('set', KEYS[1], 'x')", "1", "k"),
			eval("return redis.pcall('set', KEYS[1], 'x')", "1", "k"),
			eval("redis.call('del', KEYS[1]) return redis.call('set', KEYS[1], 'x')", "1", "k"),
			eval("#!lua\nreturn 1", "0"),
			eval("#!lua\nreturn redis.call('set', KEYS[1], 'x')", "1", "k"),
			eval(noWr+"return redis.call('get', KEYS[1])", "1", "k"),
			eval(allowOO+"return redis.call('set', KEYS[1], 'oom ok')", "1", "k"),
			eval("#!lua flags=bogus\nreturn 1", "0"),
			cmd("EVALSHA", shaOf("#!lua\nreturn redis.call('set', KEYS[1], 'x')"), "1", "k"),
			cmd("EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "k"),
			cmd("MULTI"),
			eval("#!lua\nreturn 1", "0"),
			cmd("DISCARD"),
			cmd("CONFIG", "SET", "maxmemory", "0"),
			cmd("GET", "k"),
		}},
		{name: "multi", cmds: [][]string{
			cmd("MULTI"),
			eval("return redis.call('incr', KEYS[1])", "1", "c"),
			eval("return redis.call('incr', KEYS[1])", "1", "c"),
			eval(ret1, "x"),
			cmd("EVALSHA", unknown, "0"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("EXEC"),
		}},
		{name: "watch sees script writes", cmds: [][]string{
			cmd("WATCH", "w"),
			eval("return redis.call('set', KEYS[1], '1')", "1", "w"),
			cmd("MULTI"),
			cmd("PING"),
			cmd("EXEC"),
		}},
		{name: "select inside a script", cmds: [][]string{
			eval("redis.call('select', 1) redis.call('set', KEYS[1], 'db1') return redis.call('get', KEYS[1])", "1", "k"),
			cmd("GET", "k"),
			cmd("SELECT", "1"),
			cmd("GET", "k"),
			eval("return redis.call('get', KEYS[1])", "1", "k"),
			cmd("SELECT", "0"),
		}},
		{name: "commands denied in scripts", cmds: [][]string{
			eval("return redis.call('eval', 'return 1', '0')", "0"),
			eval("return redis.call('evalsha', ARGV[1], '0')", "0", ret1SHA),
			eval("return redis.call('script', 'load', 'return 1')", "0"),
			eval("return redis.call('script', 'kill')", "0"),
			eval("return redis.call('script', 'flush')", "0"),
			eval("return redis.call('fcall', 'f', '0')", "0"),
			eval("return redis.call('function', 'list')", "0"),
			eval("return redis.call('multi')", "0"),
			eval("return redis.pcall('blpop', 'l', '0')", "0"),
		}},
		{name: "scripts and functions apart", setup: [][]string{load(lib("apart", `
redis.register_function('seekeys', function(keys, args) return KEYS end)
redis.register_function('seehandler', function(keys, args) return __redis__err__handler end)
redis.register_function('seereplicate', function(keys, args) return redis.replicate_commands() end)
`))}, cmds: [][]string{
			eval("return 'script first'", "1", "k"),
			cmd("FCALL", "seekeys", "1", "k"),
			call("seehandler"),
			call("seereplicate"),
			eval("return redis.call('fcall', 'seekeys', '0')", "0"),
		}},
		{name: "command getkeys", cmds: [][]string{
			cmd("COMMAND", "GETKEYS", "EVAL", ret1, "2", "a", "b", "c"),
			cmd("COMMAND", "GETKEYS", "EVALSHA", ret1SHA, "1", "a"),
			cmd("COMMAND", "GETKEYS", "EVAL_RO", ret1, "1", "a", "b"),
			cmd("COMMAND", "GETKEYS", "EVAL", ret1, "0"),
			cmd("COMMAND", "GETKEYS", "EVAL", ret1, "x"),
			cmd("COMMAND", "INFO", "eval", "evalsha_ro"),
		}},
		// subcommands come in the order of a randomly seeded dict
		{name: "command info script", unordered: true, cmds: [][]string{cmd("COMMAND", "INFO", "script", "script|load")}},
		{name: "acl", setup: [][]string{cmd("ACL", "SETUSER", "scripter", "on", "nopass", "+eval", "+evalsha", "+script|load", "+get", "~k*")}, cmds: [][]string{
			cmd("AUTH", "scripter", "x"),
			eval("return redis.call('get', KEYS[1])", "1", "k1"),
			eval("return redis.call('set', KEYS[1], 'v')", "1", "k1"),
			eval("return redis.pcall('get', 'other')", "0"),
			eval("return redis.call('get', KEYS[1])", "1", "other"),
			eval("return {redis.acl_check_cmd('get', 'k1'), redis.acl_check_cmd('get', 'other'), redis.acl_check_cmd('set', 'k1', 'v')}", "0"),
			cmd("EVAL_RO", ret1, "0"),
			cmd("SCRIPT", "LOAD", ret1),
			cmd("SCRIPT", "FLUSH"),
			cmd("AUTH", "default", "x"),
			cmd("ACL", "DELUSER", "scripter"),
		}},
		{name: "function stats after scripts", cmds: [][]string{
			eval(ret1, "0"),
			cmd("FUNCTION", "STATS"),
		}},
		{name: "big reply", cmds: [][]string{
			eval("local t = {} for i = 1, 1000 do t[i] = i end return t", "0"),
			eval("return string.rep('x', 100000)", "0"),
		}},
	}
	var cases []dcase
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		for _, b := range base {
			cases = append(cases, dcase{
				name:      p + b.name,
				resp3:     resp3,
				setup:     append([][]string{cmd("SCRIPT", "FLUSH")}, b.setup...),
				cmds:      b.cmds,
				unordered: b.unordered,
				skip:      scriptSkip[b.name],
			})
		}
	}
	runCases(t, cases)
}

// INFO commandstats and errorstats count EVAL, EVALSHA, SCRIPT and the
// commands scripts run (calls, rejected and failed calls; the times
// differ) and the error replies as Redis does.
func TestDiffScriptStats(t *testing.T) {
	srv, real := startPair(t)
	seq := [][]string{
		{"SCRIPT", "FLUSH"}, {"CONFIG", "RESETSTAT"},
		eval("return redis.call('set', KEYS[1], 'v')", "1", "k"),
		eval("return redis.call('get', KEYS[1])", "1", "k"),
		eval("return redis.call('incr', KEYS[1])", "1", "k"),
		eval("return redis.pcall('incr', KEYS[1])", "1", "k"),
		eval("return redis.pcall('nosuch')", "0"),
		eval("return 1", "x"),
		eval("return 1 +", "0"),
		eval("error('x')", "0"),
		eval("return {err='MY own'}", "0"),
		{"SCRIPT", "LOAD", "return 1"},
		{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
		{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
		{"EVALSHA_RO", "abc", "0"},
		{"EVAL_RO", "return redis.call('del', KEYS[1])", "1", "k"},
		{"EVAL"},
		{"SCRIPT", "EXISTS", "a", "b"},
		{"SCRIPT", "KILL"},
		{"SCRIPT", "NOSUCH"},
		// errors of the commands a script runs, raised, caught, returned,
		// nested in a reply, marked by the script itself (Redis's suite:
		// "Consistent eval error reporting")
		eval("return redis.call('hset', KEYS[1], 'f', 'v')", "1", "k"),
		eval("local t = redis.pcall('incr', KEYS[1]) return 1", "1", "k"),
		eval("return {redis.pcall('incr', KEYS[1]), redis.pcall('nosuch'), redis.error_reply('MINE x'), 7}", "1", "k"),
		eval("return redis.pcall('xsetid', 'nokey', '1-1')", "0"),
		eval("return redis.call('xsetid', 'nokey', '1-1')", "0"),
		eval("return redis.call('get')", "0"),
		eval("return redis.call('eval', 'return 1', '0')", "0"),
		eval("return redis.call('get', {})", "0"),
		eval("error({err='OWN y', ignore_error_stats_update=true})", "0"),
		eval("return {err='OWN z', ignore_error_stats_update=true}", "0"),
		{"EVAL_RO", "return redis.pcall('set', KEYS[1], 'x')", "1", "k"},
		{"FUNCTION", "LOAD", "REPLACE", "#!lua name=statlib\nredis.register_function('callit', function(k, a) return redis.call(unpack(a)) end)\nredis.register_function('pcallit', function(k, a) return redis.pcall(unpack(a)) end)"},
		{"FCALL", "callit", "0", "incr", "k"},
		{"FCALL", "pcallit", "0", "incr", "k"},
		{"FCALL", "pcallit", "0", "set", "n", "1"},
		{"FCALL_RO", "callit", "0", "get", "n"},
		{"FCALL", "callit", "0", "nosuch"},
		{"FCALL", "nosuchfn", "0"},
		{"CONFIG", "SET", "maxmemory", "1"},
		eval("return redis.call('set', 'x', 'y')", "1", "x"),
		eval("return redis.pcall('set', 'x', 'y')", "1", "x"),
		{"FCALL", "callit", "0", "set", "x", "y"},
		{"SET", "x", "y"},
		{"CONFIG", "SET", "maxmemory", "0"},
	}
	var stats [2]map[string]string
	for i, addr := range []string{srv.Addr(), real.Addr} {
		c := dial(t, addr)
		reset(t, c)
		for _, a := range seq {
			if _, err := c.DoRaw(a...); err != nil {
				t.Fatal(err)
			}
		}
		stats[i] = map[string]string{}
		for _, section := range []string{"commandstats", "errorstats"} {
			v, err := c.Do("INFO", section)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(v.Str, "\r\n") {
				name, val, ok := strings.Cut(line, ":")
				if !ok || strings.HasPrefix(name, "cmdstat_info") || strings.HasPrefix(name, "cmdstat_config") {
					continue
				}
				// keep the counts, not the times
				var keep []string
				for _, f := range strings.Split(val, ",") {
					if !strings.HasPrefix(f, "usec") {
						keep = append(keep, f)
					}
				}
				stats[i][name] = strings.Join(keep, ",")
			}
		}
	}
	for name, want := range stats[1] {
		got := stats[0][name]
		if got != want {
			t.Errorf("%s\n  redis: %s\n  fnkit: %s", name, want, got)
		}
	}
	for name, got := range stats[0] {
		if _, ok := stats[1][name]; !ok {
			t.Errorf("%s only on fnkit: %s", name, got)
		}
	}
}

// SCRIPT DEBUG refuses to run behind other replies of the same pipeline
// (also inside EXEC), as Redis does.
func TestDiffScriptDebugPipeline(t *testing.T) {
	srv, real := startPair(t)
	for _, p := range []struct {
		payload string
		replies int
	}{
		{"PING\r\nSCRIPT DEBUG NO\r\n", 2},
		{"MULTI\r\nSCRIPT DEBUG NO\r\nEXEC\r\n", 3},
		{"SCRIPT DEBUG NO\r\nSCRIPT DEBUG NO\r\n", 2},
	} {
		var got [2]string
		for i, addr := range []string{srv.Addr(), real.Addr} {
			c := dial(t, addr)
			if _, err := c.c.Write([]byte(p.payload)); err != nil {
				t.Fatal(err)
			}
			r := resp.NewReader(c.r)
			for j := 0; j < p.replies; j++ {
				c.c.SetDeadline(time.Now().Add(10 * time.Second))
				v, err := r.ReadValue()
				if err != nil {
					t.Fatal(err)
				}
				got[i] += string(resp.Append(nil, v, false))
			}
		}
		if got[0] != got[1] {
			t.Errorf("%q\n  redis: %q\n  fnkit: %q", p.payload, got[1], got[0])
		}
	}
}

// A transaction queued before the server went over maxmemory: EXEC is
// refused when a queued EVAL's shebang makes it denyoom (no allow-oom, no
// no-writes), and runs when its scripts are in compatibility mode or
// allowed.
func TestDiffScriptMultiOOM(t *testing.T) {
	srv, real := startPair(t)
	for _, queued := range [][][]string{
		{eval("#!lua\nreturn 1", "0"), eval("return 2", "0")},
		{eval("return redis.call('get', 'k')", "0"), eval("#!lua flags=no-writes\nreturn 2", "0")},
		{eval("#!lua flags=allow-oom\nreturn redis.call('set', 'k', 'v')", "0")},
		{eval("return redis.call('set', 'k', 'v')", "0")},
		{{"SCRIPT", "LOAD", "#!lua\nreturn 1"}, {"EVALSHA", shaOf("#!lua\nreturn 1"), "0"}},
	} {
		var got [2][]string
		for i, addr := range []string{srv.Addr(), real.Addr} {
			a, b := dial(t, addr), dial(t, addr)
			reset(t, a)
			for _, c := range append(append([][]string{{"SCRIPT", "FLUSH"}, {"MULTI"}}, queued...), []string{"EXEC"}) {
				if c[0] == "EXEC" {
					if v, err := b.Do("CONFIG", "SET", "maxmemory", "1"); err != nil || v.IsError() {
						t.Fatalf("%v %v", v, err)
					}
				}
				raw, err := a.DoRaw(c...)
				if err != nil {
					t.Fatal(err)
				}
				got[i] = append(got[i], string(raw))
			}
			if v, err := b.Do("CONFIG", "SET", "maxmemory", "0"); err != nil || v.IsError() {
				t.Fatalf("%v %v", v, err)
			}
		}
		if strings.Join(got[0], "") != strings.Join(got[1], "") {
			t.Errorf("%q\n  redis: %q\n  fnkit: %q", queued, got[1], got[0])
		}
	}
}

// INFO memory's number_of_cached_scripts follows the cache as Redis's
// does (failed scripts are not cached; SCRIPT FLUSH empties it; FUNCTION
// FLUSH and FLUSHALL do not).
func TestDiffScriptInfo(t *testing.T) {
	srv, real := startPair(t)
	field := func(t *testing.T, c *rawConn, name string) string {
		v, err := c.Do("INFO", "memory")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(v.Str, "\r\n") {
			if k, val, ok := strings.Cut(line, ":"); ok && k == name {
				return val
			}
		}
		return "(missing)"
	}
	steps := [][]string{
		{"SCRIPT", "FLUSH"},
		{"SCRIPT", "LOAD", "return 1"},
		{"SCRIPT", "LOAD", "return 1"},
		eval("return 2", "0"),
		eval("return 1 +", "0"),
		eval("#!lua flags=bogus\nreturn 1", "0"),
		eval("#!lua\nreturn 3", "0"),
		{"FUNCTION", "FLUSH"},
		{"FLUSHALL"},
		{"SCRIPT", "FLUSH"},
		eval("return 4", "0"),
	}
	var got [2][]string
	for i, addr := range []string{srv.Addr(), real.Addr} {
		c := dial(t, addr)
		for _, a := range steps {
			if _, err := c.DoRaw(a...); err != nil {
				t.Fatal(err)
			}
			got[i] = append(got[i], field(t, c, "number_of_cached_scripts"))
		}
	}
	if strings.Join(got[0], " ") != strings.Join(got[1], " ") {
		t.Errorf("number_of_cached_scripts after each step\n  redis: %v\n  fnkit: %v", got[1], got[0])
	}
}
