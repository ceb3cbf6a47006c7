package functions

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/fnkit/fnkit/resp"
)

// Engine runs the code of libraries, like a Redis scripting engine
// (function_lua.c is Redis's only one, luaengine is fnkit's).
type Engine interface {
	// Name is the engine name as FUNCTION LIST reports it ("LUA").
	Name() string
	// Create compiles body (the code from the newline ending the shebang
	// on, so line numbers match the source) and runs its top-level code,
	// which registers functions with lib.AddFunction. A timeout of zero
	// means none beyond the engine's own hard limits. Errors are *Error
	// with Redis's words ("Error compiling function: …", "Error registering
	// functions: …").
	Create(ctx context.Context, lib *Library, body string, timeout time.Duration) error
	// Call runs fn for one FCALL and returns its reply. Errors raised by
	// the function come back as error values formatted as Redis formats
	// them.
	Call(run *Run, fn *Function, keys, args []string) resp.Value
	// Free releases what the engine holds for lib.
	Free(lib *Library)
	// UsedMemory estimates the engine's memory in bytes (INFO
	// used_memory_lua / used_memory_vm_functions).
	UsedMemory() int64
}

// Host is the server side of a running function: redis.call and the rest of
// the redis.* API that needs the server (Redis's script.c).
type Host interface {
	// Call runs argv as redis.call does, with every check Redis makes
	// first, and returns the reply in RESP3 when resp3 is set (RESP2
	// otherwise). Errors are returned as error values ("ERR …",
	// "WRONGTYPE …").
	Call(argv []string, resp3 bool) resp.Value
	// ACLCheck answers redis.acl_check_cmd. A non-nil error is raised in
	// the script with its text.
	ACLCheck(argv []string) (bool, error)
	// Log writes msg at level (0 debug … 3 warning) to the server log.
	Log(level int, msg string)
}

// Run is one FCALL or FCALL_RO in progress.
type Run struct {
	// Ctx, when not nil, stops the function when it is cancelled (with
	// context.Cause as the reason). Stop is the cheaper way.
	Ctx context.Context
	// Host serves redis.call.
	Host Host
	// ReadOnly is set for FCALL_RO and for no-writes functions.
	ReadOnly bool
	// Start is when the call began.
	Start time.Time
	// ErrorsNoStats has one entry per error reply in the call's result, in
	// the order they are written (depth first): true for an error that
	// carries Redis's ignore_error_stats_update mark (an error a command
	// gave redis.call or redis.pcall, already counted when the command
	// failed), which the server writes without counting it again. The
	// engine appends to it; the server reads and resets it.
	ErrorsNoStats []bool

	mu      sync.Mutex
	abort   func(error)
	pending error
}

// Stop stops the function with cause (ErrKilled, ErrShutdown, …). It may
// be called from any goroutine, before, during or after the call.
func (r *Run) Stop(cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.abort != nil {
		r.abort(cause)
	} else if r.pending == nil {
		r.pending = cause
	}
}

// Bind is for engines: abort is how Stop reaches the running function (nil
// when it ended). It returns the cause of a Stop that came first.
func (r *Run) Bind(abort func(error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.abort = abort
	return r.pending
}

// Causes with which a run's or a load's context is cancelled. Engines turn
// them into Redis's (or fnkit's) error replies.
var (
	// ErrKilled: FUNCTION KILL.
	ErrKilled = errors.New("script killed by user")
	// ErrLoadTimeout: FUNCTION LOAD ran longer than its timeout.
	ErrLoadTimeout = errors.New("FUNCTION LOAD timeout")
	// ErrTimeLimit: fnkit's hard time limit for any script (Redis has none).
	ErrTimeLimit = errors.New("script time limit exceeded")
	// ErrMemoryLimit: fnkit's memory limit for scripts (Redis has none).
	ErrMemoryLimit = errors.New("script memory limit exceeded")
	// ErrShutdown: the server is closing.
	ErrShutdown = errors.New("server shutting down")
)
