package main

import (
	"encoding/json"
	"io"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

// The JSON reports of the commands that write files (dump, extract,
// restore) and of serve. Every report is one JSON object on standard
// output; field names are stable and documented in the README ("JSON
// output"); new fields may be added.

// jsonFlag is the --json flag of every command whose output is a report.
func jsonFlag() cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "print one JSON object (documented in the README) instead of text"}
}

// writeJSON prints a report as indented JSON (<, > and & as they are).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// libraryOut is one library of a written set: name, SHA-1 and size of its
// code, and where it was read from.
type libraryOut struct {
	Name   string `json:"name"`
	SHA1   string `json:"sha1"`
	Size   int    `json:"size"`
	Origin string `json:"origin"`
}

func librariesOut(s *library.Set) []libraryOut {
	out := []libraryOut{}
	for _, l := range s.Libraries() {
		out = append(out, libraryOut{Name: l.Name, SHA1: l.SHA1(), Size: l.Size(), Origin: l.Origin.String()})
	}
	return out
}

// sourceOut is one SOURCE of a command: its path, its format and how many
// libraries it held.
type sourceOut struct {
	Path      string `json:"path"`
	Format    string `json:"format"`
	Libraries int    `json:"libraries"`
}

func sourcesOut(srcs []*source.Source) []sourceOut {
	out := []sourceOut{}
	for _, s := range srcs {
		out = append(out, sourceOut{Path: s.Path, Format: string(s.Kind), Libraries: s.Libraries.Len()})
	}
	return out
}
