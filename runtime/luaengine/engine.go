// Package luaengine is fnkit's Functions engine on gopher-lua: the Lua side
// of Redis 7.0.15's function_lua.c and script_lua.c.
//
// It loads library code exactly as Redis does (the load-time environment
// where only redis.register_function, redis.log and the version fields are
// visible, every registration error in Redis's words), runs functions in
// Redis's run-time environment (the same globals, read-only, with the same
// errors; the redis.* API; cjson, cmsgpack, bit and struct; Redis's pcall
// and math.random), converts between Lua values and RESP2/RESP3 replies
// by Redis's rules, and formats errors as Redis does ("-ERR user_function:
// 3: boom script: f, on @user_function:3.").
//
// It is also a sandbox for hostile code, stricter than Redis: no file,
// process, network or debug access and no bytecode; every load and call
// runs under a context (FUNCTION KILL, the load timeout, fnkit's hard time
// limit) that gopher-lua checks between instructions and that the
// long-running builtins (patterns, string.rep, table.concat, sort, …) check
// too; a watchdog bounds the heap growth of every load and call; nested
// calls through builtins are limited as in Lua 5.1 ("C stack overflow").
// What Redis cannot stop — a catastrophic pattern, a huge string.rep or
// concatenation, collectgarbage("collect") in a loop, an error handler
// that never returns, error({}) which crashes Redis — ends here with an
// error reply.
//
// An Engine is not safe for concurrent use; the server runs one command at
// a time, as Redis does.
package luaengine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/fnkit/fnkit/runtime/functions"
)

// Options configure an Engine.
type Options struct {
	// TimeLimit bounds every load and every call, whatever Redis would do
	// (Redis has no such limit for calls). Zero means none.
	TimeLimit time.Duration
	// MemoryLimit bounds the growth of the Go heap during a load or a call,
	// in bytes, and the size of any string a builtin builds. Zero means
	// none beyond MaxString.
	MemoryLimit int64
	// Version is REDIS_VERSION ("7.0.15" when empty).
	Version string
	// Log receives redis.log messages written while a library loads (calls
	// log through their Host).
	Log func(level int, msg string)
}

// MaxString is the largest string any builtin builds (Redis's
// proto-max-bulk-len), whatever MemoryLimit says.
const MaxString = 512 << 20

// Engine is the Lua engine. Create it with New; it implements
// functions.Engine.
type Engine struct {
	opts Options
	L    *lua.LState

	visible    *lua.LTable // the globals scripts see
	gmeta      *lua.LTable // its metatable; __index is swapped at load
	runtimeG   *lua.LTable // the real run-time globals
	loadAPI    *lua.LTable // the load-time fallback
	stringMeta *lua.LTable
	readonlyFn *lua.LFunction
	nextFn     *lua.LFunction
	ipairsAux  *lua.LFunction
	handler    *lua.LFunction
	identity   *lua.LFunction
	cjsonNull  *lua.LUserData

	proxies     map[*lua.LTable]proxy
	realToProxy map[*lua.LTable]*lua.LTable
	sources     map[string]string // chunk short name -> source for error suffixes

	coCreateOrig lua.LGFunction
	coResumeOrig lua.LGFunction

	cur       *activeCall
	spare     *activeCall // the activeCall the next load or call reuses (see newCall)
	ccalls    int
	pdepth    int
	rand      *uint64 // math.random's state (shared with a scripts engine)
	gcPause   int
	gcStepMul int

	mon *monitor
	// argvBuf is redis.call's reusable argv
	argvBuf []string
}

// activeCall is the load or call in progress. It is also the context its
// Lua threads run under (callCtx): cheaper than a derived context, which
// registers with its parent on every call.
type activeCall struct {
	ctx   *callCtx
	lib   *functions.Library  // while loading
	fn    *functions.Function // while calling
	run   *functions.Run
	resp3 bool
	// killSeen is set once a kill has been reported (see depthCtx)
	killSeen bool
	// stopParent unregisters the watch of the parent context
	stopParent func() bool

	// storage for ctx and the main thread's context (one allocation per
	// call instead of three)
	ctxv callCtx
	main depthCtx
}

// callCtx is a cancellable context with a cause, for one load or call.
type callCtx struct {
	done   chan struct{}
	mu     sync.Mutex
	cause  error
	closed bool
}

func newCallCtx() *callCtx { return &callCtx{done: make(chan struct{})} }

func (c *callCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *callCtx) Done() <-chan struct{}       { return c.done }
func (c *callCtx) Value(any) any               { return nil }

func (c *callCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// cancel stops the call with cause (nil: the call ended normally).
func (c *callCtx) cancel(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed, c.cause = true, cause
	close(c.done)
}

// stopCause returns why the call was stopped (nil while it runs or after a
// normal end).
func (c *callCtx) stopCause() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause
}

var _ functions.Engine = (*Engine)(nil)

// New returns a new engine with its own Lua state.
func New(opts Options) *Engine {
	if opts.Version == "" {
		opts.Version = "7.0.15"
	}
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       physicalStack,
		MinimizeStackMemory: true,
		RegistrySize:        1024,
		RegistryGrowStep:    1024,
		RegistryMaxSize:     1 << 20,
	})
	e := &Engine{
		opts:        opts,
		L:           L,
		proxies:     map[*lua.LTable]proxy{},
		realToProxy: map[*lua.LTable]*lua.LTable{},
		sources:     map[string]string{chunkName: chunkSourceName},
		rand:        new(uint64(lrandInit)),
		gcPause:     200,
		gcStepMul:   200,
	}
	e.handler = L.NewFunction(e.errorHandler)
	e.identity = L.NewFunction(e.identityHandler)
	e.buildEnv()
	e.mon = newMonitor()
	return e
}

// Close releases the engine's Lua state and watchdog.
func (e *Engine) Close() {
	e.mon.close()
	e.L.Close()
}

// Name returns "LUA".
func (e *Engine) Name() string { return "LUA" }

// UsedMemory estimates the memory held by Lua, in bytes.
func (e *Engine) UsedMemory() int64 { return e.luaMemory() }

// Free forgets a library. Its functions' closures become garbage.
func (e *Engine) Free(lib *functions.Library) {
	for _, f := range lib.Functions() {
		f.Compiled = nil
	}
}

// begin starts a load or call: a context carrying the load timeout (if
// any) and the hard limit, watched for memory growth, stopped too when
// parent is cancelled.
func (e *Engine) begin(parent context.Context, timeout time.Duration, timeoutCause error) *activeCall {
	return e.beginAt(parent, timeout, timeoutCause, time.Time{})
}

// beginAt is begin for a call that started at start (zero: now); the time
// limits count from there.
func (e *Engine) beginAt(parent context.Context, timeout time.Duration, timeoutCause error, start time.Time) *activeCall {
	c := e.newCall()
	if parent != nil && parent.Done() != nil {
		if parent.Err() != nil {
			c.ctx.cancel(context.Cause(parent))
		} else {
			c.stopParent = context.AfterFunc(parent, func() { c.ctx.cancel(context.Cause(parent)) })
		}
	}
	var deadline time.Time
	var cause error
	if (timeout > 0 || e.opts.TimeLimit > 0) && start.IsZero() {
		start = time.Now()
	}
	if timeout > 0 {
		deadline, cause = start.Add(timeout), timeoutCause
	}
	if e.opts.TimeLimit > 0 && (deadline.IsZero() || e.opts.TimeLimit < timeout) {
		deadline, cause = start.Add(e.opts.TimeLimit), functions.ErrTimeLimit
	}
	e.cur = c
	e.ccalls = 0
	e.pdepth = 0
	e.mon.watch(c, deadline, cause, e.opts.MemoryLimit)
	if depthActive {
		c.main = depthCtx{Context: c.ctx, L: e.L, call: c}
		e.L.SetContext(&c.main)
	} else {
		e.L.SetContext(c.ctx)
	}
	return c
}

// newCall returns a fresh activeCall: the spare one the last load or call
// left (see end), cleared, or a new one. A load or call used to cost an
// activeCall and a channel, which with the garbage they made were near a
// tenth of a pipelined FCALL's time. The channel is kept unless it was
// closed (the call was stopped).
func (e *Engine) newCall() *activeCall {
	c := e.spare
	e.spare = nil
	if c == nil {
		c = new(activeCall)
	}
	done := c.ctxv.done
	if done == nil || c.ctxv.closed {
		done = make(chan struct{})
	}
	*c = activeCall{}
	c.ctxv.done = done
	c.ctx = &c.ctxv
	return c
}

// end finishes a load or call. Its context is left open (a call that
// ended normally was never stopped), and the activeCall becomes the spare
// for the next one, once nothing else can reach it: the watchdog only
// stops the call it watches now (monitor.stop), a FUNCTION KILL reaches a
// call through its Run until the engine unbinds it (before the next call
// can begin), and a parent context's AfterFunc that already started may
// still be running, in which case the activeCall is not reused. (A
// coroutine created by one call and resumed by a later one runs under the
// later call's context, the same activeCall.)
func (e *Engine) end(c *activeCall) {
	e.mon.unwatch()
	e.L.RemoveContext()
	e.cur = nil
	if c.stopParent != nil && !c.stopParent() {
		// closed, as every context used to be at its end: a coroutine
		// the call created and a later call resumes stops at once
		c.ctx.cancel(nil)
		return
	}
	e.spare = c
}

// abortCause returns why the current load or call was stopped, or nil.
func (e *Engine) abortCause() error {
	if e.cur == nil {
		return nil
	}
	return e.cur.ctx.stopCause()
}

// checkAbort re-raises at once when the current call was stopped, so that
// pcall, xpcall or coroutine.resume cannot swallow a kill.
func (e *Engine) checkAbort(L *lua.LState) {
	if e.abortCause() != nil {
		L.RaiseError("%s", e.abortCause().Error())
	}
}

// Create implements functions.Engine: compile body and run it in the
// load-time environment.
func (e *Engine) Create(ctx context.Context, lib *functions.Library, body string, timeout time.Duration) error {
	fn, err := e.compile(body, chunkName, chunkSourceName)
	if err != nil {
		return &functions.Error{Msg: "Error compiling function: " + err.Error()}
	}
	c := e.begin(ctx, timeout, functions.ErrLoadTimeout)
	c.lib = lib
	e.useLoadEnv(true)
	L := e.L
	L.Push(fn)
	perr := e.pcall(L, 0, 0, nil)
	e.useLoadEnv(false)
	cause := e.abortCause()
	e.end(c)
	if perr == nil {
		return nil
	}
	if cause != nil {
		return &functions.Error{Msg: "Error registering functions: " + abortText(cause)}
	}
	return &functions.Error{Msg: "Error registering functions: " + e.loadErrorText(errObject(perr))}
}

// abortText is the error text for a stopped load or call.
func abortText(cause error) string {
	switch cause {
	case functions.ErrLoadTimeout:
		return "ERR FUNCTION LOAD timeout"
	case functions.ErrKilled:
		return "ERR Script killed by user with SCRIPT KILL..."
	case functions.ErrTimeLimit:
		return "ERR Script killed by fnkit: it exceeded the script time limit (fnkit-script-time-limit)"
	case functions.ErrMemoryLimit:
		return "ERR Script killed by fnkit: it exceeded the script memory limit (fnkit-script-memory-limit)"
	}
	return "ERR Script killed: " + cause.Error()
}

// loadErrorText is luaExtractErrorInformation's message for an error that
// escaped a library's top-level code (which runs without an error
// handler): a string gets "ERR ", a table its err field.
func (e *Engine) loadErrorText(obj lua.LValue) string {
	if s, ok := toString(obj); ok {
		return "ERR " + s
	}
	if t, ok := obj.(*lua.LTable); ok {
		if s, ok := toString(e.L.GetField(t, "err")); ok {
			return s
		}
		// Redis formats a NULL message, which glibc prints as "(null)"
		return "(null)"
	}
	// Redis crashes here (lua_getfield on a non-table); fnkit answers.
	return "ERR " + tostringValue(obj)
}

// compile compiles code as a chunk called name (as positions print it);
// source is the chunk's source as debug info reports it (for "on <source>:
// <line>" suffixes).
func (e *Engine) compile(code, name, source string) (fn *lua.LFunction, err error) {
	if len(code) > 0 && code[0] == 27 {
		// Redis's Lua only has the text parser
		return nil, fmt.Errorf("%s:1: unexpected symbol near 'char(27)'", name)
	}
	if d := nestingDepth(code); d > maxSyntaxLevels {
		return nil, fmt.Errorf("%s: chunk has too many syntax levels", name)
	}
	defer func() {
		if r := recover(); r != nil {
			fn, err = nil, fmt.Errorf("%s: %v", name, r)
		}
	}()
	chunk, perr := parse.Parse(strings.NewReader(code), name)
	if perr != nil {
		return nil, parseError(perr, name, code)
	}
	proto, cerr := lua.Compile(chunk, name)
	if cerr != nil {
		return nil, fmt.Errorf("%s", strings.TrimSpace(cerr.Error()))
	}
	fn = e.L.NewFunctionFromProto(proto)
	fn.Env = e.visible
	e.sources[name] = source
	return fn, nil
}

// parseError rewrites gopher-lua's parser message in PUC-Lua's shape
// ("chunk:line: message near 'token'"). The messages themselves are
// gopher-lua's.
func parseError(err error, name, code string) error {
	pe, ok := err.(*parse.Error)
	if !ok {
		return fmt.Errorf("%s: %s", name, strings.TrimSpace(err.Error()))
	}
	line := pe.Pos.Line
	tok := pe.Token
	if line == parse.EOF || line <= 0 {
		line = strings.Count(code, "\n") + 1
		tok = "<eof>"
	}
	msg := strings.TrimSpace(pe.Message)
	if msg == "syntax error" {
		// PUC-Lua's most frequent wording for what goyacc calls a
		// syntax error
		msg = "unexpected symbol"
	}
	if tok == "" {
		return fmt.Errorf("%s:%d: %s", name, line, msg)
	}
	return fmt.Errorf("%s:%d: %s near '%s'", name, line, msg, tok)
}

// maxSyntaxLevels is Lua 5.1's LUAI_MAXCCALLS as the parser applies it.
const maxSyntaxLevels = 200

// nestingDepth estimates the deepest bracket/block nesting of code,
// skipping strings and comments, so that absurdly nested chunks are
// refused before gopher-lua's recursive compiler sees them.
func nestingDepth(code string) int {
	depth, max := 0, 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '-' && i+1 < len(code) && code[i+1] == '-':
			i += 2
			if lvl, ok := longBracket(code, i); ok {
				i = skipLong(code, i, lvl)
			} else {
				for i < len(code) && code[i] != '\n' {
					i++
				}
			}
		case c == '"' || c == '\'':
			for i++; i < len(code) && code[i] != c; i++ {
				if code[i] == '\\' {
					i++
				}
			}
		case c == '[':
			if lvl, ok := longBracket(code, i); ok {
				i = skipLong(code, i, lvl)
				continue
			}
			depth++
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
		case isalpha(c) || c == '_':
			j := i
			for j < len(code) && (isalnum(code[j]) || code[j] == '_') {
				j++
			}
			switch code[i:j] {
			case "function", "do", "repeat", "if":
				depth++
			case "end", "until":
				depth--
			}
			i = j - 1
		}
		if depth > max {
			max = depth
		}
	}
	return max
}

func longBracket(s string, i int) (int, bool) {
	if i >= len(s) || s[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(s) && s[j] == '=' {
		j++
	}
	if j < len(s) && s[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

func skipLong(s string, i, lvl int) int {
	closer := "]" + strings.Repeat("=", lvl) + "]"
	k := strings.Index(s[i:], closer)
	if k < 0 {
		return len(s)
	}
	return i + k + len(closer) - 1
}

// SetLimits changes the time and memory limits of later loads and calls.
func (e *Engine) SetLimits(timeLimit time.Duration, memoryLimit int64) {
	e.opts.TimeLimit = timeLimit
	e.opts.MemoryLimit = memoryLimit
}
