package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func dumpCommand() *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "write a FUNCTION DUMP payload of the libraries of RDB files, payloads and .lua files",
		ArgsUsage: "SOURCE...",
		UsageText: "fnkit dump SOURCE... -o FILE [--target-version N] [--policy fail|replace|keep] [--format raw|hex|base64] [--json]",
		Description: "Merges the libraries of every SOURCE in order and writes them as the payload FUNCTION RESTORE\n" +
			"takes. A library name found in two sources with different code is an error naming both\n" +
			"(--policy fail, the default); --policy replace takes the later source, keep the earlier.\n" +
			"--target-version is the payload's RDB version: 10 (default) restores on every Redis 7 and\n" +
			"Valkey server, 11 on Redis 7.2+, 12 on Redis 7.4+. -o - writes to standard output.\n\n" +
			"Example:\n" +
			"   $ fnkit dump fixtures/redis-7.0.15/rdb-functions-keyspace.rdb fixtures/libs/ratelimit_v2.lua \\\n" +
			"         --policy replace -o functions.payload\n" +
			"   wrote functions.payload: 8 libraries, RDB version 10, raw, 15648 bytes\n" +
			"   ...\n" +
			"   $ redis-cli -x FUNCTION RESTORE < functions.payload    # -x appends the payload last: APPEND\n" +
			"   OK",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "file to write (- for standard output)"},
			&cli.IntFlag{Name: "target-version", Value: dumpfmt.DefaultTargetVersion, Usage: "RDB version of the payload: 10, 11 or 12"},
			&cli.StringFlag{Name: "policy", Value: "fail", Usage: "when two sources hold different code under one name: fail, replace or keep"},
			&cli.StringFlag{Name: "format", Value: "raw", Usage: "how to save the payload: raw, hex or base64"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries"},
			jsonFlag(),
		},
		Action: runDump,
	}
}

// dumpCommandReport is the JSON document of "fnkit dump --json".
type dumpCommandReport struct {
	Output     string       `json:"output"`
	Format     string       `json:"format"` // raw, hex or base64
	RDBVersion int          `json:"rdb_version"`
	Bytes      int          `json:"bytes"`
	Sources    []sourceOut  `json:"sources"`
	Libraries  []libraryOut `json:"libraries"`
}

func runDump(c *cli.Context) error {
	if c.NArg() < 1 {
		return usagef(c, "dump needs at least one SOURCE")
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o FILE")
	}
	policy, err := library.ParsePolicy(c.String("policy"))
	if err != nil {
		return usagef(c, "--policy: %v", err)
	}
	v := c.Int("target-version")
	if v < dumpfmt.MinVersion || v > dumpfmt.MaxVersion {
		return usagef(c, "--target-version %d: want %d, %d or %d", v, 10, 11, 12)
	}
	form, err := dumpfmt.ParseForm(c.String("format"))
	if err != nil || (form != dumpfmt.FormRaw && form != dumpfmt.FormHex && form != dumpfmt.FormBase64) {
		return usagef(c, "--format %q: want raw, hex or base64", c.String("format"))
	}
	if out == "-" && c.Bool("json") {
		return usagef(c, "-o - and --json both want standard output")
	}
	inputs := c.Args().Slice()
	set, srcs, err := source.Merge(policy, source.Options{NoVerify: c.Bool("no-verify"), Progress: true}, inputs...)
	if err != nil {
		return err
	}
	payload, err := dumpfmt.Encode(set, v)
	if err != nil {
		return err
	}
	data, err := dumpfmt.Format(payload, form)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := c.App.Writer.Write(data)
		return err
	}
	err = atomicfile.WriteFile(out, data, atomicfile.Options{
		Inputs: inputs,
		Verify: func(f *os.File) error {
			b, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			p, err := dumpfmt.Parse(b, out)
			if err != nil {
				return err
			}
			if p.Form != form || p.Version != v || !p.Libraries.Equal(set) {
				return errors.New("the written payload does not hold the libraries that went in")
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, dumpCommandReport{
			Output: out, Format: form.String(), RDBVersion: v, Bytes: len(data),
			Sources: sourcesOut(srcs), Libraries: librariesOut(set),
		})
	}
	fmt.Fprintf(c.App.Writer, "wrote %s: %d libraries, RDB version %d, %s, %d bytes\n", out, set.Len(), v, form, len(data))
	for _, l := range set.Libraries() {
		fmt.Fprintf(c.App.Writer, "  %s\tfrom %s\n", l.Name, l.Origin)
	}
	return nil
}
