package library

import (
	"strings"
)

// Error is a library that Redis would refuse to create. Msg holds Redis's
// exact words, without the "ERR " prefix that a server adds on the wire.
type Error struct {
	Msg string
}

// Error returns Redis's message.
func (e *Error) Error() string { return e.Msg }

// Redis's messages for library metadata failures, in the order Redis checks.
const (
	MsgMissingMetadata = "Missing library metadata"
	MsgInvalidMetadata = "Invalid library metadata"
	MsgNameGivenTwice  = "Invalid metadata value, name argument was given multiple times"
	MsgInvalidValue    = "Invalid metadata value given: " // followed by the token
	MsgNameNotGiven    = "Library name was not given"
	MsgInvalidName     = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
)

// Metadata is what a library's shebang line declares.
type Metadata struct {
	// Engine is the canonical engine name ("LUA").
	Engine string
	// Name is the library name.
	Name string
	// Body is the code handed to the engine: from the newline that ends the
	// shebang (inclusive) to the end, so that line numbers match the source.
	Body string
}

// ParseMetadata parses the shebang line of code exactly as Redis 7's
// functionExtractLibMetaData and the library name and engine checks do. The
// checks run in Redis's order, so the first failure gives Redis's message.
func ParseMetadata(code string) (Metadata, error) {
	if !strings.HasPrefix(code, "#!") {
		return Metadata{}, &Error{Msg: MsgMissingMetadata}
	}
	// Redis finds the end of the shebang with strchr, which stops at a NUL.
	end := -1
	for i := 0; i < len(code); i++ {
		if code[i] == '\n' {
			end = i
			break
		}
		if code[i] == 0 {
			break
		}
	}
	if end < 0 {
		return Metadata{}, &Error{Msg: MsgInvalidMetadata}
	}
	parts, ok := SplitArgs(code[:end])
	if !ok || len(parts) == 0 {
		return Metadata{}, &Error{Msg: MsgInvalidMetadata}
	}
	engine := ""
	if len(parts[0]) > 2 {
		engine = parts[0][2:]
	}
	var name string
	haveName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if haveName {
				return Metadata{}, &Error{Msg: MsgNameGivenTwice}
			}
			name, haveName = p[5:], true
			continue
		}
		return Metadata{}, &Error{Msg: MsgInvalidValue + p}
	}
	if !haveName {
		return Metadata{}, &Error{Msg: MsgNameNotGiven}
	}
	if !ValidName(name) {
		return Metadata{}, &Error{Msg: MsgInvalidName}
	}
	if !strings.EqualFold(engine, EngineLua) {
		return Metadata{}, &Error{Msg: "Engine '" + engine + "' not found"}
	}
	return Metadata{Engine: EngineLua, Name: name, Body: code[end:]}, nil
}

// ValidName reports whether s is a valid library or function name for Redis:
// one or more ASCII letters, digits or underscores.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// SplitArgs splits line into arguments exactly as Redis's sdssplitargs does
// (the tokenizer of redis.conf, the shebang line and the AOF manifest):
// blanks separate tokens, "double quotes" understand \xHH, \n, \r, \t, \b, \a
// and backslash-escaped characters, 'single quotes' understand only \', and a
// closing quote must be followed by a blank or the end of the line. ok is
// false where Redis returns NULL (unbalanced or badly closed quotes). Like the
// C code, it stops at a NUL byte.
func SplitArgs(line string) (args []string, ok bool) {
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	p := 0
	args = []string{}
	for {
		for at(p) != 0 && isCSpace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					switch e := at(p); e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, e)
					}
				case c == '"':
					if at(p+1) != 0 && !isCSpace(at(p+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if at(p+1) != 0 && !isCSpace(at(p+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if at(p) != 0 {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
