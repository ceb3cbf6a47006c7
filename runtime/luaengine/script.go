package luaengine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/functions"
)

// EVAL scripts: the Lua state of Redis 7.0.15's eval.c, separate from the
// functions engine's.
//
// A scripts engine has the run-time environment of the functions engine
// (the same globals, read-only, with the same errors, and the same
// sandbox and limits) plus what eval.c adds: redis.breakpoint, redis.debug
// and redis.replicate_commands, the __redis__err__handler global, and the
// KEYS and ARGV globals, set before every run. Scripts are compiled as
// chunks called "@user_script", so errors read "user_script:1: …" and end
// with " script: <sha1>, on @user_script:1.".

const (
	scriptChunkName       = "user_script"
	scriptChunkSourceName = "@user_script"
)

// Script is an EVAL script compiled by a scripts engine (NewScripts). It
// belongs to that engine and is valid until the engine is closed.
type Script struct {
	fn *lua.LFunction
}

// NewScripts returns an engine for EVAL scripts: a Lua state of its own,
// as Redis keeps one for EVAL beside the functions one (SCRIPT FLUSH
// replaces it by a new one). When funcs is not nil, the two engines share
// math.random's generator, as Redis's engines share redisLrand48.
func NewScripts(opts Options, funcs *Engine) *Engine {
	e := New(opts)
	if funcs != nil {
		e.rand = funcs.rand
	}
	L := e.L
	redis := e.unproxy(e.runtimeG.RawGetString("redis").(*lua.LTable))
	redis.RawSetString("breakpoint", L.NewFunction(redisBreakpoint))
	redis.RawSetString("debug", L.NewFunction(redisDebug))
	redis.RawSetString("replicate_commands", L.NewFunction(redisReplicateCommands))
	// eval.c defines it in Lua as a global; here it is the engine's own
	// error handler, which does the same
	e.runtimeG.RawSetString("__redis__err__handler", e.handler)
	return e
}

// redisBreakpoint is redis.breakpoint: false, as no debugging session is
// ever active (fnkit has no Lua debugger).
func redisBreakpoint(L *lua.LState) int {
	L.Push(lua.LFalse)
	return 1
}

// redisDebug is redis.debug: it logs to the debugging session, of which
// there is none, so it does nothing.
func redisDebug(L *lua.LState) int { return 0 }

// redisReplicateCommands is redis.replicate_commands: deprecated in 7.0,
// always true.
func redisReplicateCommands(L *lua.LState) int {
	L.Push(lua.LTrue)
	return 1
}

// CompileScript compiles an EVAL script's body: the script from the newline
// that ends its shebang on, if it has one, so that line numbers match the
// script. The error is the Lua compiler's message ("user_script:1:
// unexpected symbol near '<eof>'"); Redis prefixes it with "Error compiling
// script (new function): ".
func (e *Engine) CompileScript(body string) (*Script, error) {
	fn, err := e.compile(body, scriptChunkName, scriptChunkSourceName)
	if err != nil {
		return nil, err
	}
	// A main chunk has no "arg" local (Lua 5.1 gives it none; gopher-lua
	// builds the table anyway and never names it): skip building it on
	// every run.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	return &Script{fn: fn}, nil
}

// RunScript runs a compiled script for one EVAL or EVALSHA: KEYS and ARGV
// become globals, the script runs under Redis's error handler, and its
// first return value (or its error, named after name, the script's SHA1)
// becomes the reply Redis would send.
func (e *Engine) RunScript(run *functions.Run, s *Script, name string, keys, args []string) resp.Value {
	c := e.begin(run.Ctx, 0, nil)
	c.run = run
	if pending := run.Bind(c.ctx.cancel); pending != nil {
		c.ctx.cancel(pending)
	}
	defer run.Bind(nil)
	L := e.L
	// luaCallFunction opens the global protection to set these
	e.runtimeG.RawSetString("KEYS", stringArray(L, keys))
	e.runtimeG.RawSetString("ARGV", stringArray(L, args))
	L.Push(s.fn)
	err := e.pcall(L, 0, 1, e.handler)
	cause := e.abortCause()
	var reply resp.Value
	if err != nil {
		reply = e.errorReply(err, name, cause)
	} else {
		v := L.Get(-1)
		L.Pop(1)
		reply = e.toReply(v, c.resp3, 2)
	}
	e.end(c)
	return reply
}
