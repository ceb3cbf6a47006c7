package luaengine

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/lualib"
)

// The redis table: the run-time API (call, pcall, error_reply,
// status_reply, sha1hex, log, setresp, set_repl, acl_check_cmd and the
// constants) and the load-time one (register_function, log, the log levels
// and the version), with Redis 7.0.15's messages.

// versionNum is REDIS_VERSION_NUM: 0x00MMmmpp.
func versionNum(v string) int {
	parts := strings.SplitN(v, ".", 3)
	n := 0
	for i := 0; i < 3; i++ {
		x := 0
		if i < len(parts) {
			x, _ = strconv.Atoi(parts[i])
		}
		n = n<<8 | (x & 0xff)
	}
	return n
}

func (e *Engine) setLogConstants(t *lua.LTable) {
	t.RawSetString("LOG_DEBUG", lua.LNumber(0))
	t.RawSetString("LOG_VERBOSE", lua.LNumber(1))
	t.RawSetString("LOG_NOTICE", lua.LNumber(2))
	t.RawSetString("LOG_WARNING", lua.LNumber(3))
	t.RawSetString("REDIS_VERSION", lua.LString(e.opts.Version))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(versionNum(e.opts.Version)))
}

func (e *Engine) openRedis() *lua.LTable {
	L := e.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":          func(L *lua.LState) int { return e.redisCall(L, true) },
		"pcall":         func(L *lua.LState) int { return e.redisCall(L, false) },
		"error_reply":   redisErrorReply,
		"status_reply":  redisStatusReply,
		"sha1hex":       e.redisSha1hex,
		"log":           e.redisLog,
		"setresp":       e.redisSetResp,
		"set_repl":      e.redisSetRepl,
		"acl_check_cmd": e.redisACLCheck,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	e.setLogConstants(t)
	t.RawSetString("REPL_NONE", lua.LNumber(0))
	t.RawSetString("REPL_AOF", lua.LNumber(1))
	t.RawSetString("REPL_SLAVE", lua.LNumber(2))
	t.RawSetString("REPL_REPLICA", lua.LNumber(2))
	t.RawSetString("REPL_ALL", lua.LNumber(3))
	return t
}

func (e *Engine) openLoadRedis() *lua.LTable {
	L := e.L
	t := L.NewTable()
	t.RawSetString("register_function", L.NewFunction(e.registerFunction))
	t.RawSetString("log", L.NewFunction(e.redisLog))
	e.setLogConstants(t)
	t.Metatable = e.errorMetatable()
	return t
}

// raisePushError raises luaPushError(msg) (a table {err = "ERR msg"}, no
// position: the error handler adds it).
func raisePushError(L *lua.LState, msg string) {
	L.Error(errTable(L, pushErrorText(msg), false), 0)
}

// argvFromLua is luaArgsToRedisArgv: strings as they are, numbers as
// "%.17g" (Redis 7.0). ok is false, with Redis's message, on a bad call.
func argvFromLua(L *lua.LState) ([]string, string) {
	return argvFromLuaInto(L, nil)
}

// argvFromLuaInto is argvFromLua reusing buf's storage (redis.call's
// argv is not kept once the command ran).
func argvFromLuaInto(L *lua.LState, buf []string) ([]string, string) {
	argc := L.GetTop()
	if argc == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	argv := buf[:0]
	if cap(argv) < argc {
		argv = make([]string, argc)
	}
	argv = argv[:argc]
	for i := 1; i <= argc; i++ {
		switch v := L.Get(i).(type) {
		case lua.LNumber:
			argv[i-1] = fmtG(float64(v), 17)
		case lua.LString:
			argv[i-1] = string(v)
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
	}
	return argv, ""
}

// redisCall is redis.call (raise) and redis.pcall.
func (e *Engine) redisCall(L *lua.LState, raise bool) int {
	c := e.cur
	if c == nil || c.run == nil {
		raisePushError(L, "redis.call/pcall can only be called inside a script invocation")
	}
	argv, bad := argvFromLuaInto(L, e.argvBuf)
	if cap(argv) <= 64 {
		e.argvBuf = argv
	}
	if bad != "" {
		t := errTable(L, pushErrorText(bad), false)
		if raise {
			L.Error(t, 0)
		}
		L.SetTop(0)
		L.Push(t)
		return 1
	}
	reply := c.run.Host.Call(argv, c.resp3)
	e.checkBudget(L)
	L.SetTop(0)
	if reply.IsError() {
		t := errTable(L, reply.Str, true)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	if resultsDiscarded(L) {
		// a statement: the reply is thrown away, do not build it
		return 0
	}
	L.Push(e.fromReply(L, reply))
	return 1
}

// redisErrorReply is redis.error_reply.
func redisErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errTable(L, pushErrorText("wrong number or type of arguments"), false))
		return 1
	}
	s := cutNUL(string(L.Get(1).(lua.LString)))
	if !strings.HasPrefix(s, "-") {
		s = "-" + s
	}
	L.Push(errTable(L, pushErrorText(s), false))
	return 1
}

// redisStatusReply is redis.status_reply.
func redisStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errTable(L, pushErrorText("wrong number or type of arguments"), false))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

func (e *Engine) redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raisePushError(L, "wrong number of arguments")
	}
	s, _ := toString(L.Get(1))
	sum := sha1.Sum([]byte(s))
	L.Push(lua.LString(hex.EncodeToString(sum[:])))
	return 1
}

func (e *Engine) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raisePushError(L, "redis.log() requires two arguments or more.")
	}
	lf, ok := toNumber(L.Get(1))
	if !ok {
		raisePushError(L, "First argument must be a number (log level).")
	}
	level := int(int32(toInteger(lf)))
	if level < 0 || level > 3 {
		raisePushError(L, "Invalid debug level.")
	}
	var parts []string
	for j := 2; j <= argc; j++ {
		if s, ok := toString(L.Get(j)); ok {
			parts = append(parts, s)
		}
	}
	msg := strings.Join(parts, " ")
	if e.cur != nil && e.cur.run != nil && e.cur.run.Host != nil {
		e.cur.run.Host.Log(level, msg)
	} else if e.opts.Log != nil {
		e.opts.Log(level, msg)
	}
	return 0
}

func (e *Engine) redisSetResp(L *lua.LState) int {
	if e.cur == nil || e.cur.run == nil {
		raisePushError(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raisePushError(L, "redis.setresp() requires one argument.")
	}
	f, _ := toNumber(L.Get(1))
	r := int(int32(toInteger(f)))
	if r != 2 && r != 3 {
		raisePushError(L, "RESP version must be 2 or 3.")
	}
	e.cur.resp3 = r == 3
	return 0
}

func (e *Engine) redisSetRepl(L *lua.LState) int {
	if e.cur == nil || e.cur.run == nil {
		raisePushError(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raisePushError(L, "redis.set_repl() requires two arguments.")
	}
	f, _ := toNumber(L.Get(1))
	flags := int(int32(toInteger(f)))
	if flags&^3 != 0 {
		raisePushError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

func (e *Engine) redisACLCheck(L *lua.LState) int {
	if e.cur == nil || e.cur.run == nil {
		raisePushError(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	argv, bad := argvFromLua(L)
	if bad != "" {
		raisePushError(L, bad)
	}
	ok, err := e.cur.run.Host.ACLCheck(argv)
	if err != nil {
		raisePushError(L, err.Error())
	}
	L.Push(lua.LBool(ok))
	return 1
}

// registerFunction is redis.register_function, both forms.
func (e *Engine) registerFunction(L *lua.LState) int {
	c := e.cur
	if c == nil || c.lib == nil {
		raisePushError(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	argc := L.GetTop()
	if argc < 1 || argc > 2 {
		raisePushError(L, "wrong number of arguments to redis.register_function")
	}
	var (
		name, desc      string
		hasName, hasDsc bool
		callback        *lua.LFunction
		flags           functions.Flags
	)
	if argc == 2 {
		s, ok := toString(L.Get(1))
		if !ok {
			raisePushError(L, "first argument to redis.register_function must be a string")
		}
		f, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raisePushError(L, "second argument to redis.register_function must be a function")
		}
		name, hasName, callback = s, true, f
	} else {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raisePushError(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		t = e.unproxy(t)
		k, v := t.Next(lua.LNil)
		for k != lua.LNil {
			key, ok := toString(k)
			if !ok {
				raisePushError(L, "named argument key given to redis.register_function is not a string")
			}
			switch strings.ToLower(cutNUL(key)) {
			case "function_name":
				s, ok := toString(v)
				if !ok {
					raisePushError(L, "function_name argument given to redis.register_function must be a string")
				}
				name, hasName = s, true
			case "description":
				s, ok := toString(v)
				if !ok {
					raisePushError(L, "description argument given to redis.register_function must be a string")
				}
				desc, hasDsc = s, true
			case "callback":
				f, ok := v.(*lua.LFunction)
				if !ok {
					raisePushError(L, "callback argument given to redis.register_function must be a function")
				}
				callback = f
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					raisePushError(L, "flags argument to redis.register_function must be a table representing function flags")
				}
				fl, ok := e.readFlags(L, ft)
				if !ok {
					raisePushError(L, "unknown flag given")
				}
				flags = fl
			default:
				raisePushError(L, "unknown argument given to redis.register_function")
			}
			k, v = t.Next(k)
		}
		if !hasName {
			raisePushError(L, "redis.register_function must get a function name argument")
		}
		if callback == nil {
			raisePushError(L, "redis.register_function must get a callback argument")
		}
	}
	if err := c.lib.AddFunction(name, callback, desc, hasDsc, flags); err != nil {
		raisePushError(L, err.Error())
	}
	return 0
}

// readFlags reads flags[1], flags[2], … until the first nil.
func (e *Engine) readFlags(L *lua.LState, t *lua.LTable) (functions.Flags, bool) {
	var flags functions.Flags
	for j := 1; ; j++ {
		v := L.GetTable(t, lua.LNumber(j))
		if v == lua.LNil {
			return flags, true
		}
		s, ok := toString(v)
		if !ok {
			return 0, false
		}
		f, ok := functions.ParseFlag(cutNUL(s))
		if !ok {
			return 0, false
		}
		flags |= f
	}
}

// openExtensions adds cjson, cmsgpack, bit and struct (package lualib).
func (e *Engine) openExtensions(g *lua.LTable) {
	L := e.L
	guard := engineGuard{e}
	cj, null := lualib.OpenCjson(L, lualib.CjsonOptions{
		Guard:   guard,
		Real:    e.unproxy,
		Protect: func(t *lua.LTable) *lua.LTable { return e.protect(t, false) },
	})
	e.cjsonNull = null
	g.RawSetString("cjson", cj)
	g.RawSetString("cmsgpack", lualib.OpenCmsgpack(L, guard, e.unproxy))
	g.RawSetString("bit", lualib.OpenBit(L))
	g.RawSetString("struct", lualib.OpenStruct(L))
}

// engineGuard is the lualib.Guard of the engine's budget.
type engineGuard struct{ e *Engine }

func (g engineGuard) Check(L *lua.LState)         { g.e.checkBudget(L) }
func (g engineGuard) Charge(L *lua.LState, n int) { g.e.chargeString(L, n) }
