package luaengine

import (
	"reflect"
	"regexp"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// PUC-Lua's words for run-time errors raised by the VM. gopher-lua raises
// "attempt to call a non-function object", "attempt to index a non-table
// object(nil) with key 'x'", "cannot perform add operation between number
// and nil", …; Lua 5.1 names the culprit as its debug information finds
// it: "attempt to call field 'replicate_commands' (a nil value)",
// "attempt to index local 't' (a nil value)", "attempt to perform
// arithmetic on global 'x' (a nil value)". translateVMError rewrites the
// former into the latter by decoding the faulting instruction of the
// erroring frame and running Lua 5.1's getobjname (symbolic execution of
// the bytecode, which gopher-lua shares with Lua 5.1) on the culprit
// register. The frame's program counter and registers are not exported by
// gopher-lua; they are read through field offsets found at start-up, and
// when those are missing messages are left as gopher-lua words them.

var (
	offDebugFrame  uintptr
	frameType      reflect.Type
	offFrameFn     uintptr
	offFramePc     uintptr
	offFrameLBase  uintptr
	offRegArray    uintptr
	introspectable bool
)

func init() {
	d, ok := reflect.TypeOf(lua.Debug{}).FieldByName("frame")
	if !ok || d.Type.Kind() != reflect.Pointer {
		return
	}
	ft := d.Type.Elem()
	fn, ok1 := ft.FieldByName("Fn")
	pc, ok2 := ft.FieldByName("Pc")
	lb, ok3 := ft.FieldByName("LocalBase")
	r, ok4 := reflect.TypeOf(lua.LState{}).FieldByName("reg")
	if !(ok1 && ok2 && ok3 && ok4) || fn.Type != reflect.TypeOf((*lua.LFunction)(nil)) || pc.Type.Kind() != reflect.Int || lb.Type.Kind() != reflect.Int {
		return
	}
	ra, ok5 := r.Type.Elem().FieldByName("array")
	if !ok5 || ra.Type != reflect.TypeOf([]lua.LValue(nil)) || !fixActive {
		return
	}
	offDebugFrame, frameType = d.Offset, ft
	offFrameFn, offFramePc, offFrameLBase, offRegArray = fn.Offset, pc.Offset, lb.Offset, ra.Offset
	introspectable = true
}

// frame is what translateVMError needs of a call frame.
type frame struct {
	fn        *lua.LFunction
	pc        int // index of the faulting instruction
	localBase int
}

func frameAt(L *lua.LState, level int) (frame, bool) {
	if !introspectable {
		return frame{}, false
	}
	dbg, ok := L.GetStack(level)
	if !ok {
		return frame{}, false
	}
	fp := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(dbg), offDebugFrame))
	if fp == nil {
		return frame{}, false
	}
	fn := *(**lua.LFunction)(unsafe.Add(fp, offFrameFn))
	pc := *(*int)(unsafe.Add(fp, offFramePc))
	lb := *(*int)(unsafe.Add(fp, offFrameLBase))
	if fn == nil || fn.IsG || fn.Proto == nil || pc < 1 || pc > len(fn.Proto.Code) {
		return frame{}, false
	}
	return frame{fn: fn, pc: pc - 1, localBase: lb}, true
}

// register returns the value of register r of the frame.
func (f frame) register(L *lua.LState, r int) lua.LValue {
	reg := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), offReg))
	arr := *(*[]lua.LValue)(unsafe.Add(reg, offRegArray))
	i := f.localBase + r
	if i < 0 || i >= len(arr) || arr[i] == nil {
		return lua.LNil
	}
	return arr[i]
}

// rk returns the value of an RK operand and whether it is a register.
func (f frame) rk(L *lua.LState, x int) (lua.LValue, bool) {
	if x&0x100 != 0 {
		k := x &^ 0x100
		if k < len(f.fn.Proto.Constants) {
			return f.fn.Proto.Constants[k], false
		}
		return lua.LNil, false
	}
	return f.register(L, x), true
}

func opcode(i uint32) int { return int(i >> 26) }
func argA(i uint32) int   { return int(i>>18) & 0xff }
func argB(i uint32) int   { return int(i & 0x1ff) }
func argC(i uint32) int   { return int(i>>9) & 0x1ff }
func argBx(i uint32) int  { return int(i & 0x3ffff) }
func argSBx(i uint32) int { return argBx(i) - (1<<18-1)>>1 }

// symbexec returns the last instruction before lastpc that set reg
// (Lua 5.1's symbexec, without the checks), or 0 and false.
func symbexec(p *lua.FunctionProto, lastpc, reg int) (uint32, bool) {
	last := -1
	for pc := 0; pc < lastpc; pc++ {
		i := p.Code[pc]
		a := argA(i)
		switch opcode(i) {
		case lua.OP_LOADNIL:
			if a <= reg && reg <= argB(i) {
				last = pc
			}
		case lua.OP_CALL, lua.OP_TAILCALL:
			if reg >= a {
				last = pc
			}
		case lua.OP_TFORLOOP:
			if reg >= a+2 {
				last = pc
			}
		case lua.OP_VARARG:
			if b := argB(i); reg >= a && (b == 0 || reg <= a+b-2) {
				last = pc
			}
		case lua.OP_SELF:
			if reg == a || reg == a+1 {
				last = pc
			}
		case lua.OP_JMP:
			dest := pc + 1 + argSBx(i)
			if pc < dest && dest <= lastpc {
				pc = dest - 1
			}
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_GETUPVAL,
			lua.OP_GETGLOBAL, lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_NEWTABLE,
			lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW,
			lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_CONCAT, lua.OP_TESTSET,
			lua.OP_FORLOOP, lua.OP_FORPREP, lua.OP_CLOSURE:
			if reg == a {
				last = pc
			}
		}
	}
	if last < 0 {
		return 0, false
	}
	return p.Code[last], true
}

// localName is luaF_getlocalname: the n-th local variable active at pc.
func localName(p *lua.FunctionProto, n, pc int) string {
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			n--
			if n == 0 {
				return l.Name
			}
		}
	}
	return ""
}

func kname(p *lua.FunctionProto, c int) string {
	if c&0x100 != 0 {
		if k := c &^ 0x100; k < len(p.Constants) {
			if s, ok := p.Constants[k].(lua.LString); ok {
				return string(s)
			}
		}
	}
	return "?"
}

// getobjname is Lua 5.1's: the kind ("local", "global", "field",
// "upvalue", "method") and name of register reg at pc, or "".
func getobjname(fn *lua.LFunction, pc, reg int) (string, string) {
	p := fn.Proto
	if name := localName(p, reg+1, pc); name != "" && !strings.HasPrefix(name, "(") {
		return "local", name
	}
	i, ok := symbexec(p, pc, reg)
	if !ok {
		return "", ""
	}
	switch opcode(i) {
	case lua.OP_GETGLOBAL:
		if k := argBx(i); k < len(p.Constants) {
			return "global", lua.LVAsString(p.Constants[k])
		}
	case lua.OP_MOVE:
		if b := argB(i); b < argA(i) {
			return getobjname(fn, pc, b)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return "field", kname(p, argC(i))
	case lua.OP_GETUPVAL:
		if u := argB(i); u < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[u]
		}
		return "upvalue", "?"
	case lua.OP_SELF:
		return "method", kname(p, argC(i))
	}
	return "", ""
}

// vmMessageStarts are the first words of the gopher-lua VM messages
// translateVMError knows.
var vmMessageStarts = []string{"attempt to ", "cannot perform ", "for statement ", "__len undefined", "__unm undefined"}

var (
	reIndex   = regexp.MustCompile(`^attempt to index a non-table object\((\w+)\) with key '.*'$`)
	reArith   = regexp.MustCompile(`^cannot perform (\w+) operation between (\w+) and (\w+)$`)
	reCompare = regexp.MustCompile(`^attempt to compare (\w+) with (\w+)$`)
)

// typeError is luaG_typeerror's message for register reg (or a constant
// when !isReg).
func typeErrorMsg(f frame, op string, v lua.LValue, reg int, isReg bool) string {
	t := luaType(v)
	if isReg {
		if kind, name := getobjname(f.fn, f.pc, reg); kind != "" {
			return "attempt to " + op + " " + kind + " '" + name + "' (a " + t + " value)"
		}
	}
	return "attempt to " + op + " a " + t + " value"
}

func strOrNum(v lua.LValue) bool {
	t := v.Type()
	return t == lua.LTString || t == lua.LTNumber
}

// translateVMError rewrites a gopher-lua VM error message raised in the
// Lua frame at level (relative to the caller) in Lua 5.1's words. Other
// messages come back unchanged.
func (e *Engine) translateVMError(L *lua.LState, level int, msg string) string {
	prefix, body := "", msg
	for _, start := range vmMessageStarts {
		if strings.HasPrefix(msg, start) {
			break
		}
		if i := strings.Index(msg, ": "+start); i >= 0 {
			prefix, body = msg[:i+2], msg[i+2:]
			break
		}
	}
	switch body {
	case "for statement init must be a number":
		return prefix + "'for' initial value must be a number"
	case "for statement limit must be a number":
		return prefix + "'for' limit must be a number"
	case "for statement step must be a number":
		return prefix + "'for' step must be a number"
	}
	if m := reCompare.FindStringSubmatch(body); m != nil {
		if m[1] == m[2] {
			return prefix + "attempt to compare two " + m[1] + " values"
		}
		return prefix + "attempt to compare " + m[1] + " with " + m[2]
	}
	isCall := body == "attempt to call a non-function object"
	mIndex := reIndex.FindStringSubmatch(body)
	mArith := reArith.FindStringSubmatch(body)
	isLen := body == "__len undefined"
	isUnm := body == "__unm undefined"
	if !isCall && mIndex == nil && mArith == nil && !isLen && !isUnm {
		return msg
	}
	f, ok := frameAt(L, level)
	if !ok {
		return msg
	}
	i := f.fn.Proto.Code[f.pc]
	op := opcode(i)
	switch {
	case isCall && (op == lua.OP_CALL || op == lua.OP_TAILCALL):
		a := argA(i)
		return prefix + typeErrorMsg(f, "call", f.register(L, a), a, true)
	case isCall && op == lua.OP_TFORLOOP:
		a := argA(i)
		return prefix + typeErrorMsg(f, "call", f.register(L, a), a, true)
	case mIndex != nil:
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			b := argB(i)
			return prefix + typeErrorMsg(f, "index", f.register(L, b), b, true)
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			a := argA(i)
			return prefix + typeErrorMsg(f, "index", f.register(L, a), a, true)
		}
	case mArith != nil && mArith[1] == "concat" && op == lua.OP_CONCAT:
		b, c := argB(i), argC(i)
		culprit := -1
		if !strOrNum(f.register(L, c-1)) {
			culprit = c - 1
		} else if !strOrNum(f.register(L, c)) {
			culprit = c
		} else {
			for j := c - 2; j >= b; j-- {
				if !strOrNum(f.register(L, j)) {
					culprit = j
					break
				}
			}
		}
		if culprit >= 0 {
			return prefix + typeErrorMsg(f, "concatenate", f.register(L, culprit), culprit, true)
		}
	case mArith != nil && op >= lua.OP_ADD && op <= lua.OP_POW:
		v1, r1 := f.rk(L, argB(i))
		v2, r2 := f.rk(L, argC(i))
		x, isReg, reg := v2, r2, argC(i)
		if _, ok := toNumber(v1); !ok {
			x, isReg, reg = v1, r1, argB(i)
		}
		return prefix + typeErrorMsg(f, "perform arithmetic on", x, reg, isReg)
	case isUnm && op == lua.OP_UNM, mArith != nil && op == lua.OP_UNM:
		b := argB(i)
		return prefix + typeErrorMsg(f, "perform arithmetic on", f.register(L, b), b, true)
	case isLen && op == lua.OP_LEN:
		b := argB(i)
		return prefix + typeErrorMsg(f, "get length of", f.register(L, b), b, true)
	}
	return msg
}
