package migrate

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/fnkit/fnkit/library"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// Severity says whether a finding stops the migration.
type Severity string

// The two severities. An error means the script cannot be migrated safely:
// nothing is written. A warning is a difference the migration handled or
// that the user should review; the library is written.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding codes, stable for programs reading the JSON report.
const (
	CodeParse          = "parse"           // the script does not compile (error)
	CodeShebang        = "shebang"         // Redis refuses the EVAL shebang (error)
	CodeName           = "name"            // bad or duplicate function or library name (error)
	CodeGlobalWrite    = "global-write"    // assigns a global or a field of a built-in table (error)
	CodeGlobalRead     = "global-read"     // reads a global that functions do not have (error)
	CodeKeysArgv       = "keys-argv"       // KEYS/ARGV used in a way that cannot be rewritten (error)
	CodeErrHandler     = "err-handler"     // uses EVAL's __redis__err__handler (error)
	CodeEvalOnlyAPI    = "eval-only-api"   // redis.replicate_commands/breakpoint/debug (error, or warning when removed)
	CodeRegister       = "register"        // redis.register_function inside a script (error)
	CodeSetRepl        = "set-repl"        // redis.set_repl (warning)
	CodeRedisMember    = "redis-member"    // a redis.* field that does not exist (warning)
	CodeDynamicCommand = "dynamic-command" // read-only detection impossible (warning)
	CodeUnknownCommand = "unknown-command" // a literal command Redis 7.0.15 does not know (warning)
	CodeNoScript       = "noscript"        // a command no script may call (warning)
	CodeWriteInRO      = "write-in-no-writes"
	CodeDynamicCode    = "dynamic-code" // loadstring/load/getfenv/setfenv or dynamic _G (warning)
	CodeVersion        = "version"      // a global only some Redis versions have (warning)
	CodeErrorText      = "error-text"   // the script matches on "user_script" error text (warning)
)

// Finding is one thing the analysis reports about a script, at a line of the
// script as the user wrote it.
type Finding struct {
	// File is the script's path as given.
	File string `json:"file"`
	// Line is the 1-based line in the script; 0 when the finding concerns
	// the whole script.
	Line int `json:"line"`
	// Column is the 1-based byte column when known, else 0.
	Column int `json:"column,omitempty"`
	// Severity is "error" or "warning".
	Severity Severity `json:"severity"`
	// Code classifies the finding (see the Code constants).
	Code string `json:"code"`
	// Message explains the finding.
	Message string `json:"message"`
}

// String formats the finding like a compiler diagnostic:
// file:line:column: severity: message [code].
func (f Finding) String() string {
	pos := f.File
	if f.Line > 0 {
		pos += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			pos += fmt.Sprintf(":%d", f.Column)
		}
	}
	return fmt.Sprintf("%s: %s: %s [%s]", pos, f.Severity, f.Message, f.Code)
}

// CommandUse is one redis.call or redis.pcall with a literal command name.
type CommandUse struct {
	// Command is Redis's name for it, lowercase ("get", "object|encoding").
	Command string `json:"command"`
	// Line is the line in the script.
	Line int `json:"line"`
	// Write is true for commands a no-writes function may not call (flagged
	// write or may-replicate).
	Write bool `json:"write"`
}

// Analysis is what Analyze learned about one EVAL script.
type Analysis struct {
	// File is the script's path as given.
	File string
	// Shebang is the script's EVAL shebang.
	Shebang library.ScriptShebang
	// Findings lists errors and warnings in line order.
	Findings []Finding
	// Commands lists the literal command calls, in line order.
	Commands []CommandUse
	// ReadOnly is true when every command the script can call is known
	// statically and none writes (see ReadOnlyBlockers).
	ReadOnly bool
	// ReadOnlyBlockers says why ReadOnly is false although no literal write
	// command was found: dynamic command names, redis.call used as a value,
	// code compiled at run time, unknown commands.
	ReadOnlyBlockers []Finding

	src        string
	body       string // the text Lua compiles: src with the shebang's text removed (its newline kept)
	chunk      []ast.Stmt
	pos        *positions
	rewrite    []int  // tokens of the KEYS/ARGV globals
	removals   []span // statements commented out
	removedSet map[ast.Stmt]bool
	vararg     bool            // `...` used at the script's top level
	names      map[string]bool // every name used or declared
}

type span struct{ start, end int }

// HasErrors reports whether any finding is an error.
func (a *Analysis) HasErrors() bool {
	for _, f := range a.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Analyze parses an EVAL script and reports how it would behave as a
// function: its shebang, every use of KEYS and ARGV, globals, redis.* members
// that differ between EVAL and functions, and the commands it calls. It never
// panics; a script that does not parse gets a CodeParse error finding.
func Analyze(file, src string) *Analysis {
	a := &Analysis{File: file, src: src, names: map[string]bool{}, removedSet: map[ast.Stmt]bool{}}
	sb, err := library.ParseScriptShebang(src)
	if err != nil {
		a.add(1, 0, SeverityError, CodeShebang, err.Error()+" (EVAL refuses this script)")
		return a
	}
	a.Shebang = sb
	a.body = src[sb.Len:]
	chunk, err := parseLua(a.body)
	if err != nil {
		line, col, msg := parseErrorPos(err)
		a.add(line, col, SeverityError, CodeParse, "does not compile: "+msg)
		return a
	}
	toks, err := scan(a.body)
	if err != nil {
		a.add(0, 0, SeverityError, CodeParse, "does not scan: "+err.Error())
		return a
	}
	pos, ok := mapPositions(a.body, chunk, toks)
	if !ok {
		a.add(0, 0, SeverityError, CodeParse, "internal error: cannot map the syntax tree to the text")
		return a
	}
	a.chunk, a.pos = chunk, pos
	w := &walker{a: a}
	top := &scope{fn: &fnScope{top: true}}
	w.block(chunk, top)
	a.decideReadOnly(w)
	sort.SliceStable(a.Findings, func(i, j int) bool {
		if a.Findings[i].Line != a.Findings[j].Line {
			return a.Findings[i].Line < a.Findings[j].Line
		}
		return a.Findings[i].Column < a.Findings[j].Column
	})
	sort.SliceStable(a.Commands, func(i, j int) bool { return a.Commands[i].Line < a.Commands[j].Line })
	sort.Ints(a.rewrite)
	return a
}

func parseErrorPos(err error) (line, col int, msg string) {
	var pe *parse.Error
	if errors.As(err, &pe) {
		msg = pe.Message
		if pe.Token != "" {
			msg += fmt.Sprintf(" near '%s'", pe.Token)
		}
		if pe.Pos.Line > 0 {
			return pe.Pos.Line, pe.Pos.Column, msg
		}
		return 0, 0, msg
	}
	return 0, 0, strings.TrimSpace(err.Error())
}

func (a *Analysis) add(line, col int, sev Severity, code, msg string) {
	a.Findings = append(a.Findings, Finding{File: a.File, Line: line, Column: col, Severity: sev, Code: code, Message: msg})
}

func (a *Analysis) decideReadOnly(w *walker) {
	writes := 0
	for _, c := range a.Commands {
		if c.Write {
			writes++
		}
	}
	a.ReadOnly = writes == 0 && len(a.ReadOnlyBlockers) == 0
	if a.Shebang.Present {
		if hasFlag(a.Shebang.Flags, "no-writes") {
			for _, c := range a.Commands {
				if c.Write {
					a.add(c.Line, 0, SeverityWarning, CodeWriteInRO, fmt.Sprintf("the shebang declares no-writes but the script calls %s, which Redis refuses in read-only scripts (\"Write commands are not allowed from read-only scripts.\"): same as with EVAL", c.Command))
				}
			}
		}
		return
	}
	if writes == 0 {
	blockers:
		for _, b := range a.ReadOnlyBlockers {
			for i, f := range a.Findings {
				if f.Line == b.Line && f.Column == b.Column && f.Code == b.Code {
					a.Findings[i].Message += "; the function does not get no-writes"
					continue blockers
				}
			}
			b.Message += "; the function does not get no-writes"
			a.Findings = append(a.Findings, b)
		}
	}
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// scope is one Lua block's local names.
type scope struct {
	parent *scope
	names  map[string]bool
	fn     *fnScope
}

type fnScope struct{ top bool }

func (s *scope) child() *scope { return &scope{parent: s, fn: s.fn} }

func (s *scope) funcChild() *scope { return &scope{parent: s, fn: &fnScope{}} }

func (s *scope) declare(n string) {
	if s.names == nil {
		s.names = map[string]bool{}
	}
	s.names[n] = true
}

func (s *scope) isLocal(n string) bool {
	for c := s; c != nil; c = c.parent {
		if c.names[n] {
			return true
		}
	}
	return false
}

// keysArgvRe finds the names KEYS and ARGV in Lua text.
var keysArgvRe = regexp.MustCompile(`(^|[^A-Za-z0-9_])(KEYS|ARGV)($|[^A-Za-z0-9_])`)

type walker struct {
	a *Analysis
}

func (w *walker) col(id *ast.IdentExpr) int {
	if n, ok := w.a.pos.ident[id]; ok {
		return w.a.pos.toks[n].col
	}
	return 0
}

func (w *walker) blocker(line, col int, code, msg string) {
	w.a.ReadOnlyBlockers = append(w.a.ReadOnlyBlockers, Finding{File: w.a.File, Line: line, Column: col, Severity: SeverityWarning, Code: code, Message: msg})
}

// globalIdent returns e as an identifier when it names a global (not a
// local) in scope s.
func globalIdent(e ast.Expr, s *scope) *ast.IdentExpr {
	id, ok := e.(*ast.IdentExpr)
	if !ok || s.isLocal(id.Value) {
		return nil
	}
	return id
}

func staticKey(e ast.Expr) (string, bool) {
	if k, ok := e.(*ast.StringExpr); ok {
		return k.Value, true
	}
	return "", false
}

func (w *walker) block(stmts []ast.Stmt, s *scope) {
	for _, st := range stmts {
		w.stmt(st, s)
	}
}

func (w *walker) stmt(st ast.Stmt, s *scope) {
	switch st := st.(type) {
	case *ast.AssignStmt:
		w.exprs(st.Rhs, s)
		for _, l := range st.Lhs {
			w.assignTarget(l, s, "assignment to")
		}
	case *ast.LocalAssignStmt:
		if w.a.pos.isLocalFunction(st) {
			for _, n := range st.Names {
				s.declare(n)
				w.a.names[n] = true
			}
			w.exprs(st.Exprs, s)
			return
		}
		w.exprs(st.Exprs, s)
		for _, n := range st.Names {
			s.declare(n)
			w.a.names[n] = true
		}
	case *ast.FuncCallStmt:
		if c, ok := st.Expr.(*ast.FuncCallExpr); ok {
			w.call(c, s, st)
		} else {
			w.expr(st.Expr, s)
		}
	case *ast.DoBlockStmt:
		w.block(st.Stmts, s.child())
	case *ast.WhileStmt:
		w.expr(st.Condition, s)
		w.block(st.Stmts, s.child())
	case *ast.RepeatStmt:
		inner := s.child()
		w.block(st.Stmts, inner)
		w.expr(st.Condition, inner)
	case *ast.IfStmt:
		w.expr(st.Condition, s)
		w.block(st.Then, s.child())
		w.block(st.Else, s.child())
	case *ast.NumberForStmt:
		w.expr(st.Init, s)
		w.expr(st.Limit, s)
		if st.Step != nil {
			w.expr(st.Step, s)
		}
		inner := s.child()
		inner.declare(st.Name)
		w.a.names[st.Name] = true
		w.block(st.Stmts, inner)
	case *ast.GenericForStmt:
		w.exprs(st.Exprs, s)
		inner := s.child()
		for _, n := range st.Names {
			inner.declare(n)
			w.a.names[n] = true
		}
		w.block(st.Stmts, inner)
	case *ast.FuncDefStmt:
		if st.Name.Func != nil {
			w.assignTarget(st.Name.Func, s, "function definition of")
			w.function(st.Func, s, false)
		} else {
			w.fieldTarget(st.Name.Receiver, st.Line(), s, "method definition on")
			w.function(st.Func, s, true)
		}
	case *ast.ReturnStmt:
		w.exprs(st.Exprs, s)
	}
}

// assignTarget checks the left side of an assignment or a function
// definition: a global name or a field.
func (w *walker) assignTarget(l ast.Expr, s *scope, what string) {
	switch l := l.(type) {
	case *ast.IdentExpr:
		w.a.names[l.Value] = true
		if s.isLocal(l.Value) {
			return
		}
		line, col := l.Line(), w.col(l)
		switch {
		case l.Value == "KEYS" || l.Value == "ARGV":
			w.a.add(line, col, SeverityError, CodeKeysArgv, fmt.Sprintf("%s the global %s cannot be rewritten: functions receive keys and arguments as callback parameters and have no %s global (EVAL in Redis 7 refuses it too: \"Attempt to modify a readonly table\")", what, l.Value, l.Value))
		default:
			w.a.add(line, col, SeverityError, CodeGlobalWrite, fmt.Sprintf("%s global variable '%s': functions cannot create or change globals (\"Attempt to modify a readonly table\"); declare it local", what, l.Value))
		}
	case *ast.AttrGetExpr:
		w.expr(l.Key, s)
		w.fieldTarget(l.Object, l.Line(), s, what+" a field of")
	default:
		w.expr(l, s)
	}
}

// fieldTarget checks obj, whose field is being assigned.
func (w *walker) fieldTarget(obj ast.Expr, line int, s *scope, what string) {
	if id := globalIdent(obj, s); id != nil && builtinTables[id.Value] {
		w.a.names[id.Value] = true
		w.a.add(id.Line(), w.col(id), SeverityError, CodeGlobalWrite, fmt.Sprintf("%s the built-in table '%s': it is read-only in functions (\"Attempt to modify a readonly table\")", what, id.Value))
		return
	}
	w.expr(obj, s)
}

func (w *walker) exprs(es []ast.Expr, s *scope) {
	for _, e := range es {
		w.expr(e, s)
	}
}

func (w *walker) expr(e ast.Expr, s *scope) {
	switch e := e.(type) {
	case nil:
	case *ast.IdentExpr:
		w.ident(e, s)
	case *ast.AttrGetExpr:
		w.attrGet(e, s)
	case *ast.FuncCallExpr:
		w.call(e, s, nil)
	case *ast.FunctionExpr:
		w.function(e, s, false)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			w.expr(f.Key, s)
			w.expr(f.Value, s)
		}
	case *ast.LogicalOpExpr:
		w.expr(e.Lhs, s)
		w.expr(e.Rhs, s)
	case *ast.RelationalOpExpr:
		w.expr(e.Lhs, s)
		w.expr(e.Rhs, s)
	case *ast.StringConcatOpExpr:
		w.expr(e.Lhs, s)
		w.expr(e.Rhs, s)
	case *ast.ArithmeticOpExpr:
		w.expr(e.Lhs, s)
		w.expr(e.Rhs, s)
	case *ast.UnaryMinusOpExpr:
		w.expr(e.Expr, s)
	case *ast.UnaryNotOpExpr:
		w.expr(e.Expr, s)
	case *ast.UnaryLenOpExpr:
		w.expr(e.Expr, s)
	case *ast.Comma3Expr:
		if s.fn.top {
			w.a.vararg = true
		}
	case *ast.StringExpr:
		if strings.Contains(e.Value, "user_script") {
			w.a.add(e.Line(), 0, SeverityWarning, CodeErrorText, "the script refers to \"user_script\": error messages of functions name the chunk user_function and the function instead of the script's SHA1")
		}
	}
}

func (w *walker) function(f *ast.FunctionExpr, s *scope, self bool) {
	inner := s.funcChild()
	if self {
		inner.declare("self")
	}
	if f.ParList != nil {
		for _, n := range f.ParList.Names {
			inner.declare(n)
			w.a.names[n] = true
		}
	}
	w.block(f.Stmts, inner)
}

// ident handles a name read as a value.
func (w *walker) ident(id *ast.IdentExpr, s *scope) {
	w.a.names[id.Value] = true
	if s.isLocal(id.Value) {
		return
	}
	line, col := id.Line(), w.col(id)
	n := id.Value
	switch {
	case n == "KEYS" || n == "ARGV":
		if tok, ok := w.a.pos.ident[id]; ok {
			w.a.rewrite = append(w.a.rewrite, tok)
		} else {
			w.a.add(line, col, SeverityError, CodeKeysArgv, "internal error: cannot locate "+n+" in the text")
		}
	case n == "__redis__err__handler":
		w.a.add(line, col, SeverityError, CodeErrHandler, "__redis__err__handler is EVAL's global error handler; functions keep theirs out of reach (\"Script attempted to access nonexistent global variable '__redis__err__handler'\")")
	case n == "redis":
		w.blocker(line, col, CodeDynamicCommand, "the redis table is used as a value, so the commands it runs cannot be known")
	case n == "_G":
		w.a.add(line, col, SeverityWarning, CodeDynamicCode, "_G is used dynamically: globals reached through it are not checked")
		w.blocker(line, col, CodeDynamicCode, "_G is used dynamically, so the commands the script runs cannot be known")
	case n == "loadstring" || n == "load":
		w.a.add(line, col, SeverityWarning, CodeDynamicCode, n+": code compiled at run time is not analysed (in a function it sees no KEYS or ARGV)")
		w.blocker(line, col, CodeDynamicCode, n+" compiles code at run time, so the commands the script runs cannot be known")
	case functionGlobals[n]:
	case versionGlobals[n] != "":
		w.a.add(line, col, SeverityWarning, CodeVersion, versionGlobals[n])
		if n == "getfenv" || n == "setfenv" {
			w.blocker(line, col, CodeDynamicCode, n+" reaches environments, so the commands the script runs cannot be known")
		}
	default:
		w.a.add(line, col, SeverityError, CodeGlobalRead, fmt.Sprintf("reads the undefined global variable '%s' (\"Script attempted to access nonexistent global variable '%s'\"); a function has no globals of its own", n, n))
	}
}

// attrGet handles obj[key] read as a value.
func (w *walker) attrGet(e *ast.AttrGetExpr, s *scope) {
	if id := globalIdent(e.Object, s); id != nil {
		switch id.Value {
		case "redis":
			w.a.names["redis"] = true
			m, ok := staticKey(e.Key)
			if !ok {
				w.a.add(id.Line(), w.col(id), SeverityWarning, CodeDynamicCode, "redis is indexed with a computed key: not checked")
				w.blocker(id.Line(), w.col(id), CodeDynamicCode, "redis is indexed with a computed key, so the commands the script runs cannot be known")
				w.expr(e.Key, s)
				return
			}
			w.redisMember(id, m, nil, s, false)
			return
		case "_G":
			w.a.names["_G"] = true
			n, ok := staticKey(e.Key)
			if !ok {
				break
			}
			line, col := id.Line(), w.col(id)
			switch {
			case n == "KEYS" || n == "ARGV":
				w.a.add(line, col, SeverityError, CodeKeysArgv, fmt.Sprintf("_G.%s cannot be rewritten: functions have no %s global; use %s directly", n, n, n))
			case n == "__redis__err__handler":
				w.a.add(line, col, SeverityError, CodeErrHandler, "__redis__err__handler is EVAL's global error handler; functions keep theirs out of reach")
			case n == "redis" || n == "loadstring" || n == "load" || n == "getfenv" || n == "setfenv":
				w.blocker(line, col, CodeDynamicCode, "_G."+n+" is used, so the commands the script runs cannot be known")
			case functionGlobals[n]:
			case versionGlobals[n] != "":
				w.a.add(line, col, SeverityWarning, CodeVersion, versionGlobals[n])
			default:
				w.a.add(line, col, SeverityError, CodeGlobalRead, fmt.Sprintf("_G.%s reads an undefined global variable (\"Script attempted to access nonexistent global variable '%s'\"); a function has no globals of its own", n, n))
			}
			return
		}
	}
	w.expr(e.Object, s)
	w.expr(e.Key, s)
}

// redisMember handles redis.<m>, called (call != nil) or read.
func (w *walker) redisMember(id *ast.IdentExpr, m string, call *ast.FuncCallExpr, s *scope, isStmt bool) {
	line, col := id.Line(), w.col(id)
	switch {
	case m == "call" || m == "pcall":
		if call == nil {
			w.blocker(line, col, CodeDynamicCommand, "redis."+m+" is used as a value, so the commands it runs cannot be known")
		}
	case m == "set_repl":
		w.a.add(line, col, SeverityWarning, CodeSetRepl, "redis.set_repl is kept: functions, like EVAL in Redis 7, always replicate effects and set_repl chooses where they go; check that the replica and AOF divergence it creates is still intended now that the code itself is persisted and replicated with the library")
	case redisMembers[m]:
	case redisEvalOnly[m]:
		if call == nil || !isStmt {
			w.a.add(line, col, SeverityError, CodeEvalOnlyAPI, fmt.Sprintf("redis.%s does not exist in functions (\"attempt to call field '%s' (a nil value)\") and its value is used here; remove it", m, m))
		}
		// The statement form is removed by the caller, with a warning.
	case m == "register_function":
		w.a.add(line, col, SeverityError, CodeRegister, "redis.register_function can only be called while a library loads, not from a function at run time")
	default:
		if call != nil {
			w.a.add(line, col, SeverityWarning, CodeRedisMember, fmt.Sprintf("redis.%s does not exist (calling it raises \"attempt to call field '%s' (a nil value)\"), as in EVAL", m, m))
		} else {
			w.a.add(line, col, SeverityWarning, CodeRedisMember, fmt.Sprintf("redis.%s does not exist (it is nil), as in EVAL", m))
		}
	}
}

// call handles a function call; stmt is its statement when the result is
// discarded.
func (w *walker) call(c *ast.FuncCallExpr, s *scope, stmt *ast.FuncCallStmt) {
	if c.Func != nil {
		if ag, ok := c.Func.(*ast.AttrGetExpr); ok {
			if id := globalIdent(ag.Object, s); id != nil && id.Value == "redis" {
				if m, ok := staticKey(ag.Key); ok {
					w.a.names["redis"] = true
					w.redisMember(id, m, c, s, stmt != nil)
					switch {
					case m == "call" || m == "pcall":
						w.command(id, c)
					case redisEvalOnly[m] && stmt != nil:
						w.removeEvalOnly(id, m, c, stmt)
					}
					w.exprs(c.Args, s)
					return
				}
			}
		}
		if id := globalIdent(c.Func, s); id != nil && (id.Value == "loadstring" || id.Value == "load") && len(c.Args) > 0 {
			if code, ok := staticKey(c.Args[0]); ok && keysArgvRe.MatchString(code) {
				w.a.add(id.Line(), w.col(id), SeverityError, CodeKeysArgv, fmt.Sprintf("the code %s compiles uses KEYS or ARGV, which functions do not have as globals; it cannot be rewritten", id.Value))
			}
		}
		w.expr(c.Func, s)
	} else {
		w.expr(c.Receiver, s)
	}
	w.exprs(c.Args, s)
}

// command records the command of a redis.call / redis.pcall.
func (w *walker) command(id *ast.IdentExpr, c *ast.FuncCallExpr) {
	line, col := id.Line(), w.col(id)
	if len(c.Args) == 0 {
		w.blocker(line, col, CodeDynamicCommand, "redis.call without a command")
		return
	}
	name, ok := staticKey(c.Args[0])
	if !ok {
		w.blocker(line, col, CodeDynamicCommand, "the command name is not a string literal, so it cannot be known before the script runs")
		return
	}
	sub, haveSub := "", false
	if len(c.Args) > 1 {
		sub, haveSub = staticKey(c.Args[1])
	}
	class, full := classify(name, sub, haveSub)
	switch class {
	case cmdUnknown:
		w.a.add(line, col, SeverityWarning, CodeUnknownCommand, fmt.Sprintf("unknown command '%s' for Redis %s (\"Unknown Redis command called from script\")", full, commandsVersion))
		w.blocker(line, col, CodeUnknownCommand, fmt.Sprintf("command '%s' is unknown", full))
	case cmdNeedsSub:
		w.blocker(line, col, CodeDynamicCommand, fmt.Sprintf("the subcommand of %s is not a string literal", strings.ToUpper(full)))
	case cmdNoScript:
		w.a.add(line, col, SeverityWarning, CodeNoScript, fmt.Sprintf("%s cannot be called from scripts or functions (\"This Redis command is not allowed from script\"), as in EVAL", full))
		w.blocker(line, col, CodeNoScript, fmt.Sprintf("%s is not allowed from scripts", full))
	default:
		w.a.Commands = append(w.a.Commands, CommandUse{Command: full, Line: line, Write: class == cmdWrite})
	}
}

// removeEvalOnly comments out a statement calling redis.replicate_commands,
// redis.breakpoint or redis.debug: all three do nothing outside a debugging
// session, but functions do not have them. Arguments with side effects stop
// the removal (reported as an error).
func (w *walker) removeEvalOnly(id *ast.IdentExpr, m string, c *ast.FuncCallExpr, stmt *ast.FuncCallStmt) {
	line, col := id.Line(), w.col(id)
	for _, arg := range c.Args {
		if !pure(arg) {
			w.a.add(line, col, SeverityError, CodeEvalOnlyAPI, fmt.Sprintf("redis.%s does not exist in functions and its arguments have side effects, so it cannot be removed automatically", m))
			return
		}
	}
	sp, ok := w.stmtSpan(id)
	if !ok {
		w.a.add(line, col, SeverityError, CodeEvalOnlyAPI, fmt.Sprintf("redis.%s does not exist in functions and this call could not be removed automatically", m))
		return
	}
	w.a.removals = append(w.a.removals, sp)
	w.a.removedSet[stmt] = true
	what := map[string]string{
		"replicate_commands": "has done nothing since Redis 7.0 (effects are always replicated)",
		"breakpoint":         "only acts under the Lua debugger (SCRIPT DEBUG), which functions do not support",
		"debug":              "only acts under the Lua debugger (SCRIPT DEBUG), which functions do not support",
	}[m]
	w.a.add(line, col, SeverityWarning, CodeEvalOnlyAPI, fmt.Sprintf("redis.%s %s and does not exist in functions: commented out", m, what))
}

// pure reports whether evaluating e can have no effect: constants, names,
// indexing of those (KEYS[1]) and tables of those.
func pure(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.StringExpr, *ast.NumberExpr, *ast.NilExpr, *ast.TrueExpr, *ast.FalseExpr, *ast.IdentExpr:
		return true
	case *ast.AttrGetExpr:
		return pure(e.Object) && pure(e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			if (f.Key != nil && !pure(f.Key)) || !pure(f.Value) {
				return false
			}
		}
		return true
	}
	return false
}

// stmtSpan finds the text of the call statement starting at the token of
// id: redis . name followed by (...), {...} or a string, and a ';' right
// after it.
func (w *walker) stmtSpan(id *ast.IdentExpr) (span, bool) {
	toks := w.a.pos.toks
	i, ok := w.a.pos.ident[id]
	if !ok || i+3 >= len(toks) || toks[i+1].typ != '.' || toks[i+2].typ != parse.TIdent {
		return span{}, false
	}
	start := toks[i].off
	j := i + 3
	var end int
	switch toks[j].typ {
	case parse.TString:
		if j+1 < len(toks) {
			end = toks[j+1].off
		} else {
			end = len(w.a.body)
		}
		// The end of a string token is not recorded; trim the blanks
		// before the next token.
		end = trimBlankEnd(w.a.body, start, end)
	case '(', '{':
		open := toks[j].typ
		closeTyp := int(')')
		if open == '{' {
			closeTyp = int('}')
		}
		depth := 0
		for ; j < len(toks); j++ {
			switch toks[j].typ {
			case '(', '{', '[':
				depth++
			case ')', '}', ']':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if j >= len(toks) || toks[j].typ != closeTyp {
			return span{}, false
		}
		end = toks[j].off + 1
	default:
		return span{}, false
	}
	if j+1 < len(toks) && toks[j+1].typ == ';' {
		end = toks[j+1].off + 1
	}
	return span{start, end}, true
}

func trimBlankEnd(s string, start, end int) int {
	for end > start {
		switch s[end-1] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			end--
			continue
		}
		break
	}
	return end
}
