package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/source"
)

// aofReport is the "aof" object of "fnkit inspect --json" for AOF sources.
type aofReport struct {
	Layout         string          `json:"layout"`
	Manifest       string          `json:"manifest,omitempty"`
	AppendFileName string          `json:"appendfilename"`
	Files          []aofFileReport `json:"files"`
	History        []aofFileReport `json:"history"`
	Commands       int64           `json:"commands"`
	Events         int             `json:"library_events"`
	Stop           string          `json:"stop"`
	Stopped        bool            `json:"stopped"`
	LastIndex      int64           `json:"last_index"`
	Time           int64           `json:"time,omitempty"`
	Truncated      *truncReport    `json:"truncated,omitempty"`
}

// aofFileReport describes one file of an AOF.
type aofFileReport struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Seq          int64  `json:"seq"`
	Size         int64  `json:"size"`
	Format       string `json:"format,omitempty"`
	RDBVersion   int    `json:"rdb_version,omitempty"`
	RDBEnd       int64  `json:"rdb_end,omitempty"`
	RDBLibraries int    `json:"rdb_libraries,omitempty"`
	Commands     int64  `json:"commands"`
	FirstIndex   int64  `json:"first_index,omitempty"`
	Timestamps   int64  `json:"timestamps,omitempty"`
	FirstTime    int64  `json:"first_time,omitempty"`
	LastTime     int64  `json:"last_time,omitempty"`
}

// truncReport is a truncated last file.
type truncReport struct {
	File      string `json:"file"`
	Size      int64  `json:"size"`
	Offset    int64  `json:"offset"`
	ValidUpTo int64  `json:"valid_up_to"`
	Command   string `json:"command,omitempty"`
	// CommandOffset is where the incomplete command (or its MULTI) starts.
	CommandOffset int64  `json:"command_offset,omitempty"`
	What          string `json:"what"`
}

func aofFiles(scan *aof.ScanResult) []aofFileReport {
	out := []aofFileReport{}
	for _, f := range scan.Files {
		r := aofFileReport{Name: f.Name, Type: f.Type.String(), Seq: f.Seq, Size: f.Size, Format: string(f.Format),
			RDBVersion: f.RDBVersion, RDBEnd: f.RDBEnd, RDBLibraries: f.RDBLibraries, Commands: f.Commands,
			Timestamps: f.Timestamps, FirstTime: f.FirstTime, LastTime: f.LastTime}
		if f.Commands > 0 {
			r.FirstIndex = f.FirstIndex
		}
		out = append(out, r)
	}
	return out
}

func aofHistory(a *aof.AOF) []aofFileReport {
	out := []aofFileReport{}
	for _, h := range a.History {
		out = append(out, aofFileReport{Name: h.Name, Type: h.Type.String(), Seq: h.Seq, Size: h.Size})
	}
	return out
}

func truncOf(e *aof.Error) *truncReport {
	if e == nil {
		return nil
	}
	return &truncReport{File: e.File, Offset: e.Offset, ValidUpTo: e.ValidUpTo, Command: e.Command, CommandOffset: e.CommandOffset, What: e.What}
}

// scanTrunc is the scan's truncated last file, named and sized as in the
// scan's file list; nil when the scan read every file whole.
func scanTrunc(scan *aof.ScanResult) *truncReport {
	t := truncOf(scan.Truncated)
	if t == nil {
		return nil
	}
	for _, f := range scan.Files {
		if f.Path == t.File {
			t.File, t.Size = f.Name, f.Size
		}
	}
	return t
}

// aofReportOf builds the AOF part of inspect's report, and the offsets and
// files of the libraries' last change.
func aofReportOf(src *source.Source) *aofReport {
	info := src.AOF
	a, res := info.AOF, info.Replay
	rep := &aofReport{
		Layout: string(a.Layout), AppendFileName: a.AppendFileName(), Files: aofFiles(res.Scan), History: aofHistory(a),
		Commands: res.Scan.Commands, Events: len(res.Events), Stop: info.Stop.String(), Stopped: res.Stopped,
		LastIndex: res.LastIndex, Time: res.Time, Truncated: scanTrunc(res.Scan),
	}
	if a.Manifest != nil {
		rep.Manifest = a.ManifestPath
	}
	return rep
}

func printAOFFields(field func(k, format string, args ...any), rep *inspectReport) {
	r := rep.AOF
	field("format", "AOF, %s", r.Layout)
	if r.Manifest != "" {
		field("manifest", "%s (appendfilename %s)", r.Manifest, r.AppendFileName)
	}
	field("size", "%d bytes in %d file(s) loaded", rep.Size, len(r.Files))
	for _, f := range r.Files {
		what := f.Format
		switch f.Format {
		case string(aof.FormatRDB):
			what = fmt.Sprintf("rdb (RDB v%d, %d libraries)", f.RDBVersion, f.RDBLibraries)
		case string(aof.FormatRDBRESP):
			what = fmt.Sprintf("rdb+resp (RDB v%d preamble, %d libraries, then %d commands)", f.RDBVersion, f.RDBLibraries, f.Commands)
		case string(aof.FormatRESP):
			what = fmt.Sprintf("resp, %d commands", f.Commands)
		}
		if f.Timestamps > 0 {
			what += fmt.Sprintf(", #TS %s .. %s", formatWhen(f.FirstTime), formatWhen(f.LastTime))
		}
		field("  "+f.Type, "%s seq %d, %d bytes, %s", f.Name, f.Seq, f.Size, what)
	}
	for _, h := range r.History {
		size := fmt.Sprintf("%d bytes", h.Size)
		if h.Size < 0 {
			size = "missing"
		}
		field("  history", "%s seq %d, %s (not loaded by Redis)", h.Name, h.Seq, size)
	}
	field("commands", "%d read (%d library events; fnkit timeline lists them)", r.Commands, r.Events)
	if r.Stopped {
		field("point", "%s: the libraries below are those of that moment", r.Stop)
	}
	if t := r.Truncated; t != nil {
		field("truncated", "%s ends inside %s (%s at offset %d): Redis loads it up to offset %d (aof-load-truncated yes); fnkit repair cuts it there", t.File, orWord(t.Command, "a command"), t.What, t.Offset, t.ValidUpTo)
	}
}

// aofLibraryPlaces maps each library to the file and offset of the command
// (or RDB record) that put its current code in place.
func aofLibraryPlaces(src *source.Source) map[string]aof.Event {
	out := map[string]aof.Event{}
	for _, e := range src.AOF.Replay.Events {
		switch e.Kind {
		case aof.EventLoaded, aof.EventReplaced, aof.EventRestored:
			out[e.Library] = e
		}
	}
	return out
}

// errNotAOF is returned by the AOF-only flags on other sources.
var errNotAOF = errors.New("--at and --at-command apply to AOF sources only")

func printAOFLibraries(w io.Writer, rep *inspectReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tENGINE\tSIZE\tSHA1\tFILE\tOFFSET\tBY")
	for _, l := range rep.Libraries {
		off := "-"
		if l.Offset != nil {
			off = fmt.Sprint(*l.Offset)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", l.Name, l.Engine, l.Size, l.SHA1, l.File, off, l.By)
	}
	tw.Flush()
}
