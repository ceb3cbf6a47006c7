package rdbfmt

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/fnkit/fnkit/library"
)

// Checksum is the state of an RDB's CRC-64 trailer.
type Checksum struct {
	// Present is false for RDB versions before 5, which have no trailer.
	Present bool
	// Stored is the trailer's value, Computed the CRC-64 of the data
	// (from the magic through the EOF opcode).
	Stored, Computed uint64
	// Disabled means the trailer is zero: the file was saved with
	// rdbchecksum no, and Redis skips the check ("RDB file was saved with
	// checksum disabled: no check performed.").
	Disabled bool
	// Verified means Computed was computed (not with NoChecksum or
	// NoVerify).
	Verified bool
	// Valid means the trailer was verified and matches.
	Valid bool
}

// Status summarizes the checksum in one word: "ok", "disabled" (stored as
// zero), "absent" (RDB version < 5), "not-checked" or "mismatch".
func (c Checksum) Status() string {
	switch {
	case !c.Present:
		return "absent"
	case c.Disabled:
		return "disabled"
	case !c.Verified:
		return "not-checked"
	case c.Valid:
		return "ok"
	}
	return "mismatch"
}

// MarshalJSON writes the CRCs as 16 hex digits, as the fixtures' ground
// truth and redis-check-rdb show them.
func (c Checksum) MarshalJSON() ([]byte, error) {
	type out struct {
		Status   string `json:"status"`
		Present  bool   `json:"present"`
		Stored   string `json:"stored"`
		Computed string `json:"computed,omitempty"`
		Disabled bool   `json:"disabled"`
		Verified bool   `json:"verified"`
		Valid    bool   `json:"valid"`
	}
	o := out{Status: c.Status(), Present: c.Present, Stored: fmt.Sprintf("%016x", c.Stored),
		Disabled: c.Disabled, Verified: c.Verified, Valid: c.Valid}
	if c.Verified {
		o.Computed = fmt.Sprintf("%016x", c.Computed)
	}
	return json.Marshal(o)
}

// AuxField is one AUX record.
type AuxField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Encoding is how the value was stored ("raw", "int8", …).
	Encoding string `json:"encoding"`
	// Offset is the record's offset.
	Offset int64 `json:"offset"`
}

// FunctionInfo describes one FUNCTION2 record.
type FunctionInfo struct {
	// Offset and End delimit the record (opcode included).
	Offset int64 `json:"offset"`
	End    int64 `json:"end"`
	// Encoding is how the code is stored: "raw" or "lzf".
	Encoding string `json:"encoding"`
	// StoredBytes is the size of the stored string (End-Offset-1).
	StoredBytes int64 `json:"stored_bytes"`
	// Library is the library's name, CodeBytes and SHA1 describe its code.
	Library   string `json:"library"`
	CodeBytes int    `json:"code_bytes"`
	SHA1      string `json:"sha1"`
}

// Info is what ReadInfo learns about an RDB.
type Info struct {
	// Magic is "REDIS" or "VALKEY"; Version the RDB version.
	Magic   string `json:"magic"`
	Version int    `json:"version"`
	// Aux holds the AUX fields in file order (only those before the first
	// record that is not an AUX field or a library, with NoVerify).
	Aux []AuxField `json:"aux"`
	// Functions describes the FUNCTION2 records in file order.
	Functions []FunctionInfo `json:"functions"`
	// Libraries holds the libraries.
	Libraries *library.Set `json:"-"`
	// FirstAfterFunctions is the type byte of the first record after the
	// header, AUX fields and libraries (255 for a functions-only RDB), and
	// FirstAfterFunctionsOffset its offset.
	FirstAfterFunctions       int   `json:"first_after_functions"`
	FirstAfterFunctionsOffset int64 `json:"first_after_functions_offset"`
	// Checksum is the trailer's state (with NoVerify the trailer is not
	// read: Status is "not-checked", or "absent" before RDB version 5).
	Checksum Checksum `json:"checksum"`
	// Complete is true when the whole file was read (not NoVerify).
	Complete bool `json:"complete"`
	// Size is the number of bytes read, the file size when Complete.
	Size int64 `json:"size"`
	// Summary is the keyspace summary (with InfoOptions.Summary).
	Summary *Summary `json:"summary,omitempty"`
}

// InfoOptions configure ReadInfo.
type InfoOptions struct {
	// File names the input in errors and library origins.
	File string
	// NoVerify stops at the first record that is neither an AUX field nor
	// a library (the libraries come right after the header): the rest of
	// the file is not read, so its structure and checksum are not
	// checked. It takes microseconds whatever the file size.
	NoVerify bool
	// Summary computes the keyspace summary (ignored with NoVerify).
	Summary bool
	// Largest is the number of largest values the summary lists (default
	// 10).
	Largest int
}

// ReadInfo reads an RDB from r and returns its header, AUX fields,
// libraries, checksum state and optionally the keyspace summary. By
// default it reads the whole input and fails on any damage (structure,
// checksum, trailing data).
func ReadInfo(r io.Reader, opts InfoOptions) (*Info, error) {
	rd := NewReader(r, ReaderOptions{File: opts.File, NoChecksum: opts.NoVerify})
	info := &Info{Libraries: &library.Set{}, FirstAfterFunctions: -1, FirstAfterFunctionsOffset: -1}
	var sum *Summary
	if opts.Summary && !opts.NoVerify {
		sum = NewSummary(opts.Largest)
	}
	head := true
	for {
		if opts.NoVerify && head {
			t, off, err := rd.PeekType()
			if err != nil {
				return nil, err
			}
			if info.Magic == "" {
				info.Magic, info.Version, _ = rd.Header()
			}
			if t != OpAux && t != OpFunction2 {
				info.FirstAfterFunctions, info.FirstAfterFunctionsOffset = int(t), off
				info.Size = off
				info.Checksum = Checksum{Present: info.Version >= 5} // not read: "not-checked"
				return info, nil
			}
		}
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if info.Magic == "" {
			info.Magic, info.Version, _ = rd.Header()
		}
		if sum != nil {
			sum.Add(rec)
		}
		switch rec.Kind {
		case KindAux:
			if head || !opts.NoVerify {
				info.Aux = append(info.Aux, AuxField{Key: rec.AuxKey, Value: rec.AuxValue, Encoding: rec.AuxEncoding.String(), Offset: rec.Offset})
			}
			continue
		case KindFunction:
			lib := rec.Library
			info.Functions = append(info.Functions, FunctionInfo{
				Offset: rec.Offset, End: rec.End, Encoding: rec.CodeEncoding.String(),
				StoredBytes: rec.End - rec.Offset - 1, Library: lib.Name, CodeBytes: lib.Size(), SHA1: lib.SHA1(),
			})
			info.Libraries.Put(lib)
			continue
		}
		if head {
			head = false
			info.FirstAfterFunctions, info.FirstAfterFunctionsOffset = int(rec.Type), rec.Offset
		}
		if rec.Kind == KindEOF {
			info.Checksum = rd.Checksum()
		}
	}
	info.Complete = true
	info.Size = rd.Offset()
	if sum != nil {
		sum.Finish()
		info.Summary = sum
	}
	return info, nil
}
