package rdbfmt

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *Error, for errors.Is.
var (
	// ErrTruncated means the input ended in the middle of a structure.
	ErrTruncated = errors.New("unexpected end of file")
	// ErrChecksum means the stored CRC-64 does not match the content.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsupportedVersion means the header names an RDB version fnkit
	// cannot read.
	ErrUnsupportedVersion = errors.New("unsupported RDB version")
	// ErrCorrupt means a byte that cannot appear where it was found.
	ErrCorrupt = errors.New("corrupt RDB data")
	// ErrPreGAFunction means an opcode-246 function record, the format of
	// Redis 7.0 release candidates that no GA server writes.
	ErrPreGAFunction = errors.New("Pre-release function format not supported")
	// ErrNotRDB means the input does not start with an RDB signature.
	ErrNotRDB = errors.New("not an RDB file")
)

// Error is a failure to read RDB data: it names the file, the byte offset
// and what was expected there, and wraps one of the sentinel errors.
type Error struct {
	// File is the input's name, "" when unknown.
	File string
	// Offset is the byte offset, from the start of the input, where the
	// problem was found.
	Offset int64
	// What says what was being read or expected.
	What string
	// Err is the sentinel (or underlying I/O error).
	Err error
}

// Error formats the error as "rdbfmt: FILE: offset N: WHAT: SENTINEL".
func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("rdbfmt: %s: offset %d: %s: %v", e.File, e.Offset, e.What, e.Err)
	}
	return fmt.Sprintf("rdbfmt: offset %d: %s: %v", e.Offset, e.What, e.Err)
}

// Unwrap returns the wrapped sentinel.
func (e *Error) Unwrap() error { return e.Err }
