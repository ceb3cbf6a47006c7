package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/library"
	"github.com/urfave/cli/v2"
)

func repairCommand() *cli.Command {
	return &cli.Command{
		Name:      "repair",
		Usage:     "write a repaired copy of an AOF: cut a truncated tail, or cut at a time",
		ArgsUsage: "AOF",
		UsageText: "fnkit repair AOF -o OUT [--truncate-to-timestamp TIME] [--drop-after-damage] [--json]",
		Description: "Cuts where redis-check-aof --fix cuts: a last file that ends inside a command is cut at\n" +
			"the end of its last complete command, a MULTI without EXEC at its MULTI (what Redis's\n" +
			"aof-load-truncated would do at every start). With --truncate-to-timestamp it cuts, like\n" +
			"redis-check-aof --truncate-to-timestamp, at the first #TS: annotation later than TIME\n" +
			"(unix seconds or a date; the AOF must have been written with aof-timestamp-enabled yes);\n" +
			"when that annotation is in an earlier file than the last, the files after it are left\n" +
			"out of OUT's manifest (redis-check-aof refuses and asks you to do that by hand).\n" +
			"Damage Redis refuses to load (a bad byte, a truncated file that is not the last) is cut\n" +
			"only with --drop-after-damage, which drops everything after it.\n\n" +
			"The input is never changed: OUT (a new directory for an appendonlydir/, a new file for a\n" +
			"single AOF file) is written beside its final name, replayed and checked, then renamed.\n" +
			"The report says what was dropped: bytes, complete commands by name, the incomplete\n" +
			"command, and the library events lost.\n\n" +
			"Example:\n" +
			"   $ fnkit repair fixtures/redis-7.0.15/corrupt-aof-truncated -o repaired/\n" +
			"   wrote repaired/: appendonly.aof.2.incr.aof cut at offset 8045 of 30454 (the file ends inside a command)\n" +
			"   ...\n" +
			"   $ redis-check-aof repaired/appendonly.aof.manifest | tail -n 1\n" +
			"   All AOF files and manifest are valid",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the repaired AOF to write (must not exist)"},
			&cli.StringFlag{Name: "truncate-to-timestamp", Usage: "cut at the first #TS: annotation later than TIME (unix seconds or a date, UTC unless a zone is given)"},
			&cli.BoolFlag{Name: "drop-after-damage", Usage: "also cut at damage Redis refuses to load, dropping everything after it"},
			&cli.BoolFlag{Name: "check-functions", Usage: "replay with fnkit's Lua runtime checking every library change (see fnkit timeline --help)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object (documented in the README)"},
		},
		Action: runRepair,
	}
}

// repairReport is the JSON document of "fnkit repair --json".
type repairReport struct {
	Input           string           `json:"input"`
	Output          string           `json:"output"`
	Layout          string           `json:"layout"`
	Repaired        bool             `json:"repaired"`
	Cut             *aof.Cut         `json:"cut,omitempty"`
	Damage          *truncReport     `json:"damage,omitempty"`
	DroppedFiles    []aofFileReport  `json:"dropped_files"`
	DroppedHistory  []string         `json:"dropped_history"`
	DroppedBytes    int64            `json:"dropped_bytes"`
	DroppedCommands int64            `json:"dropped_commands"`
	DroppedByName   []aof.NameCount  `json:"dropped_by_name"`
	LostEvents      []aof.Event      `json:"lost_events"`
	Before          []libraryRef     `json:"libraries_before"`
	After           []libraryRef     `json:"libraries_after"`
	Changes         []libraryChanged `json:"library_changes"`
}

type libraryChanged struct {
	Name   string `json:"name"`
	Change string `json:"change"` // removed, added, changed
	Before string `json:"sha1_before,omitempty"`
	After  string `json:"sha1_after,omitempty"`
}

func runRepair(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef(c, "repair takes one AOF, got %d arguments", c.NArg())
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o OUT")
	}
	opts := aof.RepairOptions{DropAfterDamage: c.Bool("drop-after-damage"), Validate: aofValidator(c)}
	if ts := c.String("truncate-to-timestamp"); ts != "" {
		t, err := parseWhen(ts)
		if err != nil {
			return usagef(c, "--truncate-to-timestamp %q: %v", ts, err)
		}
		opts.ByTimestamp, opts.ToTimestamp = true, t
	}
	in := c.Args().First()
	if err := requireAOF(in); err != nil {
		return err
	}
	a, err := aof.Open(in)
	if err != nil {
		return err
	}
	wrap, done := progressWrap()
	opts.Wrap = wrap
	res, err := aof.Repair(a, out, opts)
	done()
	if err != nil {
		return aofOutputErr(err)
	}
	rep := buildRepairReport(in, res)
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rep)
	}
	printRepair(c.App.Writer, rep)
	return nil
}

func buildRepairReport(in string, res *aof.RepairResult) *repairReport {
	rep := &repairReport{
		Input: in, Output: res.Output, Layout: string(res.Layout), Repaired: res.Cut != nil, Cut: res.Cut,
		DroppedFiles: []aofFileReport{}, DroppedHistory: res.DroppedHistory, DroppedBytes: res.DroppedBytes,
		DroppedCommands: res.DroppedCommands, DroppedByName: res.DroppedNames(), LostEvents: res.LostEvents,
		Before: refsOf(res.Before), After: refsOf(res.After), Changes: []libraryChanged{},
	}
	if rep.DroppedHistory == nil {
		rep.DroppedHistory = []string{}
	}
	if rep.DroppedByName == nil {
		rep.DroppedByName = []aof.NameCount{}
	}
	if rep.LostEvents == nil {
		rep.LostEvents = []aof.Event{}
	}
	for _, f := range res.DroppedFiles {
		rep.DroppedFiles = append(rep.DroppedFiles, aofFileReport{Name: f.Name, Type: f.Type.String(), Seq: f.Seq, Size: f.Size})
	}
	if res.Partial != nil {
		rep.Damage = truncOf(res.Partial)
		rep.Damage.File = filepath.Base(res.Partial.File)
	}
	if res.Before != nil && res.After != nil {
		d := library.Compare(res.Before, res.After)
		for _, l := range d.Removed {
			rep.Changes = append(rep.Changes, libraryChanged{Name: l.Name, Change: "removed", Before: l.SHA1()})
		}
		for _, l := range d.Added {
			rep.Changes = append(rep.Changes, libraryChanged{Name: l.Name, Change: "added", After: l.SHA1()})
		}
		for _, ch := range d.Changed {
			rep.Changes = append(rep.Changes, libraryChanged{Name: ch.Name, Change: "changed", Before: ch.Old.SHA1(), After: ch.New.SHA1()})
		}
	}
	return rep
}

func printRepair(w io.Writer, rep *repairReport) {
	if !rep.Repaired {
		fmt.Fprintf(w, "wrote %s: nothing to repair, a copy of %s (%d libraries)\n", rep.Output, rep.Input, len(rep.After))
		if len(rep.DroppedHistory) > 0 {
			fmt.Fprintf(w, "  history files not copied (Redis never loads them): %s\n", strings.Join(rep.DroppedHistory, ", "))
		}
		return
	}
	c := rep.Cut
	fmt.Fprintf(w, "wrote %s: %s cut at offset %d of %d", rep.Output, c.File, c.At, c.Size)
	switch c.Reason {
	case "timestamp":
		fmt.Fprintf(w, " (the first #TS: annotation after the given time)\n")
	case "truncated":
		fmt.Fprintf(w, " (the file ends inside a command)\n")
	default:
		fmt.Fprintf(w, " (damage)\n")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if d := rep.Damage; d != nil {
		fmt.Fprintf(tw, "  %s\t%s (from offset %d): %s at offset %d\n", map[bool]string{true: "incomplete", false: "damaged"}[c.Reason != "damaged"], orWord(d.Command, "command"), d.CommandOffset, d.What, d.Offset)
	}
	fmt.Fprintf(tw, "  dropped\t%d bytes, %d complete command(s)", rep.DroppedBytes, rep.DroppedCommands)
	if len(rep.DroppedByName) > 0 {
		var parts []string
		for i, n := range rep.DroppedByName {
			if i == 8 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, fmt.Sprintf("%s ×%d", n.Name, n.Count))
		}
		fmt.Fprintf(tw, ": %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(tw)
	for _, f := range rep.DroppedFiles {
		fmt.Fprintf(tw, "  dropped file\t%s (%s seq %d, %d bytes), left out of the manifest\n", f.Name, f.Type, f.Seq, f.Size)
	}
	if len(rep.DroppedHistory) > 0 {
		fmt.Fprintf(tw, "  not copied\t%s (history files; Redis never loads them)\n", strings.Join(rep.DroppedHistory, ", "))
	}
	tw.Flush()
	fmt.Fprintf(w, "library events lost: %d\n", len(rep.LostEvents))
	for _, e := range rep.LostEvents {
		fmt.Fprintf(w, "  #%d %s@%d %s %s %s", e.Index, e.File, e.Offset, e.Kind, orWord(e.Library, "-"), e.Command)
		if e.Error != "" {
			fmt.Fprintf(w, " (%s)", e.Error)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "libraries: %d in the output", len(rep.After))
	if len(rep.Changes) == 0 {
		fmt.Fprintln(w, ", the same as Redis loads from the input")
	} else {
		fmt.Fprintln(w, "; compared with what Redis loads from the input:")
		for _, ch := range rep.Changes {
			fmt.Fprintf(w, "  %s %s %s\n", ch.Change, ch.Name, shaChange(ch.Before, ch.After))
		}
	}
}
