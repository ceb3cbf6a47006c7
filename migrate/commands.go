package migrate

import "strings"

//go:generate go run ./internal/gencommands -o commands_gen.go

// cmdClass is how a command called from a script affects read-only
// detection.
type cmdClass int

const (
	// cmdUnknown: no such command (or subcommand) in the table.
	cmdUnknown cmdClass = iota
	// cmdRead: a no-writes function may call it.
	cmdRead
	// cmdWrite: a no-writes function may not ("Write commands are not
	// allowed from read-only scripts."): flagged write or may-replicate.
	cmdWrite
	// cmdNoScript: refused in every script and function.
	cmdNoScript
	// cmdNeedsSub: a container command whose subcommand is not a literal.
	cmdNeedsSub
)

// classify looks a literal command name (and, for container commands such as
// OBJECT or XINFO, the literal subcommand when haveSub is set) up in the
// table generated from a real redis-server (commands_gen.go). It returns the
// class and Redis's full name ("get", "object|encoding").
func classify(name, sub string, haveSub bool) (cmdClass, string) {
	name = strings.ToLower(name)
	if containerCommands[name] {
		if !haveSub {
			return cmdNeedsSub, name
		}
		name += "|" + strings.ToLower(sub)
	}
	if c, ok := commandClasses[name]; ok {
		return c, name
	}
	return cmdUnknown, name
}
