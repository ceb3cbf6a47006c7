package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func timelineCommand() *cli.Command {
	return &cli.Command{
		Name:      "timeline",
		Usage:     "list every change of the libraries in an AOF file or directory: when, where and what",
		ArgsUsage: "AOF",
		UsageText: "fnkit timeline [--json] [--at TIME | --at-command N] [--check-functions] AOF",
		Description: "Replays the AOF as Redis loads it (the base's RDB libraries, then every FUNCTION LOAD,\n" +
			"DELETE, FLUSH and RESTORE of the base and incr files in manifest order, MULTI/EXEC as a\n" +
			"unit, failing commands ignored, history files skipped) and prints one line per library\n" +
			"event: loaded, replaced, restored, deleted, flushed, failed (Redis refused the command, so\n" +
			"nothing changed) or discarded (a MULTI without EXEC at the end, which Redis reverts).\n" +
			"Each line has the #TS: time in force (with aof-timestamp-enabled), the command's index,\n" +
			"file and byte offset, and the SHA-1 of the library's code before and after. AOF is an\n" +
			"appendonlydir/, its manifest, or a single AOF file.\n\n" +
			"Example:\n" +
			"   $ fnkit timeline fixtures/redis-7.0.15/aof-multi-incr\n" +
			"   #    TIME  FILE                       OFFSET  EVENT     LIBRARY    SHA1                   COMMAND\n" +
			"   2    -     appendonly.aof.1.incr.aof  23      loaded    ratelimit  - → 7b045261e59e       FUNCTION LOAD\n" +
			"   ...\n" +
			"   $ fnkit timeline --json fixtures/redis-7.0.15/aof-multi-incr | \\\n" +
			"         jq -c '.events[] | select(.library == \"ratelimit\") | {index, event, sha1_after}'\n" +
			"   {\"index\":2,\"event\":\"loaded\",\"sha1_after\":\"7b045261e59e6d8b1e534a3d38639a5196a9e343\"}\n" +
			"   {\"index\":29,\"event\":\"replaced\",\"sha1_after\":\"2de235ce7f692b5e170ddaf8a774146af2242cf4\"}\n" +
			"   {\"index\":43,\"event\":\"replaced\",\"sha1_after\":\"7b045261e59e6d8b1e534a3d38639a5196a9e343\"}",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object (documented in the README) instead of lines"},
		}, aofStopFlags()...),
		Action: runTimeline,
	}
}

// timelineReport is the JSON document of "fnkit timeline --json". Field
// names are stable; new fields may be added.
type timelineReport struct {
	Path      string          `json:"path"`
	Layout    string          `json:"layout"`
	Manifest  string          `json:"manifest,omitempty"`
	Files     []aofFileReport `json:"files"`
	History   []aofFileReport `json:"history"`
	Stop      string          `json:"stop"`
	Stopped   bool            `json:"stopped"`
	Commands  int64           `json:"commands"`
	Events    []aof.Event     `json:"events"`
	Libraries []libraryRef    `json:"libraries"`
	Truncated *truncReport    `json:"truncated,omitempty"`
}

type libraryRef struct {
	Name string `json:"name"`
	SHA1 string `json:"sha1"`
}

// refsOf lists a set's libraries by name and SHA-1 ([] for none or nil).
func refsOf(s *library.Set) []libraryRef {
	out := []libraryRef{}
	if s == nil {
		return out
	}
	for _, l := range s.Libraries() {
		out = append(out, libraryRef{l.Name, l.SHA1()})
	}
	return out
}

func runTimeline(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef(c, "timeline takes one AOF, got %d arguments", c.NArg())
	}
	stop, err := aofStop(c)
	if err != nil {
		return err
	}
	path := c.Args().First()
	if err := requireAOF(path); err != nil {
		return err
	}
	src, err := source.Open(path, source.Options{AOFStop: stop, AOFValidate: aofValidator(c), Progress: true})
	if err != nil {
		return err
	}
	rep := buildTimeline(src)
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rep)
	}
	return printTimeline(c.App.Writer, rep)
}

func buildTimeline(src *source.Source) *timelineReport {
	info := src.AOF
	a, res := info.AOF, info.Replay
	rep := &timelineReport{
		Path: src.Path, Layout: string(a.Layout), Stop: info.Stop.String(), Stopped: res.Stopped,
		Commands: res.Scan.Commands, Events: res.Events, Libraries: refsOf(res.Libraries),
		Files: aofFiles(res.Scan), History: aofHistory(a), Truncated: scanTrunc(res.Scan),
	}
	if a.Manifest != nil {
		rep.Manifest = a.ManifestPath
	}
	if rep.Events == nil {
		rep.Events = []aof.Event{}
	}
	return rep
}

func printTimeline(w io.Writer, rep *timelineReport) error {
	fmt.Fprintf(w, "%s: %s AOF, %d file(s) loaded", rep.Path, rep.Layout, len(rep.Files))
	if len(rep.History) > 0 {
		fmt.Fprintf(w, ", %d history file(s) skipped", len(rep.History))
	}
	fmt.Fprintf(w, ", %d commands read\n", rep.Commands)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tTIME\tFILE\tOFFSET\tEVENT\tLIBRARY\tSHA1\tCOMMAND")
	for _, e := range rep.Events {
		idx := "rdb"
		if e.Index > 0 {
			idx = fmt.Sprint(e.Index)
		}
		when := formatWhen(e.Time)
		if when == "" {
			when = "-"
		}
		lib := e.Library
		if lib == "" {
			lib = "-"
		}
		cmd := e.Command
		if e.InMulti {
			cmd += " (in MULTI)"
		}
		if e.Error != "" {
			cmd += ": " + e.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", idx, when, e.File, e.Offset, e.Kind, lib, shaChange(e.Before, e.After), cmd)
	}
	tw.Flush()
	if rep.Truncated != nil {
		t := rep.Truncated
		fmt.Fprintf(w, "truncated: %s ends inside %s (%s at offset %d); Redis (aof-load-truncated yes) loads it up to offset %d and drops the last %d bytes (fnkit repair cuts it the same way)\n",
			t.File, orWord(t.Command, "a command"), t.What, t.Offset, t.ValidUpTo, t.Size-t.ValidUpTo)
	}
	if rep.Stopped {
		fmt.Fprintf(w, "stopped %s\n", rep.Stop)
	}
	fmt.Fprintf(w, "libraries %s: %d\n", map[bool]string{true: rep.Stop, false: "at the end"}[rep.Stopped], len(rep.Libraries))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range rep.Libraries {
		fmt.Fprintf(tw, "  %s\t%s\n", l.Name, l.SHA1)
	}
	return tw.Flush()
}

func shaChange(before, after string) string {
	short := func(s string) string {
		if s == "" {
			return "-"
		}
		return s[:min(12, len(s))]
	}
	if before == "" && after == "" {
		return "-"
	}
	return short(before) + " → " + short(after)
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
