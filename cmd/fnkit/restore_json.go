package main

import (
	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/source"
)

// restoreReport is the JSON document of "fnkit restore --json", for an RDB
// and for an AOF given to --into.
type restoreReport struct {
	Into       string      `json:"into"`
	IntoFormat string      `json:"into_format"` // rdb or aof
	Output     string      `json:"output"`
	Mode       string      `json:"mode"` // append, replace or flush
	Sources    []sourceOut `json:"sources"`
	Before     int         `json:"libraries_before"`
	After      int         `json:"libraries_after"`
	// Libraries has one entry per library of the input or the output, by
	// name: change is added, replaced, kept or removed.
	Libraries []restoreLibrary `json:"libraries"`
	// Keyspace and Checksum: --into an RDB. The keyspace (copied byte for
	// byte) has the shape of inspect's.
	Keyspace *keyspaceReport `json:"keyspace,omitempty"`
	Checksum string          `json:"checksum,omitempty"` // 16 hex digits, "disabled" or "absent"
	// AOF: --into an AOF.
	AOF *restoreAOF `json:"aof,omitempty"`
}

type restoreLibrary struct {
	Name   string `json:"name"`
	Change string `json:"change"`
	SHA1   string `json:"sha1"`
	Origin string `json:"origin"`
}

// restoreAOF says where the FUNCTION RESTORE command went in an AOF output.
type restoreAOF struct {
	Layout         string   `json:"layout"`
	File           string   `json:"file"`
	Offset         int64    `json:"offset"`
	Command        string   `json:"command"`
	PayloadBytes   int      `json:"payload_bytes"`
	DroppedHistory []string `json:"dropped_history"`
}

// restoreLibraries lists the libraries of before and after with their
// change; an added or replaced library's origin is that of its SOURCE.
func restoreLibraries(before, after, incoming *library.Set) []restoreLibrary {
	out := []restoreLibrary{}
	for _, l := range after.Libraries() {
		if in, ok := incoming.Get(l.Name); ok && in.Code == l.Code {
			l = in
		}
		old, ok := before.Get(l.Name)
		switch {
		case !ok:
			out = append(out, restoreLibrary{l.Name, "added", l.SHA1(), l.Origin.String()})
		case old.Code != l.Code:
			out = append(out, restoreLibrary{l.Name, "replaced", l.SHA1(), l.Origin.String()})
		default:
			out = append(out, restoreLibrary{l.Name, "kept", l.SHA1(), old.Origin.String()})
		}
	}
	for _, l := range library.Compare(before, after).Removed {
		out = append(out, restoreLibrary{l.Name, "removed", l.SHA1(), l.Origin.String()})
	}
	return out
}

func restoreRDBReport(into, out string, mode library.RestoreMode, srcs []*source.Source, incoming *library.Set, res *rdbfmt.RewriteResult, ks *rdbfmt.Summary) *restoreReport {
	rep := &restoreReport{
		Into: into, IntoFormat: string(source.KindRDB), Output: out, Mode: mode.String(), Sources: sourcesOut(srcs),
		Before: res.Before.Len(), After: res.After.Len(), Libraries: restoreLibraries(res.Before, res.After, incoming),
		Keyspace: ks,
		Checksum: checksumWord(res),
	}
	switch res.Checksum.Status() {
	case "disabled", "absent":
		rep.Checksum = res.Checksum.Status()
	}
	return rep
}

func restoreAOFReport(into string, mode library.RestoreMode, srcs []*source.Source, incoming *library.Set, res *aof.RestoreResult) *restoreReport {
	dropped := res.DroppedHistory
	if dropped == nil {
		dropped = []string{}
	}
	return &restoreReport{
		Into: into, IntoFormat: string(source.KindAOF), Output: res.Output, Mode: mode.String(), Sources: sourcesOut(srcs),
		Before: res.Before.Len(), After: res.After.Len(), Libraries: restoreLibraries(res.Before, res.After, incoming),
		AOF: &restoreAOF{Layout: string(res.Layout), File: res.File, Offset: res.Offset, Command: res.Command,
			PayloadBytes: res.PayloadSize, DroppedHistory: dropped},
	}
}
