package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show the format, checksum, libraries and keyspace of an RDB file, an AOF file or directory, a FUNCTION DUMP payload or a .lua library",
		ArgsUsage: "PATH",
		UsageText: "fnkit inspect [--json] [--no-verify] [--no-functions] [--at TIME | --at-command N] PATH",
		Description: "Detects the format by content: an RDB file (REDIS or VALKEY signature), a FUNCTION DUMP\n" +
			"payload however it was saved (raw bytes, redis-cli output, hex, base64) or a library's\n" +
			"source. It checks the whole file by default (structure to the end and the CRC-64) and\n" +
			"fails on damage; --no-verify reads only the libraries. An AOF (appendonlydir/, its\n" +
			"manifest or a single file) is replayed as Redis loads it; --at TIME or --at-command N\n" +
			"show the libraries at that point of its history.\n\n" +
			"Every library is loaded in fnkit's Functions runtime to list its functions with their\n" +
			"flags and descriptions, or the error Redis would give when loading it. The runtime is a\n" +
			"sandbox (no file, network or process access; bounded time and memory), so a hostile\n" +
			"library under analysis cannot do harm; --no-functions does not run any Lua.\n\n" +
			"Example:\n" +
			"   $ fnkit inspect fixtures/redis-7.0.15/dump-one.bin\n" +
			"   fixtures/redis-7.0.15/dump-one.bin\n" +
			"     format       FUNCTION DUMP payload, saved as raw\n" +
			"     size         975 bytes\n" +
			"     rdb version  10 (restores on 7.0, 7.2, 7.4, 8.0, valkey-7.2, valkey-8.0, valkey-8.1)\n" +
			"     checksum     ok (crc64 4338d0b66b2220be)\n" +
			"   ...\n" +
			"   functions: 3 (each library loaded in fnkit's sandboxed runtime)\n" +
			"     LIBRARY    FUNCTION         FLAGS      DESCRIPTION\n" +
			"     ratelimit  rl_fixed_window  -          -\n" +
			"     ratelimit  rl_remaining     no-writes  -\n" +
			"     ratelimit  rl_token_bucket  -          -\n\n" +
			"   $ fnkit inspect --json fixtures/redis-7.0.15/rdb-functions-keyspace.rdb | jq -c '[.libraries[].name]'\n" +
			"   [\"i18n\",\"inventory\",\"jobqueue\",\"kvtools\",\"leaderboard\",\"ratelimit\",\"sessions\",\"wire\"]",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object (documented in the README) instead of tables"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read only as far as the libraries; skip the keyspace and the checksum"},
			&cli.BoolFlag{Name: "no-functions", Usage: "do not load the libraries in fnkit's (sandboxed) Lua runtime to list their functions"},
		}, aofStopFlags()...),
		Action: runInspect,
	}
}

// inspectReport is the JSON document of "fnkit inspect --json". Field names
// are stable; new fields may be added.
type inspectReport struct {
	Path      string          `json:"path"`
	Format    string          `json:"format"`
	Size      int64           `json:"size"`
	Verified  bool            `json:"verified"`
	RDB       *rdbReport      `json:"rdb,omitempty"`
	Dump      *dumpReport     `json:"dump,omitempty"`
	Libraries []libraryReport `json:"libraries"`
	Keyspace  *keyspaceReport `json:"keyspace,omitempty"`
	AOF       *aofReport      `json:"aof,omitempty"` // inspect_aof.go
	// FunctionsLoaded: the libraries were loaded in the runtime, so each
	// has its functions or its load error (false with --no-functions).
	FunctionsLoaded bool `json:"functions_loaded"`
}

type dumpReport struct {
	RDBVersion   int      `json:"rdb_version"`
	SavedForm    string   `json:"saved_form"`
	PayloadSize  int      `json:"payload_size"`
	Checksum     string   `json:"checksum"`
	RestorableOn []string `json:"restorable_on"`
}

type libraryReport struct {
	Name        string `json:"name"`
	Engine      string `json:"engine"`
	Size        int    `json:"size"`
	SHA1        string `json:"sha1"`
	Offset      *int64 `json:"offset"`
	Encoding    string `json:"encoding,omitempty"`
	StoredBytes int    `json:"stored_bytes,omitempty"`
	// File and By: for AOF sources, the file and the command (or "RDB"
	// record) that put the library's current code in place.
	File string `json:"file,omitempty"`
	By   string `json:"by,omitempty"`
	// Functions are the functions the library registers when loaded in
	// fnkit's runtime (null with --no-functions, [] when it does not load);
	// Error is then Redis's reply to loading it, without "ERR ".
	Functions []functionReport `json:"functions"`
	Error     string           `json:"error,omitempty"`
}

func runInspect(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef(c, "inspect takes one PATH, got %d arguments", c.NArg())
	}
	stop, err := aofStop(c)
	if err != nil {
		return err
	}
	src, err := source.Open(c.Args().First(), source.Options{NoVerify: c.Bool("no-verify"), Summary: true, Progress: true, AOFStop: stop, AOFValidate: aofValidator(c)})
	if err != nil {
		return err
	}
	if stopSet(c) && src.Kind != source.KindAOF {
		return usagef(c, "%v; %s is a %s source", errNotAOF, src.Path, src.Kind)
	}
	rep := buildInspectReport(src, !c.Bool("no-verify"))
	if !c.Bool("no-functions") {
		addFunctions(rep, src) // inspect_functions.go
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rep)
	}
	return printInspect(c.App.Writer, rep)
}

func buildInspectReport(src *source.Source, verified bool) *inspectReport {
	rep := &inspectReport{Path: src.Path, Format: string(src.Kind), Size: src.Size, Verified: verified, Libraries: []libraryReport{}}
	type rec struct {
		offset int64
		enc    string
		stored int
	}
	recs := map[string]rec{}
	switch src.Kind {
	case source.KindDump:
		d := src.Dump
		rep.Verified = true // a payload is always checked whole
		rep.Dump = &dumpReport{
			RDBVersion: d.Version, SavedForm: d.Form.String(), PayloadSize: d.PayloadSize,
			Checksum: fmt.Sprintf("%016x", d.Checksum), RestorableOn: dumpfmt.RestorableOn(d.Version),
		}
		if rep.Dump.RestorableOn == nil {
			rep.Dump.RestorableOn = []string{}
		}
		for _, r := range d.Records {
			recs[r.Library] = rec{r.Offset, r.Encoding.String(), r.StoredBytes}
		}
	case source.KindRDB:
		rep.RDB, rep.Keyspace = rdbReportOf(src)
		for _, r := range src.RDB.Functions {
			recs[r.Library] = rec{r.Offset, r.Encoding, int(r.StoredBytes)}
		}
	case source.KindLua:
		rep.Verified = true
	case source.KindAOF:
		rep.Verified = true // an AOF is always read whole
		rep.AOF = aofReportOf(src)
	}
	places := map[string]aof.Event{}
	if src.Kind == source.KindAOF {
		places = aofLibraryPlaces(src)
	}
	for _, l := range src.Libraries.Libraries() {
		lr := libraryReport{Name: l.Name, Engine: l.Engine, Size: l.Size(), SHA1: l.SHA1()}
		if r, ok := recs[l.Name]; ok {
			off := r.offset
			lr.Offset, lr.Encoding, lr.StoredBytes = &off, r.enc, r.stored
		}
		if e, ok := places[l.Name]; ok {
			off := e.Offset
			lr.Offset, lr.File, lr.By = &off, e.File, e.Command
		}
		rep.Libraries = append(rep.Libraries, lr)
	}
	return rep
}

func printInspect(w io.Writer, rep *inspectReport) error {
	fmt.Fprintln(w, rep.Path)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	field := func(k, format string, args ...any) { fmt.Fprintf(tw, "  %s\t%s\n", k, fmt.Sprintf(format, args...)) }
	switch {
	case rep.AOF != nil:
		printAOFFields(field, rep)
	case rep.Dump != nil:
		d := rep.Dump
		field("format", "FUNCTION DUMP payload, saved as %s", d.SavedForm)
		if d.SavedForm == "raw" {
			field("size", "%d bytes", rep.Size)
		} else {
			field("size", "%d bytes (payload %d bytes)", rep.Size, d.PayloadSize)
		}
		on := "no release fnkit knows"
		if len(d.RestorableOn) > 0 {
			on = strings.Join(d.RestorableOn, ", ")
		}
		field("rdb version", "%d (restores on %s)", d.RDBVersion, on)
		field("checksum", "ok (crc64 %s)", d.Checksum)
	case rep.RDB != nil:
		printRDBFields(field, rep)
	default:
		field("format", "library source (%s)", rep.Format)
		field("size", "%d bytes", rep.Size)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nlibraries: %d\n", len(rep.Libraries))
	if len(rep.Libraries) > 0 && rep.AOF != nil {
		printAOFLibraries(w, rep)
	} else if len(rep.Libraries) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tENGINE\tSIZE\tSHA1\tOFFSET\tSTORED")
		for _, l := range rep.Libraries {
			off, stored := "-", "-"
			if l.Offset != nil {
				off = fmt.Sprint(*l.Offset)
				stored = fmt.Sprintf("%s %d", l.Encoding, l.StoredBytes)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", l.Name, l.Engine, l.Size, l.SHA1, off, stored)
		}
		tw.Flush()
	}
	if rep.FunctionsLoaded && len(rep.Libraries) > 0 {
		printFunctions(w, rep)
	}
	if rep.Keyspace != nil {
		printKeyspace(w, rep.Keyspace)
	}
	return nil
}
