package migrate

import (
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
)

// Script flags Redis accepts in an EVAL shebang (scripts_flags_def), in the
// canonical order FUNCTION LIST prints function flags.
var scriptFlags = []string{"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}

// ShebangError is an EVAL shebang that Redis 7 refuses. Msg holds Redis's
// exact words (evalExtractShebangFlags), as EVAL would reply them after
// "ERR ".
type ShebangError struct {
	Msg string
}

// Error returns Redis's message.
func (e *ShebangError) Error() string { return e.Msg }

// Shebang is what an EVAL script's first line declares.
type Shebang struct {
	// Present is false for a script without "#!": Redis runs it in
	// compatibility mode (no flags; read-only behaviour decided per command).
	Present bool
	// Flags are the declared flags in canonical order, without duplicates.
	Flags []string
	// Len is the length of the shebang line in bytes, without its newline.
	Len int
}

// ParseShebang parses an EVAL script's shebang exactly as Redis 7's
// evalExtractShebangFlags does: the line up to the first newline is split
// like redis.conf (sdssplitargs), the first token must be "#!lua" (case
// sensitive), and every other token must be flags=<comma separated list> of
// known flags (case sensitive; an empty list is allowed). The error is a
// *ShebangError with Redis's message.
func ParseShebang(src string) (Shebang, error) {
	if !strings.HasPrefix(src, "#!") {
		return Shebang{}, nil
	}
	end := strings.IndexByte(src, '\n')
	// strchr stops at a NUL byte as well.
	if nul := strings.IndexByte(src, 0); nul >= 0 && (end < 0 || nul < end) {
		end = -1
	}
	if end < 0 {
		return Shebang{}, &ShebangError{Msg: "Invalid script shebang"}
	}
	parts, ok := sds.SplitArgs(src[:end])
	if !ok || len(parts) == 0 {
		return Shebang{}, &ShebangError{Msg: "Invalid engine in script shebang"}
	}
	if parts[0] != "#!lua" {
		return Shebang{}, &ShebangError{Msg: "Unexpected engine in script shebang: " + parts[0]}
	}
	set := map[string]bool{}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "flags=") {
			return Shebang{}, &ShebangError{Msg: "Unknown lua shebang option: " + p}
		}
		v := p[len("flags="):]
		if v == "" {
			continue // sdssplitlen of an empty string yields no element
		}
		for _, f := range strings.Split(v, ",") {
			if !knownFlag(f) {
				return Shebang{}, &ShebangError{Msg: "Unexpected flag in script shebang: " + f}
			}
			set[f] = true
		}
	}
	sb := Shebang{Present: true, Len: end}
	for _, f := range scriptFlags {
		if set[f] {
			sb.Flags = append(sb.Flags, f)
		}
	}
	return sb, nil
}

func knownFlag(f string) bool {
	for _, k := range scriptFlags {
		if f == k {
			return true
		}
	}
	return false
}
