package main

import (
	"encoding/json"
	"io"
)

// serveReport is the one JSON line "fnkit serve --json" prints on standard
// output once it listens: the address (useful with --addr 127.0.0.1:0), what
// each source gave and the libraries loaded.
type serveReport struct {
	Addr      string        `json:"addr"`
	Sources   []serveSource `json:"sources"`
	Libraries []libraryOut  `json:"libraries"`
}

// serveSource is one SOURCE of serve: its libraries and, with --with-data,
// the keys loaded from it, the keys skipped because they had expired, and
// what could not be loaded.
type serveSource struct {
	Path      string   `json:"path"`
	Format    string   `json:"format"`
	Libraries int      `json:"libraries"`
	Keys      *int     `json:"keys"` // null when no keyspace was loaded from it
	Expired   int      `json:"expired,omitempty"`
	Skipped   []string `json:"skipped,omitempty"`
	Truncated string   `json:"truncated,omitempty"` // an AOF whose last file is truncated
}

// writeJSONLine prints v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
