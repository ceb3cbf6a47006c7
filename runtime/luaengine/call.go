package luaengine

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/functions"
)

// Call implements functions.Engine: it runs fn's callback with the keys and
// args tables under Redis's error handler and converts the result (or the
// error) to the reply Redis would send.
func (e *Engine) Call(run *functions.Run, fn *functions.Function, keys, args []string) resp.Value {
	lf, ok := fn.Compiled.(*lua.LFunction)
	if !ok {
		return resp.Err("ERR Function not found")
	}
	c := e.beginAt(run.Ctx, 0, nil, run.Start)
	c.fn, c.run = fn, run
	if pending := run.Bind(c.ctx.cancel); pending != nil {
		c.ctx.cancel(pending)
	}
	defer run.Bind(nil)
	L := e.L
	L.Push(lf)
	L.Push(stringArray(L, keys))
	L.Push(stringArray(L, args))
	err := e.pcall(L, 2, 1, e.handler)
	cause := e.abortCause()
	var reply resp.Value
	if err != nil {
		reply = e.errorReply(err, fn.Name, cause)
	} else {
		v := L.Get(-1)
		L.Pop(1)
		reply = e.toReply(v, c.resp3, 2)
	}
	e.end(c)
	return reply
}

func stringArray(L *lua.LState, items []string) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, s := range items {
		t.RawSetInt(i+1, lua.LString(s))
	}
	return t
}

// errorHandler is Redis's functions error handler: a non-table error e
// becomes {err = "ERR " .. tostring(e)}, and the table gets the source and
// current line of the Lua function that raised (of its caller when a
// builtin raised).
func (e *Engine) errorHandler(L *lua.LState) int {
	level := 1
	if s, ok := L.Get(1).(lua.LString); ok && e.isDepthOverflow(L, string(s)) {
		level = 2
	}
	obj := e.fixErrorObject(L, L.Get(1))
	source, line, found := "", 0, false
	if dbg, ok := L.GetStack(level); ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil {
			if dbg.What == "G" {
				if dbg2, ok := L.GetStack(level + 1); ok {
					if _, err := L.GetInfo("Sl", dbg2, lua.LNil); err == nil {
						dbg = dbg2
					}
				}
			}
			if dbg.What != "G" {
				source, line, found = e.sourceOf(dbg.Source), dbg.CurrentLine, true
			}
		}
	}
	t, isTable := obj.(*lua.LTable)
	if !isTable {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+e.tostringSafe(L, obj)))
	}
	if found && !e.isProtected(t) {
		t.RawSetString("source", lua.LString(source))
		t.RawSetString("line", lua.LNumber(line))
	}
	L.Push(t)
	return 1
}

// tostringSafe is tostring for the error handler: metamethods only while
// the call was not stopped.
func (e *Engine) tostringSafe(L *lua.LState, v lua.LValue) string {
	if e.abortCause() != nil {
		return tostringValue(v)
	}
	return e.tostring(L, v)
}

// sourceOf maps a chunk's short name to its source as Lua debug info
// reports it ("@user_function", or a loadstring chunk's text).
func (e *Engine) sourceOf(short string) string {
	if s, ok := e.sources[short]; ok {
		return s
	}
	return short
}

// errorReply builds Redis's error reply for a failed call:
// "-<err> script: <fname>, on <source>:<line>."
func (e *Engine) errorReply(err error, fname string, cause error) resp.Value {
	obj := errObject(err)
	t, ok := obj.(*lua.LTable)
	if !ok {
		// the error handler itself failed
		msg := "execution failure"
		if s, ok := toString(obj); ok {
			msg = s
		}
		if cause != nil {
			msg = abortText(cause)
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		return resp.Err(cleanError("ERR Error running script " + fname + ", " + msg))
	}
	var msg string
	hasMsg := false
	if s, ok := toString(t.RawGetString("err")); ok {
		msg, hasMsg = s, true
	}
	if cause != nil {
		msg, hasMsg = abortText(cause), true
		if e.cur != nil && e.cur.run != nil {
			e.cur.run.ErrorsNoStats = append(e.cur.run.ErrorsNoStats, false)
		}
	} else {
		e.noteError(t)
	}
	if !hasMsg {
		// Redis formats a NULL message here and crashes (error({}));
		// fnkit replies instead.
		msg = "ERR fnkit: the script raised an error object that is not a string and has no string 'err' field"
	}
	source, sok := toString(t.RawGetString("source"))
	line, lok := toString(t.RawGetString("line"))
	out := "-" + cutNUL(msg)
	if sok && lok {
		out += " script: " + fname + ", on " + source + ":" + line + "."
	}
	return resp.Err(cleanError(out)[1:])
}

// cleanError replaces CR and LF by spaces, as the Debian 7.0.15 build (and
// later Redis) does for errors raised by scripts.
func cleanError(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

var _ = strconv.Itoa
