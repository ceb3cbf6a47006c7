package library

import (
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
)

// ScriptFlags are the flags Redis 7 accepts in an EVAL script's shebang
// (scripts_flags_def), in the canonical order FUNCTION LIST prints a
// function's flags.
var ScriptFlags = []string{"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}

// ScriptShebangError is an EVAL shebang that Redis 7 refuses. Msg holds
// Redis's exact words (evalExtractShebangFlags), as EVAL replies them after
// "ERR ".
type ScriptShebangError struct {
	Msg string
}

// Error returns Redis's message.
func (e *ScriptShebangError) Error() string { return e.Msg }

// ScriptShebang is what an EVAL script's first line declares.
type ScriptShebang struct {
	// Present is false for a script without "#!": Redis runs it in
	// compatibility mode (no flags; read-only behaviour decided per command).
	Present bool
	// Flags are the declared flags in canonical order, without duplicates.
	Flags []string
	// Len is the length of the shebang line in bytes, without its newline
	// (Redis hands Lua the body from the newline on, so line numbers match).
	Len int
}

// ParseScriptShebang parses an EVAL script's shebang exactly as Redis 7's
// evalExtractShebangFlags does: the line up to the first newline (or NUL
// byte, where strchr stops) is split like redis.conf (sdssplitargs), the
// first token must be "#!lua" (case-sensitive), and every other token must
// be flags=<comma-separated list> of known flags (case-sensitive; an empty
// list is allowed). Tokens are compared and printed as C strings, up to a
// NUL byte. The error is a *ScriptShebangError with Redis's message.
//
// A function library's shebang ("#!lua name=...") is ParseMetadata's.
func ParseScriptShebang(src string) (ScriptShebang, error) {
	if !strings.HasPrefix(src, "#!") {
		return ScriptShebang{}, nil
	}
	end := shebangEnd(src)
	if end < 0 {
		return ScriptShebang{}, &ScriptShebangError{Msg: "Invalid script shebang"}
	}
	parts, ok := sds.SplitArgs(src[:end])
	if !ok || len(parts) == 0 {
		return ScriptShebang{}, &ScriptShebangError{Msg: "Invalid engine in script shebang"}
	}
	if engine := cString(parts[0]); engine != "#!lua" {
		return ScriptShebang{}, &ScriptShebangError{Msg: "Unexpected engine in script shebang: " + engine}
	}
	set := map[string]bool{}
	for _, p := range parts[1:] {
		opt := cString(p)
		if !strings.HasPrefix(opt, "flags=") {
			return ScriptShebang{}, &ScriptShebangError{Msg: "Unknown lua shebang option: " + opt}
		}
		v := p[len("flags="):]
		if v == "" {
			continue // sdssplitlen of an empty string yields no element
		}
		for _, f := range strings.Split(v, ",") {
			name := cString(f)
			if !isScriptFlag(name) {
				return ScriptShebang{}, &ScriptShebangError{Msg: "Unexpected flag in script shebang: " + name}
			}
			set[name] = true
		}
	}
	sb := ScriptShebang{Present: true, Len: end}
	for _, f := range ScriptFlags {
		if set[f] {
			sb.Flags = append(sb.Flags, f)
		}
	}
	return sb, nil
}

func isScriptFlag(f string) bool {
	for _, k := range ScriptFlags {
		if f == k {
			return true
		}
	}
	return false
}

// cString is s as C reads it: up to the first NUL byte.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
