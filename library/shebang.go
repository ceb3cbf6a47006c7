package library

import (
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
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
	end := shebangEnd(code)
	if end < 0 {
		return Metadata{}, &Error{Msg: MsgInvalidMetadata}
	}
	parts, ok := sds.SplitArgs(code[:end])
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

// shebangEnd is the offset of the newline that ends code's first line, as
// Redis finds it with strchr: -1 when there is none or a NUL byte comes
// first.
func shebangEnd(code string) int {
	end := strings.IndexByte(code, '\n')
	if end < 0 || strings.IndexByte(code[:end], 0) >= 0 {
		return -1
	}
	return end
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
