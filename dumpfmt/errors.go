package dumpfmt

import (
	"errors"
	"fmt"

	"github.com/fnkit/fnkit/rdbfmt"
)

// Redis's reply to a payload that is too short, of a newer RDB version than
// the server's, or whose checksum does not match: the same words for all
// three (FUNCTION RESTORE and RESTORE, verifyDumpPayload).
const MsgVersionOrChecksum = "DUMP payload version or checksum are wrong"

// Sentinel errors wrapped by *Error, for errors.Is. ErrTooShort, ErrVersion
// and ErrChecksum are the three cases Redis answers with
// MsgVersionOrChecksum; errors.Is(err, ErrVersionOrChecksum) matches any of
// them.
var (
	// ErrVersionOrChecksum matches every payload Redis refuses with
	// "DUMP payload version or checksum are wrong".
	ErrVersionOrChecksum = errors.New(MsgVersionOrChecksum)
	// ErrTooShort means fewer than the 10 bytes of the footer.
	ErrTooShort = errors.New("payload shorter than its 10-byte footer")
	// ErrVersion means the footer names an RDB version newer than
	// MaxVersion.
	ErrVersion = errors.New("payload RDB version too new")
	// ErrChecksum is rdbfmt.ErrChecksum: the stored CRC-64 does not match.
	ErrChecksum = rdbfmt.ErrChecksum
	// ErrNotFunction means a record whose type byte is neither 245 nor 246
	// (Redis: "given type is not a function").
	ErrNotFunction = errors.New("given type is not a function")
	// ErrPreGA means an opcode-246 record of Redis 7.0 release candidates,
	// which Redis 7.2 and later refuse (Redis: "Pre-GA function format not
	// supported").
	ErrPreGA = errors.New("Pre-GA function format not supported")
	// ErrLibraryPayload means the library string of a record cannot be read
	// (Redis: "Failed loading library payload").
	ErrLibraryPayload = errors.New("Failed loading library payload")
	// ErrLibrary means a record whose code Redis would refuse to create as a
	// library: a bad shebang line, or a name already used earlier in the
	// same payload. The *library.Error with Redis's words is in the chain.
	ErrLibrary = errors.New("invalid library")
	// ErrNotPayload means Detect found no saved form that holds a valid
	// payload.
	ErrNotPayload = errors.New("not a FUNCTION DUMP payload")
)

// Error is a payload that FUNCTION RESTORE would refuse (or that fnkit cannot
// read). It names the file and the byte offset in the payload, carries the
// words Redis would reply with, and wraps a sentinel and the underlying
// cause.
type Error struct {
	// File is the payload's name ("" when unknown).
	File string
	// Offset is the byte offset in the (decoded) payload.
	Offset int64
	// Msg is what FUNCTION RESTORE replies, without the "ERR " prefix.
	Msg string
	// Detail says what fnkit found, e.g. the stored and computed CRC.
	Detail string
	// Err is the sentinel.
	Err error
	// Cause is the underlying error (an rdbfmt or library error), or nil.
	Cause error
}

// Error formats the failure as "dumpfmt: FILE: offset N: MSG (DETAIL): CAUSE".
func (e *Error) Error() string {
	s := "dumpfmt: "
	if e.File != "" {
		s += e.File + ": "
	}
	s += fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Cause != nil && e.Cause.Error() != e.Msg {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// Is makes ErrTooShort, ErrVersion and ErrChecksum match
// ErrVersionOrChecksum too, as Redis does not tell them apart.
func (e *Error) Is(target error) bool {
	if target == ErrVersionOrChecksum {
		return e.Err == ErrTooShort || e.Err == ErrVersion || e.Err == ErrChecksum
	}
	return false
}

// RedisError returns the error text a real FUNCTION RESTORE gives for this
// payload, as sent on the wire without the leading '-' ("ERR ..."). It is
// the same for every failure that Redis reports with one message.
func (e *Error) RedisError() string { return "ERR " + e.Msg }
