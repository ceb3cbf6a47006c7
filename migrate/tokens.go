package migrate

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// token is one lexical token of a Lua text with its exact place.
type token struct {
	typ  int
	str  string
	line int // 1-based
	col  int // 1-based byte column
	off  int // byte offset in the text
}

// lineStarts returns the byte offset at which each line starts, counting
// newlines as the Lua lexer does ("\n", "\r", "\r\n" and "\n\r" each end
// one line).
func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '\n' && c != '\r' {
			continue
		}
		if i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r') && src[i+1] != c {
			i++
		}
		starts = append(starts, i+1)
	}
	return starts
}

// scan splits src into tokens with gopher-lua's Lua 5.1 scanner.
func scan(src string) ([]token, error) {
	sc := parse.NewScanner(strings.NewReader(src), "")
	lx := &parse.Lexer{}
	starts := lineStarts(src)
	var toks []token
	for {
		tok, err := sc.Scan(lx)
		if err != nil {
			return toks, err
		}
		if tok.Type <= 0 { // EOF
			return toks, nil
		}
		lx.PrevTokenType = tok.Type
		t := token{typ: tok.Type, str: tok.Str, line: tok.Pos.Line, col: tok.Pos.Column}
		if t.line >= 1 && t.line <= len(starts) {
			t.off = starts[t.line-1] + t.col - 1
		}
		toks = append(toks, t)
	}
}

// parseLua parses src as a Lua 5.1 chunk. It never panics.
func parseLua(src string) (chunk []ast.Stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			chunk, err = nil, &parseError{msg: "parser failure: " + strings.TrimSpace(stringOf(r))}
		}
	}()
	chunk, err = parse.Parse(strings.NewReader(src), "")
	if err == nil && chunk == nil {
		// parse.Parse recovered a panic that was not an error value.
		return nil, &parseError{msg: "parser failure"}
	}
	return chunk, err
}

func stringOf(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return reflect.TypeOf(v).String()
}

// parseError is a parse failure that did not come with a position.
type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

// positions ties the syntax tree of a text to its tokens: gopher-lua's tree
// keeps line numbers only, so every name token of the text is renamed to a
// unique marker, the renamed text is parsed again, and the two trees (equal
// in shape, since only names changed) are walked side by side. A marker found
// in the renamed tree says which token a name of the original tree came from.
type positions struct {
	toks []token
	// ident maps each identifier expression to its name token.
	ident map[*ast.IdentExpr]int
	// localNames maps a local statement to the tokens of its names.
	localNames map[*ast.LocalAssignStmt][]int
}

// mapPositions builds positions for chunk, the tree of src.
func mapPositions(src string, chunk []ast.Stmt, toks []token) (*positions, bool) {
	marker := "fnkit_m"
	for strings.Contains(src, marker) {
		marker += "_"
	}
	marker += "_"
	var b strings.Builder
	last := 0
	for i, t := range toks {
		if t.typ != parse.TIdent {
			continue
		}
		if t.off < last || t.off+len(t.str) > len(src) || src[t.off:t.off+len(t.str)] != t.str {
			return nil, false
		}
		b.WriteString(src[last:t.off])
		b.WriteString(marker)
		b.WriteString(strconv.Itoa(i))
		last = t.off + len(t.str)
	}
	b.WriteString(src[last:])
	renamed, err := parseLua(b.String())
	if err != nil {
		return nil, false
	}
	p := &positions{toks: toks, ident: map[*ast.IdentExpr]int{}, localNames: map[*ast.LocalAssignStmt][]int{}}
	ok := true
	tokOf := func(s string) int {
		if !strings.HasPrefix(s, marker) {
			return -1
		}
		n, err := strconv.Atoi(s[len(marker):])
		if err != nil || n < 0 || n >= len(toks) || toks[n].typ != parse.TIdent {
			return -1
		}
		return n
	}
	var walk func(a, b reflect.Value)
	walk = func(a, b reflect.Value) {
		if !ok {
			return
		}
		if a.Kind() != b.Kind() {
			ok = false
			return
		}
		switch a.Kind() {
		case reflect.Interface:
			if a.IsNil() != b.IsNil() {
				ok = false
				return
			}
			if !a.IsNil() {
				walk(a.Elem(), b.Elem())
			}
		case reflect.Pointer:
			if a.IsNil() != b.IsNil() || (!a.IsNil() && a.Type() != b.Type()) {
				ok = false
				return
			}
			if a.IsNil() || !a.CanInterface() {
				return
			}
			switch an := a.Interface().(type) {
			case *ast.IdentExpr:
				bn := b.Interface().(*ast.IdentExpr)
				if n := tokOf(bn.Value); n >= 0 && toks[n].str == an.Value {
					p.ident[an] = n
				} else {
					ok = false
				}
				return
			case *ast.LocalAssignStmt:
				bn := b.Interface().(*ast.LocalAssignStmt)
				if len(an.Names) != len(bn.Names) {
					ok = false
					return
				}
				for i := range an.Names {
					n := tokOf(bn.Names[i])
					if n < 0 || toks[n].str != an.Names[i] {
						ok = false
						return
					}
					p.localNames[an] = append(p.localNames[an], n)
				}
			}
			walk(a.Elem(), b.Elem())
		case reflect.Struct:
			for i := 0; i < a.NumField(); i++ {
				walk(a.Field(i), b.Field(i))
			}
		case reflect.Slice:
			if a.Len() != b.Len() {
				ok = false
				return
			}
			for i := 0; i < a.Len(); i++ {
				walk(a.Index(i), b.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(chunk), reflect.ValueOf(renamed))
	return p, ok
}

// isLocalFunction reports whether a local statement is `local function f`
// (whose name is in scope inside its own body) rather than
// `local f = function` (whose body sees an outer f).
func (p *positions) isLocalFunction(st *ast.LocalAssignStmt) bool {
	ns := p.localNames[st]
	if len(ns) != 1 || ns[0] < 2 {
		return false
	}
	return p.toks[ns[0]-1].typ == parse.TFunction && p.toks[ns[0]-2].typ == parse.TLocal
}
