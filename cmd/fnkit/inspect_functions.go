package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
)

// functionReport is one function of a library in the JSON of inspect (and
// of verify): its name, its description (null when none was given) and its
// flags in Redis's order.
type functionReport struct {
	Name        string   `json:"name"`
	Description *string  `json:"description"`
	Flags       []string `json:"flags"`
}

// addFunctions loads the libraries of rep in fnkit's runtime (sandboxed:
// no file, network or process access; bounded time and memory) and fills
// each library's functions, or the error Redis would give when loading it.
// A .lua file is loaded as FUNCTION LOAD loads it (500 ms load timeout); the
// libraries of an RDB, an AOF or a payload as Redis loads them from those
// (no load timeout; fnkit's own script time limit still bounds them).
func addFunctions(rep *inspectReport, src *source.Source) {
	opts := runtime.VerifyOptions{Timeout: -1}
	if src.Kind == source.KindLua {
		opts.Timeout = 0
	}
	byName := map[string]runtime.LibraryReport{}
	for _, r := range runtime.Verify(src.Libraries, opts) {
		byName[r.Library.Name] = r
	}
	rep.FunctionsLoaded = true
	for i := range rep.Libraries {
		l := &rep.Libraries[i]
		r, ok := byName[l.Name]
		if !ok {
			continue
		}
		l.Functions = functionReports(r.Functions)
		l.Error = r.Error
	}
}

// functionReports converts the runtime's reports (never nil).
func functionReports(fs []runtime.FunctionReport) []functionReport {
	out := []functionReport{}
	for _, f := range fs {
		flags := append([]string{}, f.Flags...)
		out = append(out, functionReport{Name: f.Name, Description: f.Description, Flags: flags})
	}
	return out
}

// printFunctions prints every library's functions, one line each, or the
// error Redis would give when loading the library.
func printFunctions(w io.Writer, rep *inspectReport) {
	n := 0
	for _, l := range rep.Libraries {
		n += len(l.Functions)
	}
	fmt.Fprintf(w, "\nfunctions: %d (each library loaded in fnkit's sandboxed runtime)\n", n)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LIBRARY\tFUNCTION\tFLAGS\tDESCRIPTION")
	for _, l := range rep.Libraries {
		if l.Error != "" {
			fmt.Fprintf(tw, "  %s\t-\t-\tdoes not load: ERR %s\n", l.Name, oneLine(l.Error))
			continue
		}
		for _, f := range l.Functions {
			flags, desc := "-", "-"
			if len(f.Flags) > 0 {
				flags = strings.Join(f.Flags, ",")
			}
			if f.Description != nil {
				desc = strconv.Quote(*f.Description)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Name, f.Name, flags, desc)
		}
	}
	tw.Flush()
}

// oneLine keeps an error message on one line of a table.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", `\n`)
}
