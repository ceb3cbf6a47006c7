package functions

import (
	"sort"
	"strings"

	"github.com/fnkit/fnkit/library"
)

// Error is a failure Redis reports with an error reply. Msg holds Redis's
// words without the "ERR " code that the server adds on the wire.
type Error struct {
	Msg string
}

// Error returns Redis's message.
func (e *Error) Error() string { return e.Msg }

func errorf(msg string) error { return &Error{Msg: msg} }

// Function is one registered function.
type Function struct {
	// Name is the name as registered (FUNCTION LIST shows this spelling;
	// lookups ignore case).
	Name string
	// Description is the description given at registration.
	Description string
	// HasDescription is false when no description was given (FUNCTION LIST
	// then shows a null).
	HasDescription bool
	// Flags are the registration flags.
	Flags Flags
	// Library is the library the function belongs to.
	Library *Library
	// Compiled is the engine's handle on the callback.
	Compiled any
}

// Library is one loaded library.
type Library struct {
	// Name is the name from the shebang.
	Name string
	// Engine is the engine that runs it.
	Engine Engine
	// Code is the whole original source, shebang included.
	Code string
	// State is the engine's per-library state.
	State any

	funcs map[string]*Function // by lowercase name
	order []*Function          // in registration order
}

// NewLibrary returns an empty library, as Redis's engineLibraryCreate.
func NewLibrary(name string, engine Engine, code string) *Library {
	return &Library{Name: name, Engine: engine, Code: code, funcs: map[string]*Function{}}
}

// Redis's messages for function registration failures.
const (
	// MsgBadFunctionName is Redis 7.0.5+'s text (it says "Library").
	MsgBadFunctionName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	// MsgFunctionInLibrary is raised when a library registers a name twice.
	MsgFunctionInLibrary = "Function already exists in the library"
)

// AddFunction registers a function, as Redis's functionLibCreateFunction:
// the name must be valid and not yet used in this library (compared with
// case, as Redis does within a library).
func (l *Library) AddFunction(name string, compiled any, description string, hasDescription bool, flags Flags) error {
	if !library.ValidName(name) {
		return errorf(MsgBadFunctionName)
	}
	// Redis's per-library dict compares names case-sensitively (the
	// global one does not): 'f' and 'F' may coexist in one library, and
	// lookups then find the first registered.
	for _, f := range l.order {
		if f.Name == name {
			return errorf(MsgFunctionInLibrary)
		}
	}
	f := &Function{Name: name, Description: description, HasDescription: hasDescription, Flags: flags, Library: l, Compiled: compiled}
	if key := strings.ToLower(name); l.funcs[key] == nil {
		l.funcs[key] = f
	}
	l.order = append(l.order, f)
	return nil
}

// Functions returns the functions in registration order.
func (l *Library) Functions() []*Function { return l.order }

// SortedFunctions returns the functions ordered by name, the order fnkit
// uses for stable output.
func (l *Library) SortedFunctions() []*Function {
	out := append([]*Function(nil), l.order...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Function returns the function called name (case-insensitive).
func (l *Library) Function(name string) (*Function, bool) {
	f, ok := l.funcs[strings.ToLower(name)]
	return f, ok
}
