package runtime

import (
	"context"
	"errors"
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

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Timeout bounds the top-level code of each library (Redis's FUNCTION
	// LOAD timeout, 500 ms, when zero).
	Timeout time.Duration
	// MemoryLimit bounds the memory each load may add (DefaultScriptMemoryLimit
	// when zero).
	MemoryLimit int64
}

// Verify loads every library of set into one fresh engine, as a server
// loading them with FUNCTION LOAD would, in name order, and reports each
// library's functions or the exact error Redis 7.0.15 would give
// (including "Function f already exists" when two libraries of the set
// register the same function: the later one in name order is reported).
func Verify(set *library.Set, opts VerifyOptions) []LibraryReport {
	if opts.Timeout == 0 {
		opts.Timeout = LoadTimeout
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultScriptMemoryLimit
	}
	eng := luaengine.New(luaengine.Options{TimeLimit: DefaultScriptTimeLimit, MemoryLimit: opts.MemoryLimit, Version: Version})
	defer eng.Close()
	reg := functions.NewRegistry(eng)
	var out []LibraryReport
	for _, l := range set.Libraries() {
		rep := LibraryReport{Library: l}
		lib, err := reg.Create(context.Background(), reg.Current(), l.Code, false, opts.Timeout)
		if err != nil {
			var fe *functions.Error
			if errors.As(err, &fe) {
				rep.Error = fe.Msg
			} else {
				rep.Error = err.Error()
			}
		} else {
			for _, f := range lib.SortedFunctions() {
				fr := FunctionReport{Name: f.Name, Flags: f.Flags.Names()}
				if f.HasDescription {
					d := f.Description
					fr.Description = &d
				}
				rep.Functions = append(rep.Functions, fr)
			}
		}
		out = append(out, rep)
	}
	return out
}
