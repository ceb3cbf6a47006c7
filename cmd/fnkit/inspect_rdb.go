package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/source"
)

// rdbReport is the "rdb" object of inspect --json.
type rdbReport struct {
	Magic    string             `json:"magic"`
	Version  int                `json:"version"`
	Aux      []rdbfmt.AuxField  `json:"aux"`
	Ctime    string             `json:"ctime,omitempty"`
	Checksum checksumReport     `json:"checksum"`
	Complete bool               `json:"complete"`
	First    firstAfterFunction `json:"first_after_functions"`
}

// checksumReport is the RDB's CRC-64 trailer: status is "ok", "mismatch",
// "disabled" (stored as zero), "absent" (RDB version < 5) or "not-checked"
// (--no-verify).
type checksumReport struct {
	Status   string `json:"status"`
	Stored   string `json:"stored,omitempty"`
	Computed string `json:"computed,omitempty"`
}

type firstAfterFunction struct {
	Type   int   `json:"type"`
	Offset int64 `json:"offset"`
}

// keyspaceReport is the "keyspace" object of inspect --json: rdbfmt's
// summary as it marshals itself.
type keyspaceReport = rdbfmt.Summary

func rdbReportOf(src *source.Source) (*rdbReport, *keyspaceReport) {
	info := src.RDB
	rep := &rdbReport{
		Magic: info.Magic, Version: info.Version, Aux: info.Aux, Complete: info.Complete,
		First: firstAfterFunction{info.FirstAfterFunctions, info.FirstAfterFunctionsOffset},
	}
	c := info.Checksum
	rep.Checksum.Status = c.Status()
	switch {
	case !info.Complete:
		rep.Checksum.Status = "not-checked"
	case c.Present:
		rep.Checksum.Stored = fmt.Sprintf("%016x", c.Stored)
		if c.Verified {
			rep.Checksum.Computed = fmt.Sprintf("%016x", c.Computed)
		}
	}
	if rep.Aux == nil {
		rep.Aux = []rdbfmt.AuxField{}
	}
	for _, a := range info.Aux {
		if a.Key == "ctime" {
			if sec, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
				rep.Ctime = time.Unix(sec, 0).UTC().Format(time.RFC3339)
			}
		}
	}
	return rep, info.Summary
}

func printRDBFields(field func(k, format string, args ...any), rep *inspectReport) {
	r := rep.RDB
	field("format", "RDB (%s%04d)", r.Magic, r.Version)
	field("size", "%d bytes", rep.Size)
	c := r.Checksum
	switch c.Status {
	case "ok":
		field("checksum", "ok (crc64 %s)", c.Stored)
	case "disabled":
		field("checksum", "disabled (saved with rdbchecksum no; stored as zero)")
	case "absent":
		field("checksum", "absent (RDB version %d has none)", r.Version)
	case "not-checked":
		field("checksum", "not checked (--no-verify; only the header, AUX fields and libraries were read)")
	default:
		field("checksum", "%s (stored %s, computed %s)", c.Status, c.Stored, c.Computed)
	}
	for _, a := range r.Aux {
		v := a.Value
		if a.Key == "ctime" && r.Ctime != "" {
			v += " (" + strings.Replace(strings.TrimSuffix(r.Ctime, "Z"), "T", " ", 1) + " UTC)"
		}
		if !isPrintable(v) {
			v = strconv.Quote(v)
		}
		field("aux "+a.Key, "%s", v)
	}
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func printKeyspace(w io.Writer, k *keyspaceReport) {
	fmt.Fprintf(w, "\nkeyspace: %d keys, %d with an expiry, %d bytes of values, %d databases\n", k.Keys, k.Expires, k.ValueBytes, len(k.Databases))
	if len(k.Databases) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  DB\tKEYS\tEXPIRES\tVALUE BYTES")
	for _, d := range k.Databases {
		fmt.Fprintf(tw, "  %d\t%d\t%d\t%d\n", d.DB, d.Keys, d.Expires, d.ValueBytes)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TYPE\tENCODING\tRDB TYPE\tKEYS\tVALUE BYTES")
	for _, t := range k.Types {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\n", t.Type, t.Encoding, t.RDBType, t.Keys, t.Bytes)
	}
	tw.Flush()
	if len(k.Largest) == 0 {
		return
	}
	fmt.Fprintf(w, "\nlargest values:\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  DB\tKEY\tTYPE\tENCODING\tBYTES")
	for _, l := range k.Largest {
		key := l.Key
		if l.KeyBase64 != "" || !isPrintable(key) {
			key = strconv.Quote(key)
		}
		if len(key) > 48 {
			key = key[:45] + "..."
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%d\n", l.DB, key, l.Type, l.Encoding, l.Bytes)
	}
	tw.Flush()
}
