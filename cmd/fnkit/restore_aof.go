package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

// runRestoreAOF is "fnkit restore --into AOF": restore.go hands over when
// --into is an AOF file, directory or manifest.
func runRestoreAOF(c *cli.Context, into, out string, sources []string, mode library.RestoreMode, policy library.Policy) error {
	a, err := aof.Open(into)
	if err != nil {
		return err
	}
	incoming, srcs, err := source.Merge(policy, source.Options{Progress: true}, sources...)
	if err != nil {
		return err
	}
	// The restored set is always loaded in fnkit's runtime first: Redis
	// refuses a FUNCTION RESTORE whose functions collide, and in an AOF a
	// refused command is skipped without a word.
	// --no-function-check skips it (a library for a newer server may use
	// what 7.0.15's rules refuse).
	check := aof.Validator(runtimeValidator)
	if c.Bool("no-function-check") {
		check = nil
	}
	wrap, done := progressWrap()
	res, err := aof.RestoreInto(a, incoming, out, aof.RestoreOptions{Mode: mode, Check: check, Validate: aofValidator(c), Wrap: wrap})
	done()
	if err != nil {
		return aofOutputErr(err)
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, restoreAOFReport(into, mode, srcs, incoming, res)) // restore_json.go
	}
	printRestoreAOF(c.App.Writer, into, res)
	return nil
}

func printRestoreAOF(w io.Writer, into string, res *aof.RestoreResult) {
	where := "appended to the copy of the single file"
	if res.Layout == aof.LayoutMultiPart {
		where = "in the new incr file " + res.File + ", listed last in the manifest"
	}
	fmt.Fprintf(w, "wrote %s: %s (payload %d bytes) %s, at offset %d; the files of %s are copied byte for byte\n",
		res.Output, res.Command, res.PayloadSize, where, res.Offset, into)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LIBRARY\tCHANGE\tSHA1")
	d := library.Compare(res.Before, res.After)
	for _, l := range res.After.Libraries() {
		old, ok := res.Before.Get(l.Name)
		switch {
		case !ok:
			fmt.Fprintf(tw, "  %s\tadded\t%s\n", l.Name, l.SHA1())
		case old.Code != l.Code:
			fmt.Fprintf(tw, "  %s\treplaced\t%s\n", l.Name, l.SHA1())
		default:
			fmt.Fprintf(tw, "  %s\tkept\t%s\n", l.Name, l.SHA1())
		}
	}
	for _, l := range d.Removed {
		fmt.Fprintf(tw, "  %s\tremoved\t%s\n", l.Name, l.SHA1())
	}
	tw.Flush()
	if len(res.DroppedHistory) > 0 {
		fmt.Fprintf(w, "history files not copied (Redis never loads them): %s\n", strings.Join(res.DroppedHistory, ", "))
	}
}
