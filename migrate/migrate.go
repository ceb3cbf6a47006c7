// Package migrate turns Redis EVAL scripts into one Redis Functions library.
//
// Each script becomes one function whose callback receives the keys and
// arguments that the script read from the KEYS and ARGV globals. The rewrite
// works on the syntax tree of gopher-lua's Lua 5.1 parser and edits the
// source text only at the places the tree names, so comments, formatting and
// line structure survive and the result can be diffed against the script.
// An EVAL shebang's flags become the function's flags; a script without a
// shebang whose every command is a literal read-only command gets no-writes.
//
// Analyze reports what cannot be migrated safely (globals, EVAL-only redis.*
// members, KEYS/ARGV used in ways a rewrite cannot follow, bad shebangs) with
// the script's file and line. Migrate refuses to produce a library while any
// finding is an error.
package migrate

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/fnkit/fnkit/library"
	"github.com/yuin/gopher-lua/ast"
)

// ErrUnsafe is wrapped by the error Migrate returns when a script cannot be
// migrated safely; the Result's Findings say where and why.
var ErrUnsafe = errors.New("scripts cannot be migrated safely")

// ErrName is wrapped when a library or function name is invalid or used
// twice.
var ErrName = errors.New("invalid name")

// Script is one EVAL script to migrate.
type Script struct {
	// Path names the script in reports; its base name without extension
	// gives the function name unless Function is set.
	Path string
	// Source is the script text exactly as EVAL would receive it.
	Source string
	// Function, when set, is the function name.
	Function string
}

// Function describes one function of the migrated library.
type Function struct {
	// Name is the function name.
	Name string `json:"name"`
	// Script is the script's path.
	Script string `json:"script"`
	// Flags are the function's flags in Redis's canonical order.
	Flags []string `json:"flags"`
	// FlagsFrom says where the flags come from: "shebang" (the EVAL
	// shebang), "read-only" (no shebang, every command is a literal
	// read-only command: no-writes) or "none" (no shebang, the script
	// writes or its commands cannot be known: no flags, like EVAL's
	// compatibility mode as closely as functions allow).
	FlagsFrom string `json:"flags_from"`
	// FirstLine and LastLine are the lines of the function's registration
	// in the library (1-based, the shebang line is line 1).
	FirstLine int `json:"first_line"`
	LastLine  int `json:"last_line"`
	// LineOffset is added to a line of the script to give the same line in
	// the library: an error that EVAL reports "on @user_script:N" is
	// reported "on @user_function:N+LineOffset" by the function.
	LineOffset int `json:"line_offset"`
	// Keys and Args are the callback's parameter names.
	Keys string `json:"keys_param"`
	Args string `json:"args_param"`
	// Rewritten counts the KEYS and ARGV uses rewritten.
	Rewritten int `json:"rewritten"`
	// Commands lists the literal commands the script calls.
	Commands []CommandUse `json:"commands"`
}

// Result is a migration: the library source and the report.
type Result struct {
	// Library is the library name.
	Library string `json:"library"`
	// Code is the library source; empty when a finding is an error.
	Code string `json:"-"`
	// Functions describes the functions, in script order.
	Functions []Function `json:"functions"`
	// Findings lists every error and warning, script by script.
	Findings []Finding `json:"findings"`
}

// Errors returns the error findings.
func (r *Result) Errors() []Finding { return r.bySeverity(SeverityError) }

// Warnings returns the warning findings.
func (r *Result) Warnings() []Finding { return r.bySeverity(SeverityWarning) }

func (r *Result) bySeverity(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// FunctionName derives a function name from a script path: the base name
// without its extension, with every character Redis does not accept in a
// function name ([A-Za-z0-9_]) replaced by '_'. It returns "" when nothing
// is left.
func FunctionName(path string) string {
	base := filepath.Base(path)
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Migrate turns scripts into one library called name. The Result always
// carries the report; when a script cannot be migrated safely (an error
// finding) or a name is invalid, Code is empty and the error wraps ErrUnsafe
// or ErrName. The library is checked to parse and to declare its name as
// Redis requires; loading it in the runtime is the caller's next step (see
// Verify).
func Migrate(name string, scripts []Script) (*Result, error) {
	res := &Result{Library: name, Functions: []Function{}, Findings: []Finding{}}
	if !library.ValidName(name) {
		return res, fmt.Errorf("%w: library name %q: %s", ErrName, name, library.MsgInvalidName)
	}
	if len(scripts) == 0 {
		return res, fmt.Errorf("%w: no scripts given", ErrName)
	}
	analyses := make([]*Analysis, len(scripts))
	seen := map[string]string{}
	var nameErr error
	for i, sc := range scripts {
		a := Analyze(sc.Path, sc.Source)
		analyses[i] = a
		fn := sc.Function
		if fn == "" {
			fn = FunctionName(sc.Path)
		}
		switch {
		case !library.ValidName(fn):
			a.add(0, 0, SeverityError, CodeName, fmt.Sprintf("function name %q: %s", fn, library.MsgInvalidName))
		case seen[strings.ToLower(fn)] != "":
			a.add(0, 0, SeverityError, CodeName, fmt.Sprintf("function name %q is already taken by %s (function names are case-insensitive)", fn, seen[strings.ToLower(fn)]))
		default:
			seen[strings.ToLower(fn)] = sc.Path
		}
		res.Findings = append(res.Findings, a.Findings...)
		res.Functions = append(res.Functions, Function{Name: fn, Script: sc.Path, Flags: []string{}, Commands: a.Commands})
		if a.HasErrors() && nameErr == nil {
			nameErr = ErrUnsafe
		}
	}
	if nameErr != nil {
		return res, fmt.Errorf("%w: %d error(s)", nameErr, len(res.Errors()))
	}

	var b strings.Builder
	b.WriteString("#!lua name=" + name + "\n")
	line := 2
	for i, a := range analyses {
		f := &res.Functions[i]
		if i > 0 {
			b.WriteString("\n")
			line++
		}
		body, keysP, argsP, err := a.rewriteBody()
		if err != nil {
			a.add(0, 0, SeverityError, CodeParse, "internal error: "+err.Error())
			res.Findings = append(res.Findings, a.Findings[len(a.Findings)-1])
			return res, fmt.Errorf("%w: %s: %v", ErrUnsafe, a.File, err)
		}
		f.Keys, f.Args, f.Rewritten = keysP, argsP, len(a.rewrite)
		switch {
		case a.Shebang.Present:
			f.Flags = append(f.Flags, a.Shebang.Flags...)
			f.FlagsFrom = "shebang"
		case a.ReadOnly:
			f.Flags = append(f.Flags, "no-writes")
			f.FlagsFrom = "read-only"
		default:
			f.FlagsFrom = "none"
		}
		params := keysP + ", " + argsP
		if a.vararg {
			params += ", ..."
		}
		var open, closer string
		if len(f.Flags) == 0 {
			open = fmt.Sprintf("redis.register_function('%s', function(%s)", f.Name, params)
			closer = "end)"
		} else {
			open = fmt.Sprintf("redis.register_function{function_name='%s', flags={'%s'}, callback=function(%s)", f.Name, strings.Join(f.Flags, "', '"), params)
			closer = "end}"
		}
		// The body keeps the script's lines. With a shebang, its line
		// (now empty) is dropped, so script line 2 sits on the opening
		// line; without one, script line 1 does.
		f.FirstLine = line
		if a.Shebang.Present {
			body = body[1:] // the shebang's newline
			f.LineOffset = line - 2
		} else {
			f.LineOffset = line - 1
		}
		b.WriteString(open)
		if body != "" && !startsWithNewline(body) {
			b.WriteString(" ")
		}
		b.WriteString(body)
		line += len(lineStarts(body)) - 1
		if !endsWithNewline(body) {
			b.WriteString("\n")
			line++
		}
		b.WriteString(closer + " -- " + filepath.Base(a.File) + "\n")
		f.LastLine = line
		line++
	}
	code := b.String()
	if _, err := library.New(code, library.Origin{Offset: -1}); err != nil {
		return res, fmt.Errorf("%w: the generated library is refused: %v", ErrUnsafe, err)
	}
	if _, err := parseLua(code[strings.IndexByte(code, '\n'):]); err != nil {
		return res, fmt.Errorf("%w: the generated library does not compile: %v", ErrUnsafe, err)
	}
	res.Code = code
	return res, nil
}

func startsWithNewline(s string) bool { return s != "" && (s[0] == '\n' || s[0] == '\r') }

func endsWithNewline(s string) bool {
	return s != "" && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r')
}

// rewriteBody returns the script body with KEYS and ARGV renamed to the
// callback's parameters and EVAL-only no-op statements commented out, after
// checking that the rewritten text has exactly the syntax tree of the
// original with those changes.
func (a *Analysis) rewriteBody() (body, keysP, argsP string, err error) {
	keysP, argsP = a.freshName("keys"), a.freshName("args")
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	renamed := map[int]string{}
	for _, t := range a.rewrite {
		tok := a.pos.toks[t]
		p := keysP
		if tok.str == "ARGV" {
			p = argsP
		}
		renamed[t] = p
		edits = append(edits, edit{tok.off, tok.off + len(tok.str), p})
	}
	for _, sp := range a.removals {
		edits = append(edits, edit{sp.start, sp.end, longComment(a.body[sp.start:sp.end])})
	}
	// A KEYS/ARGV argument of a removed statement is commented out with
	// it: drop its rename.
	var kept []edit
	for _, e := range edits {
		inside := false
		if e.text == keysP || e.text == argsP {
			for _, sp := range a.removals {
				if e.start >= sp.start && e.end <= sp.end {
					inside = true
				}
			}
		}
		if !inside {
			kept = append(kept, e)
		}
	}
	sortEdits := func(es []edit) {
		for i := 1; i < len(es); i++ {
			for j := i; j > 0 && es[j].start < es[j-1].start; j-- {
				es[j], es[j-1] = es[j-1], es[j]
			}
		}
	}
	sortEdits(kept)
	var b strings.Builder
	last := 0
	for _, e := range kept {
		if e.start < last {
			return "", "", "", fmt.Errorf("overlapping edits at byte %d", e.start)
		}
		b.WriteString(a.body[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(a.body[last:])
	body = b.String()

	// Check: same tree, same lines, only the intended names changed.
	got, perr := parseLua(body)
	if perr != nil {
		return "", "", "", fmt.Errorf("the rewritten script does not parse: %v", perr)
	}
	want := map[*ast.IdentExpr]string{}
	for id, t := range a.pos.ident {
		if p, ok := renamed[t]; ok {
			want[id] = p
		}
	}
	if !sameTree(a.chunk, got, want, a.removedSet) {
		return "", "", "", errors.New("the rewritten script differs from the original beyond KEYS/ARGV")
	}
	return body, keysP, argsP, nil
}

// freshName returns base, or base with underscores appended, choosing a name
// the script neither declares nor reads, so the parameter can never be
// shadowed or capture one of the script's names.
func (a *Analysis) freshName(base string) string {
	n := base
	for a.names[n] {
		n += "_"
	}
	return n
}

// longComment wraps text in a Lua long comment whose brackets do not occur
// in text.
func longComment(text string) string {
	eq := ""
	for strings.Contains(text, "]"+eq+"]") {
		eq += "="
	}
	return "--[" + eq + "[" + text + "]" + eq + "]"
}

// sameTree compares two syntax trees field by field (lines included):
// identifiers in rename must carry their new names in b, and the statements
// in removed (of a) must be absent from b.
func sameTree(a, b []ast.Stmt, rename map[*ast.IdentExpr]string, removed map[ast.Stmt]bool) bool {
	var eq func(x, y reflect.Value) bool
	eq = func(x, y reflect.Value) bool {
		if x.Kind() != y.Kind() {
			return false
		}
		switch x.Kind() {
		case reflect.Interface:
			if x.IsNil() || y.IsNil() {
				return x.IsNil() == y.IsNil()
			}
			return eq(x.Elem(), y.Elem())
		case reflect.Pointer:
			if x.IsNil() || y.IsNil() {
				return x.IsNil() == y.IsNil()
			}
			if x.Type() != y.Type() {
				return false
			}
			if x.CanInterface() {
				if id, ok := x.Interface().(*ast.IdentExpr); ok {
					want := id.Value
					if n, ok := rename[id]; ok {
						want = n
					}
					yid := y.Interface().(*ast.IdentExpr)
					return want == yid.Value && id.Line() == yid.Line()
				}
			}
			return eq(x.Elem(), y.Elem())
		case reflect.Struct:
			for i := 0; i < x.NumField(); i++ {
				if !eq(x.Field(i), y.Field(i)) {
					return false
				}
			}
			return true
		case reflect.Slice:
			if x.Type() == reflect.TypeOf([]ast.Stmt(nil)) && len(removed) > 0 {
				j := 0
				for i := 0; i < x.Len(); i++ {
					if st, ok := x.Index(i).Interface().(ast.Stmt); ok && removed[st] {
						continue
					}
					if j >= y.Len() || !eq(x.Index(i), y.Index(j)) {
						return false
					}
					j++
				}
				return j == y.Len()
			}
			if x.Len() != y.Len() {
				return false
			}
			for i := 0; i < x.Len(); i++ {
				if !eq(x.Index(i), y.Index(i)) {
					return false
				}
			}
			return true
		case reflect.String:
			return x.String() == y.String()
		case reflect.Int, reflect.Int64, reflect.Int32:
			return x.Int() == y.Int()
		case reflect.Bool:
			return x.Bool() == y.Bool()
		}
		return true
	}
	return eq(reflect.ValueOf(a), reflect.ValueOf(b))
}
