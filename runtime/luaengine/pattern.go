package luaengine

import (
	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1 patterns, transliterated from lstrlib.c so that matches,
// captures and error messages are PUC-Lua's. Unlike lstrlib, the matcher
// counts its steps and checks the run's context every few thousand of
// them, so a catastrophic pattern is interrupted by FUNCTION KILL or the
// time limit (Redis cannot interrupt one).

const (
	maxCaptures   = 32 // LUA_MAXCAPTURES
	capUnfinished = -1
	capPosition   = -2
	patternEsc    = '%'
	specials      = "^$*+?.([%-"
	// maxMatchDepth bounds the matcher's recursion (one level per pattern
	// item) so that a pathological pattern cannot exhaust the Go stack.
	maxMatchDepth = 20000
)

type capture struct {
	init int
	len  int
}

type matchState struct {
	e     *Engine
	L     *lua.LState
	src   string
	pat   string
	level int
	cap   [maxCaptures]capture
	steps int
	depth int
}

// pc returns the pattern byte at i, or 0 at and past the end (the C
// pattern is NUL-terminated).
func (ms *matchState) pc(i int) byte {
	if i < len(ms.pat) {
		return ms.pat[i]
	}
	return 0
}

// sc returns the source byte at i, or 0 at the end.
func (ms *matchState) sc(i int) byte {
	if i < len(ms.src) {
		return ms.src[i]
	}
	return 0
}

func (ms *matchState) tick() {
	ms.steps++
	if ms.steps&0xfff == 0 {
		ms.e.checkBudget(ms.L)
	}
}

func (ms *matchState) checkCapture(l int) int {
	l -= '1'
	if l < 0 || l >= ms.level || ms.cap[l].len == capUnfinished {
		ms.L.RaiseError("invalid capture index")
	}
	return l
}

func (ms *matchState) captureToClose() int {
	for level := ms.level - 1; level >= 0; level-- {
		if ms.cap[level].len == capUnfinished {
			return level
		}
	}
	ms.L.RaiseError("invalid pattern capture")
	return 0
}

func (ms *matchState) classEnd(p int) int {
	c := ms.pc(p)
	p++
	switch c {
	case patternEsc:
		if ms.pc(p) == 0 {
			ms.L.RaiseError("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if ms.pc(p) == '^' {
			p++
		}
		for {
			if ms.pc(p) == 0 {
				ms.L.RaiseError("malformed pattern (missing ']')")
			}
			c := ms.pc(p)
			p++
			if c == patternEsc && ms.pc(p) != 0 {
				p++
			}
			if ms.pc(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func isalpha(c byte) bool  { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isdigit(c byte) bool  { return c >= '0' && c <= '9' }
func islower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isupper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isalnum(c byte) bool  { return isalpha(c) || isdigit(c) }
func iscntrl(c byte) bool  { return c < 32 || c == 127 }
func isxdigit(c byte) bool { return isdigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func ispunct(c byte) bool  { return c > 32 && c < 127 && !isalnum(c) }
func tolower(c byte) byte {
	if isupper(c) {
		return c + 32
	}
	return c
}
func toupper(c byte) byte {
	if islower(c) {
		return c - 32
	}
	return c
}

func matchClass(c, cl byte) bool {
	var res bool
	switch tolower(cl) {
	case 'a':
		res = isalpha(c)
	case 'c':
		res = iscntrl(c)
	case 'd':
		res = isdigit(c)
	case 'l':
		res = islower(c)
	case 'p':
		res = ispunct(c)
	case 's':
		res = isCSpace(c)
	case 'u':
		res = isupper(c)
	case 'w':
		res = isalnum(c)
	case 'x':
		res = isxdigit(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if islower(cl) {
		return res
	}
	return !res
}

// matchBracketClass: p is at '[', ec at the closing ']'.
func (ms *matchState) matchBracketClass(c byte, p, ec int) bool {
	sig := true
	if ms.pc(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		if ms.pc(p) == patternEsc {
			p++
			if matchClass(c, ms.pc(p)) {
				return sig
			}
		} else if ms.pc(p+1) == '-' && p+2 < ec {
			p += 2
			if ms.pc(p-2) <= c && c <= ms.pc(p) {
				return sig
			}
		} else if ms.pc(p) == c {
			return sig
		}
	}
	return !sig
}

func (ms *matchState) singleMatch(c byte, p, ep int) bool {
	switch ms.pc(p) {
	case '.':
		return true
	case patternEsc:
		return matchClass(c, ms.pc(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.pc(p) == c
}

func (ms *matchState) matchBalance(s, p int) int {
	if ms.pc(p) == 0 || ms.pc(p+1) == 0 {
		ms.L.RaiseError("unbalanced pattern")
	}
	if s >= len(ms.src) || ms.src[s] != ms.pc(p) {
		return -1
	}
	b, e := ms.pc(p), ms.pc(p+1)
	cont := 1
	for s++; s < len(ms.src); s++ {
		ms.tick()
		if ms.src[s] == e {
			cont--
			if cont == 0 {
				return s + 1
			}
		} else if ms.src[s] == b {
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(ms.src) && ms.singleMatch(ms.src[s+i], p, ep) {
		ms.tick()
		i++
	}
	for i >= 0 {
		if r := ms.match(s+i, ep+1); r >= 0 {
			return r
		}
		i--
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		if r := ms.match(s, ep+1); r >= 0 {
			return r
		}
		if s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	level := ms.level
	if level >= maxCaptures {
		ms.L.RaiseError("too many captures")
	}
	ms.cap[level] = capture{init: s, len: what}
	ms.level = level + 1
	r := ms.match(s, p)
	if r < 0 {
		ms.level--
	}
	return r
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.cap[l].len = s - ms.cap[l].init
	r := ms.match(s, p)
	if r < 0 {
		ms.cap[l].len = capUnfinished
	}
	return r
}

func (ms *matchState) matchCapture(s int, l int) int {
	l = ms.checkCapture(l)
	n := ms.cap[l].len
	if len(ms.src)-s >= n && ms.src[ms.cap[l].init:ms.cap[l].init+n] == ms.src[s:s+n] {
		return s + n
	}
	return -1
}

// match returns the end of the match of the pattern from p against the
// source from s, or -1.
func (ms *matchState) match(s, p int) int {
	ms.depth++
	if ms.depth > maxMatchDepth {
		ms.L.RaiseError("pattern too complex")
	}
	defer func() { ms.depth-- }()
	for {
		ms.tick()
		switch ms.pc(p) {
		case '(':
			if ms.pc(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case 0:
			return s
		case patternEsc:
			switch ms.pc(p + 1) {
			case 'b':
				s = ms.matchBalance(s, p+2)
				if s < 0 {
					return -1
				}
				p += 4
				continue
			case 'f':
				p += 2
				if ms.pc(p) != '[' {
					ms.L.RaiseError("missing '[' after '%%f' in pattern")
				}
				ep := ms.classEnd(p)
				var prev byte
				if s > 0 {
					prev = ms.src[s-1]
				}
				if ms.matchBracketClass(prev, p, ep-1) || !ms.matchBracketClass(ms.sc(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			default:
				if isdigit(ms.pc(p + 1)) {
					s = ms.matchCapture(s, int(ms.pc(p+1)))
					if s < 0 {
						return -1
					}
					p += 2
					continue
				}
			}
		case '$':
			if p+1 >= len(ms.pat) || ms.pc(p+1) == 0 {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		}
		// a single-char pattern item
		ep := ms.classEnd(p)
		m := s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep)
		switch ms.pc(ep) {
		case '?':
			if m {
				if r := ms.match(s+1, ep+1); r >= 0 {
					return r
				}
			}
			p = ep + 1
			continue
		case '*':
			return ms.maxExpand(s, p, ep)
		case '+':
			if m {
				return ms.maxExpand(s+1, p, ep)
			}
			return -1
		case '-':
			return ms.minExpand(s, p, ep)
		default:
			if !m {
				return -1
			}
			s++
			p = ep
		}
	}
}

// pushCapture pushes capture i (or the whole match s..e when there are no
// captures).
func (ms *matchState) captureValue(i, s, e int) lua.LValue {
	if i >= ms.level {
		if i == 0 {
			return lua.LString(ms.src[s:e])
		}
		ms.L.RaiseError("invalid capture index")
	}
	c := ms.cap[i]
	if c.len == capUnfinished {
		ms.L.RaiseError("unfinished capture")
	}
	if c.len == capPosition {
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures pushes all captures (or the whole match when wholeIfNone
// and there are none) and returns their number.
func (ms *matchState) pushCaptures(s, e int, wholeIfNone bool) int {
	n := ms.level
	if n == 0 && wholeIfNone {
		n = 1
	}
	if n+ms.L.GetTop() > 8000 {
		ms.L.RaiseError("stack overflow (too many captures)")
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.captureValue(i, s, e))
	}
	return n
}

// cutNUL returns the pattern as C sees it: up to the first NUL byte.
func cutNUL(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] == 0 {
			return p[:i]
		}
	}
	return p
}
