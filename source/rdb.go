package source

import (
	"errors"
	"fmt"
	"io"

	"github.com/fnkit/fnkit/rdbfmt"
)

// RDBInfo describes an RDB file.
type RDBInfo struct {
	// Magic is "REDIS" or "VALKEY".
	Magic string
	// Version is the RDB version from the header.
	Version int
	// Aux holds the AUX fields in file order.
	Aux []AuxField
	// Functions describes the function records in file order.
	Functions []FunctionRecord
	// Checksum is the state of the trailing CRC-64.
	Checksum Checksum
}

// AuxField is one AUX record of an RDB.
type AuxField struct {
	Key, Value string
}

// FunctionRecord is one FUNCTION2 record of an RDB.
type FunctionRecord struct {
	// Offset is the offset of the opcode byte, End the offset past the
	// record.
	Offset, End int64
	// Encoding is how the library string is stored.
	Encoding rdbfmt.StringEncoding
	// StoredBytes is the size of the stored string.
	StoredBytes int
	// Library is the library's name.
	Library string
}

// ChecksumStatus says what is known about an RDB's trailing CRC-64.
type ChecksumStatus string

// The checksum states.
const (
	// ChecksumOK: the stored CRC-64 matches the content.
	ChecksumOK ChecksumStatus = "ok"
	// ChecksumDisabled: the file was saved with rdbchecksum no (stored as
	// zero), so there is nothing to check, as in Redis.
	ChecksumDisabled ChecksumStatus = "disabled"
	// ChecksumNotChecked: the file was read with NoVerify.
	ChecksumNotChecked ChecksumStatus = "not-checked"
	// ChecksumAbsent: RDB versions before 5 have no checksum.
	ChecksumAbsent ChecksumStatus = "absent"
)

// Checksum is an RDB's trailing CRC-64.
type Checksum struct {
	Status ChecksumStatus
	// Stored and Computed are the CRC-64 values (Computed is 0 when not
	// checked).
	Stored, Computed uint64
}

// errRDBPending is returned until rdbfmt's record Reader is available.
var errRDBPending = errors.New("reading RDB files is not available yet")

func (s *Source) readRDB(r io.Reader, opts Options) error {
	return fmt.Errorf("%s: %w", s.Path, errRDBPending)
}
