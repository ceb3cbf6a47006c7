package remote

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fnkit/fnkit/library"
)

// Change is what a push does to one server's libraries.
type Change struct {
	// Added are libraries the server does not have yet.
	Added []string `json:"added"`
	// Replaced are libraries whose code changes.
	Replaced []string `json:"replaced"`
	// Removed are libraries dropped (only under FLUSH).
	Removed []string `json:"removed"`
	// Unchanged are libraries the server already holds with the same code.
	Unchanged []string `json:"unchanged"`
}

// Empty reports whether the push leaves the server as it is.
func (c Change) Empty() bool {
	return len(c.Added) == 0 && len(c.Replaced) == 0 && len(c.Removed) == 0
}

// PlanRestore computes, without touching any server, what FUNCTION RESTORE
// of incoming under mode does to a server holding current: the resulting
// set, the change per library, and — when FUNCTION RESTORE would refuse —
// Redis's error reply, word for word ("ERR Library x already exists",
// "ERR Function f already exists").
//
// Function-name conflicts need the names of the functions each library
// registers: currentFns holds them for the server's libraries (FUNCTION
// LIST), incomingFns for the incoming ones; a nil incomingFns skips that
// check. Like Redis, library names are checked before function names, and
// function names compare case-insensitively.
func PlanRestore(current, incoming *library.Set, mode library.RestoreMode, currentFns map[string][]Function, incomingFns map[string][]string) (*library.Set, Change, error) {
	var ch Change
	// The payload's own libraries are created first, in a temporary
	// context: two of them registering one function name fail there.
	if incomingFns != nil {
		seen := map[string]string{}
		for _, lib := range incoming.Names() {
			fns := append([]string(nil), incomingFns[lib]...)
			sort.Strings(fns)
			for _, f := range fns {
				key := strings.ToLower(f)
				if other, dup := seen[key]; dup && other != lib {
					// Two incoming libraries: FUNCTION RESTORE fails while
					// creating them in its temporary context.
					return nil, ch, serverErr("ERR Function %s already exists", f)
				}
				seen[key] = lib
			}
		}
	}
	// Then libraryJoin: library names first, then function names.
	if mode == library.RestoreAppend {
		for _, name := range incoming.Names() {
			if _, ok := current.Get(name); ok {
				return nil, ch, serverErr("ERR Library %s already exists", name)
			}
		}
	}
	if incomingFns != nil {
		// Functions that stay on the server after the incoming libraries
		// are joined: all under APPEND, those of libraries not replaced
		// under REPLACE, none under FLUSH.
		remaining := map[string]string{}
		if mode != library.RestoreFlush {
			for lib, fns := range currentFns {
				if _, replaced := incoming.Get(lib); replaced && mode == library.RestoreReplace {
					continue
				}
				for _, f := range fns {
					remaining[strings.ToLower(f.Name)] = lib
				}
			}
		}
		for _, lib := range incoming.Names() {
			fns := append([]string(nil), incomingFns[lib]...)
			sort.Strings(fns)
			for _, f := range fns {
				if _, clash := remaining[strings.ToLower(f)]; clash {
					return nil, ch, serverErr("ERR Function %s already exists", f)
				}
			}
		}
	}
	result, err := library.Restore(current, incoming, mode)
	if err != nil {
		return nil, ch, serverErr("ERR %s", err.Error())
	}
	for _, l := range incoming.Libraries() {
		old, ok := current.Get(l.Name)
		switch {
		case !ok:
			ch.Added = append(ch.Added, l.Name)
		case old.Code == l.Code:
			ch.Unchanged = append(ch.Unchanged, l.Name)
		default:
			ch.Replaced = append(ch.Replaced, l.Name)
		}
	}
	if mode == library.RestoreFlush {
		for _, name := range current.Names() {
			if _, ok := incoming.Get(name); !ok {
				ch.Removed = append(ch.Removed, name)
			}
		}
	}
	return result, ch, nil
}

// serverErr is an error reply as Redis would send it.
type replyError string

func (e replyError) Error() string { return string(e) }

func serverErr(format string, args ...any) error {
	return replyError(fmt.Sprintf(format, args...))
}
