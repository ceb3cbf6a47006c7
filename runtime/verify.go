package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/luaengine"
)

// LibraryReport is what loading one library into a fresh engine gave.
type LibraryReport struct {
	// Library is the library as read from its source.
	Library *library.Library
	// Functions are the registered functions, by name (empty on error).
	Functions []FunctionReport
	// Error is Redis's reply to FUNCTION LOAD of the library, without
	// "ERR " ("" when it loads).
	Error string
}

// FunctionReport describes one registered function.
type FunctionReport struct {
	// Name is the name as registered.
	Name string
	// Description is the description, nil when none was given.
	Description *string
	// Flags are the flags in canonical order.
	Flags []string
}

// VerifyOptions configure Verify and Check.
type VerifyOptions struct {
	// Timeout bounds the top-level code of each library: Redis's FUNCTION
	// LOAD timeout (500 ms) when zero; no bound when negative, as when Redis
	// loads an RDB or an AOF or runs FUNCTION RESTORE (7.0.13+).
	Timeout time.Duration
	// MemoryLimit bounds the memory each load may add (DefaultScriptMemoryLimit
	// when zero).
	MemoryLimit int64
}

// LoadError is a library that a Redis server would refuse to load next to
// the libraries loaded before it.
type LoadError struct {
	// Library is the library that failed.
	Library *library.Library
	// Other is the library that had already registered the function name,
	// for "Function f already exists"; nil otherwise.
	Other *library.Library
	// Msg is Redis's error message, without "ERR ".
	Msg string
}

func (e *LoadError) Error() string {
	if e.Other != nil {
		return fmt.Sprintf("library %s (from %s) cannot be loaded next to library %s (from %s): %s",
			e.Library.Name, e.Library.Origin, e.Other.Name, e.Other.Origin, e.Msg)
	}
	return fmt.Sprintf("library %s (from %s) does not load: %s", e.Library.Name, e.Library.Origin, e.Msg)
}

// loader loads libraries one by one into one fresh engine, remembering
// which library registered which function.
type loader struct {
	eng     *luaengine.Engine
	reg     *functions.Registry
	timeout time.Duration
	loaded  map[string]*library.Library
}

func newLoader(opts VerifyOptions) *loader {
	switch {
	case opts.Timeout == 0:
		opts.Timeout = LoadTimeout
	case opts.Timeout < 0:
		opts.Timeout = 0 // the registry's "no timeout"
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultScriptMemoryLimit
	}
	eng := luaengine.New(luaengine.Options{TimeLimit: DefaultScriptTimeLimit, MemoryLimit: opts.MemoryLimit, Version: Version})
	return &loader{eng: eng, reg: functions.NewRegistry(eng), timeout: opts.Timeout, loaded: map[string]*library.Library{}}
}

func (ld *loader) close() { ld.eng.Close() }

// load creates l as FUNCTION LOAD would and reports its functions, or the
// refusal in Redis's words.
func (ld *loader) load(l *library.Library) (LibraryReport, *LoadError) {
	rep := LibraryReport{Library: l}
	lib, err := ld.reg.Create(context.Background(), ld.reg.Current(), l.Code, false, ld.timeout)
	if err != nil {
		le := &LoadError{Library: l, Msg: err.Error()}
		var fe *functions.Error
		if errors.As(err, &fe) {
			le.Msg = fe.Msg
			if name, ok := strings.CutPrefix(fe.Msg, "Function "); ok {
				if name, ok = strings.CutSuffix(name, " already exists"); ok {
					if f, ok := ld.reg.Current().Function(name); ok {
						le.Other = ld.loaded[f.Library.Name]
					}
				}
			}
		}
		rep.Error = le.Msg
		return rep, le
	}
	ld.loaded[l.Name] = l
	rep.Functions = []FunctionReport{}
	for _, f := range lib.SortedFunctions() {
		fr := FunctionReport{Name: f.Name, Flags: f.Flags.Names()}
		if fr.Flags == nil {
			fr.Flags = []string{}
		}
		if f.HasDescription {
			d := f.Description
			fr.Description = &d
		}
		rep.Functions = append(rep.Functions, fr)
	}
	return rep, nil
}

// Verify loads every library of set into one fresh engine, as a server
// loading them with FUNCTION LOAD would, in name order, and reports each
// library's functions or the exact error Redis 7.0.15 would give
// (including "Function f already exists" when two libraries of the set
// register the same function: the later one in name order is reported).
// It goes on after a failure, so every library gets a report.
func Verify(set *library.Set, opts VerifyOptions) []LibraryReport {
	ld := newLoader(opts)
	defer ld.close()
	var out []LibraryReport
	for _, l := range set.Libraries() {
		rep, _ := ld.load(l)
		out = append(out, rep)
	}
	return out
}

// Check loads libs into one fresh engine in the given order, as a server
// receiving them one after the other would, and stops at the first library
// Redis would refuse: the error is a *LoadError in Redis's words, naming
// the library, its origin and, for a function-name collision, the library
// that registered the name first. Callers order libs so that the library a
// real server would report comes last (e.g. existing libraries before
// restored ones). On success it returns each library's report, in order.
func Check(libs []*library.Library, opts VerifyOptions) ([]LibraryReport, error) {
	ld := newLoader(opts)
	defer ld.close()
	out := make([]LibraryReport, 0, len(libs))
	for _, l := range libs {
		rep, le := ld.load(l)
		if le != nil {
			return nil, le
		}
		out = append(out, rep)
	}
	return out, nil
}
