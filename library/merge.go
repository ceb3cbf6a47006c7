package library

import (
	"errors"
	"fmt"
	"strings"
)

// Policy decides what Merge does when two sources hold different code under
// the same library name. Identical code is never a conflict.
type Policy int

const (
	// PolicyFail makes a conflict an error that names both sources. It is
	// the default.
	PolicyFail Policy = iota
	// PolicyReplace keeps the library from the later source.
	PolicyReplace
	// PolicyKeep keeps the library from the first source.
	PolicyKeep
)

// String returns the policy's command-line spelling.
func (p Policy) String() string {
	switch p {
	case PolicyFail:
		return "fail"
	case PolicyReplace:
		return "replace"
	case PolicyKeep:
		return "keep"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy parses "fail", "replace" or "keep" (case-insensitive).
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(s) {
	case "fail", "":
		return PolicyFail, nil
	case "replace":
		return PolicyReplace, nil
	case "keep":
		return PolicyKeep, nil
	}
	return 0, fmt.Errorf("unknown merge policy %q: want fail, replace or keep", s)
}

// ErrConflict is wrapped by every *ConflictError.
var ErrConflict = errors.New("library conflict")

// ConflictError reports a library name present in two sources with
// different code under PolicyFail.
type ConflictError struct {
	Name          string
	First, Second *Library
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("library %q differs between %s (sha1 %.12s) and %s (sha1 %.12s); choose --policy replace or keep",
		e.Name, e.First.Origin, e.First.SHA1(), e.Second.Origin, e.Second.SHA1())
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Merge combines sets in order under policy. Libraries keep their origins, so
// the result tells which source each library came from.
func Merge(policy Policy, sets ...*Set) (*Set, error) {
	out := &Set{}
	for _, s := range sets {
		for _, l := range s.Libraries() {
			prev, ok := out.Get(l.Name)
			switch {
			case !ok:
				out.Put(l)
			case prev.Code == l.Code:
				// identical code is never a conflict; the first copy stays
			case policy == PolicyReplace:
				out.Put(l)
			case policy == PolicyKeep:
			default:
				return nil, &ConflictError{Name: l.Name, First: prev, Second: l}
			}
		}
	}
	return out, nil
}

// RestoreMode is a FUNCTION RESTORE policy.
type RestoreMode int

const (
	// RestoreAppend adds the incoming libraries; a name already present is
	// an error. It is FUNCTION RESTORE's default.
	RestoreAppend RestoreMode = iota
	// RestoreReplace replaces libraries of the same name.
	RestoreReplace
	// RestoreFlush drops every current library first.
	RestoreFlush
)

// String returns the mode's spelling in lower case.
func (m RestoreMode) String() string {
	switch m {
	case RestoreAppend:
		return "append"
	case RestoreReplace:
		return "replace"
	case RestoreFlush:
		return "flush"
	}
	return fmt.Sprintf("RestoreMode(%d)", int(m))
}

// ParseRestoreMode parses APPEND, REPLACE or FLUSH (case-insensitive) and
// answers anything else with FUNCTION RESTORE's error.
func ParseRestoreMode(s string) (RestoreMode, error) {
	switch strings.ToUpper(s) {
	case "APPEND":
		return RestoreAppend, nil
	case "REPLACE":
		return RestoreReplace, nil
	case "FLUSH":
		return RestoreFlush, nil
	}
	return 0, &Error{Msg: "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."}
}

// Restore applies incoming to current as FUNCTION RESTORE with mode would, at
// the level of library names: APPEND fails with Redis's words when a name is
// already present. Collisions between function names need the Lua engine and
// are checked by the runtime package, not here. current is not modified.
func Restore(current, incoming *Set, mode RestoreMode) (*Set, error) {
	var out *Set
	switch mode {
	case RestoreFlush:
		out = &Set{}
	default:
		out = current.Clone()
	}
	for _, l := range incoming.Libraries() {
		if mode == RestoreAppend {
			if _, ok := out.Get(l.Name); ok {
				return nil, &Error{Msg: fmt.Sprintf("Library %s already exists", l.Name)}
			}
		}
		out.Put(l)
	}
	return out, nil
}
