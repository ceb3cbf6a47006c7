package luaengine

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/fnkit/fnkit/resp"
)

// Conversions between Lua values and RESP, by Redis 7.0's rules
// (redisProtocolToLuaType and luaReplyToRedisReply in script_lua.c).

// luaMaxCStack is LUAI_MAXCSTACK: luaReplyToRedisReply needs 4 free slots
// at each level and answers "reached lua stack limit" when they are not
// there.
const luaMaxCStack = 8000

// fromReply converts a command's reply to the Lua value redis.call
// returns.
func (e *Engine) fromReply(L *lua.LState, v resp.Value) lua.LValue {
	switch v.Kind {
	case resp.Integer:
		return lua.LNumber(v.Int)
	case resp.BulkString:
		return lua.LString(v.Str)
	case resp.Null:
		if v.Null2 != 0 {
			return lua.LFalse
		}
		return lua.LNil
	case resp.SimpleString:
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(v.Str))
		return t
	case resp.Error, resp.BlobError:
		return errTable(L, v.Str, true)
	case resp.Array, resp.Push:
		t := L.CreateTable(len(v.Elems), 0)
		for i, el := range v.Elems {
			t.RawSetInt(i+1, e.fromReply(L, el))
		}
		return t
	case resp.Map:
		m := L.CreateTable(0, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m.RawSet(e.fromReply(L, v.Elems[i]), e.fromReply(L, v.Elems[i+1]))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t
	case resp.Set:
		s := L.CreateTable(0, len(v.Elems))
		for _, el := range v.Elems {
			s.RawSet(e.fromReply(L, el), lua.LTrue)
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("set", s)
		return t
	case resp.Double:
		f, _ := str2d(v.Str)
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t
	case resp.Boolean:
		return lua.LBool(v.Bool)
	case resp.BigNumber:
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(v.Str))
		return t
	case resp.Verbatim:
		vt := L.CreateTable(0, 2)
		vt.RawSetString("format", lua.LString(v.Format))
		vt.RawSetString("string", lua.LString(v.Str))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", vt)
		return t
	}
	return lua.LNil
}

// errTable is the {err = "..."} table of an error reply; errors that come
// from running a command carry ignore_error_stats_update = true.
func errTable(L *lua.LState, msg string, fromCommand bool) *lua.LTable {
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(msg))
	if fromCommand {
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
	}
	return t
}

// noteError records, for the run in progress, whether an error reply made
// from the error table t carries the ignore_error_stats_update mark (any
// true value, as lua_toboolean reads it).
func (e *Engine) noteError(t *lua.LTable) {
	if e.cur == nil || e.cur.run == nil {
		return
	}
	v := t.RawGetString("ignore_error_stats_update")
	e.cur.run.ErrorsNoStats = append(e.cur.run.ErrorsNoStats, v != lua.LNil && v != lua.LFalse)
}

// pushErrorText is luaPushError's text: a leading '-' takes the first word
// as the error code, otherwise the code is ERR; CR/LF at the ends are
// trimmed.
func pushErrorText(s string) string {
	code, msg := "ERR", s
	if strings.HasPrefix(s, "-") {
		if i := strings.IndexByte(s, ' '); i >= 0 {
			code, msg = s[1:i], s[i+1:]
		} else {
			msg = s[1:]
		}
	}
	msg = strings.Trim(msg, "\r\n")
	return code + " " + msg
}

// fmtDouble is addReplyDouble's text in Redis 7.0 ("%.17g", inf/-inf).
func fmtDouble(f float64) string {
	return fmtG(f, 17)
}

// toReply converts a function's return value to its reply. resp3 is the
// script's protocol (redis.setresp); slots counts the Lua stack slots
// Redis's converter would be using, to reproduce "reached lua stack
// limit" at the same depth.
func (e *Engine) toReply(v lua.LValue, resp3 bool, slots int) resp.Value {
	if slots+4 > luaMaxCStack {
		return resp.Err("ERR reached lua stack limit")
	}
	switch x := v.(type) {
	case lua.LString:
		return resp.Bulk(string(x))
	case lua.LBool:
		if !resp3 {
			if x {
				return resp.Int(1)
			}
			return resp.NullBulk()
		}
		return resp.Value{Kind: resp.Boolean, Bool: bool(x)}
	case lua.LNumber:
		return resp.Int(toInteger(float64(x)))
	case *lua.LTable:
		t := e.unproxy(x)
		if s, ok := t.RawGetString("err").(lua.LString); ok {
			e.noteError(t)
			out := strings.TrimRight("-"+cutNUL(string(s)), "\r\n")
			return resp.Err(cleanError(out)[1:])
		}
		if s, ok := t.RawGetString("ok").(lua.LString); ok {
			return resp.Status(cleanError(cutNUL(string(s))))
		}
		if n, ok := t.RawGetString("double").(lua.LNumber); ok {
			return resp.Value{Kind: resp.Double, Str: fmtDouble(float64(n))}
		}
		if s, ok := t.RawGetString("big_number").(lua.LString); ok {
			return resp.Value{Kind: resp.BigNumber, Str: cleanError(string(s))}
		}
		if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
			if f, ok := vt.RawGetString("format").(lua.LString); ok {
				if s, ok := vt.RawGetString("string").(lua.LString); ok {
					return resp.Value{Kind: resp.Verbatim, Format: verbatimFormat(string(f)), Str: string(s)}
				}
			}
		}
		if m, ok := t.RawGetString("map").(*lua.LTable); ok {
			out := resp.Value{Kind: resp.Map}
			m = e.unproxy(m)
			k, val := m.Next(lua.LNil)
			for k != lua.LNil {
				out.Elems = append(out.Elems, e.toReply(k, resp3, slots+4), e.toReply(val, resp3, slots+3))
				k, val = m.Next(k)
			}
			return out
		}
		if s, ok := t.RawGetString("set").(*lua.LTable); ok {
			out := resp.Value{Kind: resp.Set}
			s = e.unproxy(s)
			k, _ := s.Next(lua.LNil)
			for k != lua.LNil {
				out.Elems = append(out.Elems, e.toReply(k, resp3, slots+3))
				k, _ = s.Next(k)
			}
			return out
		}
		out := resp.Value{Kind: resp.Array, Elems: []resp.Value{}}
		for j := 1; ; j++ {
			el := t.RawGetInt(j)
			if el == lua.LNil {
				break
			}
			out.Elems = append(out.Elems, e.toReply(el, resp3, slots+1))
		}
		return out
	}
	return resp.NullBulk()
}

// verbatimFormat pads or cuts a verbatim string's format to three bytes as
// addReplyVerbatim does.
func verbatimFormat(f string) string {
	b := []byte("   ")
	for i := 0; i < 3 && i < len(f) && f[i] != 0; i++ {
		b[i] = f[i]
	}
	return string(b)
}

var _ = math.Inf
