package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "load every library of the sources into a fresh Functions engine and report its functions, or the error Redis 7 would give",
		ArgsUsage: "SOURCE...",
		UsageText: "fnkit verify [--json] [--no-verify] SOURCE...",
		Description: "Each source (an RDB file, an AOF, a FUNCTION DUMP payload, a .lua library or a live server)\n" +
			"is loaded into its own fresh engine with FUNCTION LOAD's rules: shebang, compilation, the\n" +
			"top-level code under the 500 ms load timeout, at least one function, no function name\n" +
			"used twice. Every library is listed with its functions, flags and descriptions, or with\n" +
			"Redis's exact error. Exit status 1 when any library would fail to load in Redis 7, or\n" +
			"when a source is damaged (an RDB is checked whole, as inspect does; --no-verify reads only\n" +
			"its libraries).\n\n" +
			"Example:\n" +
			"   $ fnkit verify fixtures/libs/ratelimit.lua\n" +
			"   fixtures/libs/ratelimit.lua (lua)\n" +
			"     ratelimit  ok, 3 functions\n" +
			"       rl_fixed_window\n" +
			"       rl_remaining      no-writes\n" +
			"       rl_token_bucket",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object (documented in the README) instead of text"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries; skip the keyspace and the checksum"},
		},
		Action: runVerify,
	}
}

// verifyReport is the JSON document of "fnkit verify --json".
type verifyReport struct {
	OK      bool                 `json:"ok"`
	Sources []verifySourceReport `json:"sources"`
}

type verifySourceReport struct {
	Path      string                `json:"path"`
	Format    string                `json:"format"`
	Libraries []verifyLibraryReport `json:"libraries"`
}

type verifyLibraryReport struct {
	Name      string                 `json:"name"`
	SHA1      string                 `json:"sha1"`
	Size      int                    `json:"size"`
	OK        bool                   `json:"ok"`
	Error     string                 `json:"error,omitempty"`
	Functions []verifyFunctionReport `json:"functions"`
}

// verifyFunctionReport is one function, as in inspect's report.
type verifyFunctionReport = functionReport

func runVerify(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef(c, "verify takes at least one SOURCE")
	}
	rep := verifyReport{OK: true, Sources: []verifySourceReport{}}
	for _, path := range c.Args().Slice() {
		src, err := source.Open(path, source.Options{NoVerify: c.Bool("no-verify"), Progress: true})
		if err != nil {
			return err
		}
		sr := verifySourceReport{Path: src.Path, Format: string(src.Kind), Libraries: []verifyLibraryReport{}}
		for _, l := range runtime.Verify(src.Libraries, runtime.VerifyOptions{}) {
			lr := verifyLibraryReport{Name: l.Library.Name, SHA1: l.Library.SHA1(), Size: l.Library.Size(), OK: l.Error == "", Error: l.Error, Functions: []verifyFunctionReport{}}
			for _, f := range l.Functions {
				lr.Functions = append(lr.Functions, verifyFunctionReport{Name: f.Name, Description: f.Description, Flags: append([]string{}, f.Flags...)})
			}
			if !lr.OK {
				rep.OK = false
			}
			sr.Libraries = append(sr.Libraries, lr)
		}
		rep.Sources = append(rep.Sources, sr)
	}
	if c.Bool("json") {
		if err := writeJSON(c.App.Writer, rep); err != nil {
			return err
		}
	} else {
		printVerify(c.App.Writer, &rep)
	}
	if !rep.OK {
		return exitWith(exitFailure, errors.New("some libraries would not load in Redis 7"))
	}
	return nil
}

func printVerify(w io.Writer, rep *verifyReport) {
	for i, s := range rep.Sources {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s)\n", s.Path, s.Format)
		if len(s.Libraries) == 0 {
			fmt.Fprintln(w, "  no libraries")
		}
		width := 0
		for _, l := range s.Libraries {
			for _, f := range l.Functions {
				width = max(width, len(f.Name))
			}
		}
		for _, l := range s.Libraries {
			if !l.OK {
				fmt.Fprintf(w, "  %s  FAILS: ERR %s\n", l.Name, l.Error)
				continue
			}
			n := "functions"
			if len(l.Functions) == 1 {
				n = "function"
			}
			fmt.Fprintf(w, "  %s  ok, %d %s\n", l.Name, len(l.Functions), n)
			for _, f := range l.Functions {
				line := "    " + f.Name
				extra := strings.Join(f.Flags, ",")
				if f.Description != nil {
					if extra != "" {
						extra += "  "
					}
					extra += strconv.Quote(*f.Description)
				}
				if extra != "" {
					line += strings.Repeat(" ", width-len(f.Name)+2) + extra
				}
				fmt.Fprintln(w, strings.TrimRight(line, " "))
			}
		}
	}
}
