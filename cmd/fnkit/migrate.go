package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/migrate"
	"github.com/urfave/cli/v2"
)

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:      "migrate",
		Usage:     "turn EVAL scripts into one Redis Functions library",
		ArgsUsage: "SCRIPT.lua...",
		UsageText: "fnkit migrate SCRIPT.lua... --library NAME [--function NAME] -o LIB.lua [--json]",
		Description: "Each script becomes one function, named after its file (rate-limit.lua → rate_limit) or\n" +
			"--function (one script only). KEYS and ARGV become the callback's parameters, rewritten on\n" +
			"the syntax tree so comments, layout and lines stay as they were. An EVAL shebang's flags\n" +
			"become the function's flags; a script without one whose every redis.call names a read-only\n" +
			"command literally gets no-writes. Scripts that cannot be migrated safely (globals, redis.*\n" +
			"members functions lack, KEYS/ARGV reached indirectly, bad shebangs) are reported with file\n" +
			"and line as errors: exit status 1 and nothing written. Warnings are reported and the library\n" +
			"is written. The library is loaded in fnkit's runtime before it is written (a refusal is\n" +
			"reported with Redis's FUNCTION LOAD error). -o - writes it to standard output.\n\n" +
			"Example:\n" +
			"   $ fnkit migrate scripts/lock_acquire.lua scripts/lock_release.lua --library locks -o locks.lua\n" +
			"   wrote locks.lua: library locks, 2 function(s)\n" +
			"     FUNCTION      FLAGS  SCRIPT                    LINES  SCRIPT LINE N IS\n" +
			"     lock_acquire  -      scripts/lock_acquire.lua  2-13   N+1\n" +
			"     lock_release  -      scripts/lock_release.lua  15-21  N+14\n" +
			"   $ redis-cli -x FUNCTION LOAD < locks.lua",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "library", Aliases: []string{"l"}, Usage: "name of the library to create"},
			&cli.StringFlag{Name: "function", Aliases: []string{"f"}, Usage: "function name (only with a single script; default: the file name)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "library file to write (- for standard output)"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as one JSON object (documented in the README)"},
		},
		Action: runMigrate,
	}
}

// migrateReport is the JSON document of "fnkit migrate --json". Field names
// are stable; new fields may be added.
type migrateReport struct {
	Library   string             `json:"library"`
	Output    string             `json:"output"`
	Written   bool               `json:"written"`
	Verified  bool               `json:"verified"`
	Error     string             `json:"error,omitempty"`
	Functions []migrate.Function `json:"functions"`
	Findings  []migrate.Finding  `json:"findings"`
}

func runMigrate(c *cli.Context) error {
	if c.NArg() < 1 {
		return usagef(c, "migrate needs at least one SCRIPT")
	}
	name := c.String("library")
	if name == "" {
		return usagef(c, "missing --library NAME")
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o LIB.lua")
	}
	asJSON := c.Bool("json")
	if out == "-" && asJSON {
		return usagef(c, "-o - and --json both want standard output")
	}
	paths := c.Args().Slice()
	fn := c.String("function")
	if fn != "" && len(paths) != 1 {
		return usagef(c, "--function names the function of a single script; %d scripts given", len(paths))
	}
	if !library.ValidName(name) {
		return usagef(c, "--library %q: %s", name, library.MsgInvalidName)
	}
	if fn != "" && !library.ValidName(fn) {
		return usagef(c, "--function %q: %s", fn, strings.Replace(library.MsgInvalidName, "Library", "Function", 1))
	}
	scripts := make([]migrate.Script, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scripts[i] = migrate.Script{Path: p, Source: string(b), Function: fn}
	}

	res, err := migrate.Migrate(name, scripts)
	rep := &migrateReport{Library: name, Output: out, Functions: res.Functions, Findings: res.Findings}
	// Findings go to stderr like a compiler's diagnostics; with --json
	// they are in the report.
	diag := c.App.ErrWriter
	if !asJSON {
		for _, f := range res.Findings {
			fmt.Fprintln(diag, f)
		}
	}
	fail := func(err error) error {
		rep.Error = err.Error()
		if asJSON {
			if jerr := writeJSON(c.App.Writer, rep); jerr != nil {
				return jerr
			}
		}
		return err
	}
	if err != nil {
		if errors.Is(err, migrate.ErrUnsafe) {
			return fail(fmt.Errorf("%w; nothing written", err))
		}
		return fail(err)
	}

	if err := res.Verify(); err != nil {
		return fail(fmt.Errorf("the migrated library does not load: %w; nothing written", err))
	}
	rep.Verified = true

	summary := c.App.Writer
	if out == "-" {
		if _, err := io.WriteString(c.App.Writer, res.Code); err != nil {
			return err
		}
		summary = diag
	} else {
		err := atomicfile.WriteFile(out, []byte(res.Code), atomicfile.Options{
			Inputs: paths,
			Verify: func(f *os.File) error {
				b, err := io.ReadAll(f)
				if err != nil {
					return err
				}
				if !bytes.Equal(b, []byte(res.Code)) {
					return errors.New("the written file does not hold the migrated library")
				}
				return nil
			},
		})
		if err != nil {
			return fail(err)
		}
	}
	rep.Written = true
	if asJSON {
		return writeJSON(c.App.Writer, rep)
	}
	printMigrate(summary, rep)
	return nil
}

func printMigrate(w io.Writer, rep *migrateReport) {
	dest := "wrote " + rep.Output
	if rep.Output == "-" {
		dest = "wrote the library to standard output"
	}
	warn := ""
	if n := len(rep.Findings); n > 0 {
		warn = fmt.Sprintf(", %d warning(s) above", n)
	}
	fmt.Fprintf(w, "%s: library %s, %d function(s)%s\n", dest, rep.Library, len(rep.Functions), warn)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  FUNCTION\tFLAGS\tSCRIPT\tLINES\tSCRIPT LINE N IS")
	for _, f := range rep.Functions {
		flags := "-"
		if len(f.Flags) > 0 {
			flags = strings.Join(f.Flags, ",")
			if f.FlagsFrom == "read-only" {
				flags += " (detected)"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d-%d\tN%+d\n", f.Name, flags, f.Script, f.FirstLine, f.LastLine, f.LineOffset)
	}
	tw.Flush()
}
