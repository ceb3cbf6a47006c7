// Package dumpfmt reads and writes FUNCTION DUMP payloads, the bytes that
// FUNCTION DUMP returns and FUNCTION RESTORE accepts:
//
//	( 0xF5 <RDB string: library code> )*  <uint16 LE RDB version>  <uint64 LE CRC-64>
//
// Decode verifies a payload with the rules and the error words of
// FUNCTION RESTORE; Encode writes one for a chosen RDB version exactly as a
// Redis server would; Detect and Parse accept a payload however a person
// saved it (raw bytes, redis-cli --raw output, redis-cli's quoted form, hex,
// base64).
package dumpfmt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
)

// Record opcodes of a payload.
const (
	// OpFunction2 is the FUNCTION2 record of Redis 7.0 GA and later.
	OpFunction2 = 0xF5
	// OpFunctionPreGA is the record of Redis 7.0 release candidates.
	OpFunctionPreGA = 0xF6
)

// FooterSize is the size of the version and checksum that end a payload.
const FooterSize = 10

// Versions fnkit knows.
const (
	// MinVersion is the first RDB version with FUNCTION2 records (Redis 7.0).
	MinVersion = 10
	// MaxVersion is the newest RDB version fnkit understands (Redis 7.4);
	// Decode refuses newer payloads as a Redis 7.4 server would.
	MaxVersion = 12
	// DefaultTargetVersion is what Encode writes by default: the oldest
	// version with functions, which every Redis 7 server restores.
	DefaultTargetVersion = 10
)

// Payload is a decoded FUNCTION DUMP payload.
type Payload struct {
	// Version is the RDB version in the footer (the producer's RDB_VERSION).
	Version int
	// Checksum is the CRC-64 stored in the footer (verified by Decode).
	Checksum uint64
	// Size is the length of the payload in bytes (after undoing the saved
	// form).
	Size int
	// Form is how the payload was saved; FormRaw when Decode was given the
	// payload's bytes.
	Form Form
	// Libraries holds one library per record, Origin Format "dump" and
	// Offset the record's offset.
	Libraries *library.Set
	// Records describes each record in payload order.
	Records []Record
}

// Record is one library record as found in the payload.
type Record struct {
	// Offset is the offset of the opcode byte; End the offset just past the
	// record.
	Offset, End int64
	// Opcode is the record's type byte (OpFunction2).
	Opcode byte
	// Encoding is how the library string is stored (raw or lzf).
	Encoding rdbfmt.StringEncoding
	// StoredBytes is the size of the library string as stored (End-Offset-1).
	StoredBytes int
	// Library is the library's name.
	Library string
	// CodeBytes is the length of the decoded code.
	CodeBytes int
}

// Decode verifies payload as FUNCTION RESTORE does and returns its
// libraries. name is used in error messages and as the libraries' origin.
//
// The checks and their order are Redis's: length, version and CRC-64 first
// (all answered with "DUMP payload version or checksum are wrong"), then each
// record: its type byte, its library string, its shebang line and a name not
// seen before in the payload. Lua compilation and function registration
// (which Redis also runs) are the runtime package's job. Errors are *Error.
func Decode(payload []byte, name string) (*Payload, error) {
	fail := func(off int, msg string, sentinel error, detail string, cause error) error {
		return &Error{File: name, Offset: int64(off), Msg: msg, Detail: detail, Err: sentinel, Cause: cause}
	}
	n := len(payload)
	if n < FooterSize {
		return nil, fail(0, MsgVersionOrChecksum, ErrTooShort, fmt.Sprintf("%d bytes, a payload ends with a 10-byte footer", n), nil)
	}
	body := n - FooterSize
	ver := int(binary.LittleEndian.Uint16(payload[body:]))
	if ver > MaxVersion {
		return nil, fail(body, MsgVersionOrChecksum, ErrVersion, fmt.Sprintf("payload RDB version %d is newer than %d, the newest fnkit understands", ver, MaxVersion), nil)
	}
	stored := binary.LittleEndian.Uint64(payload[n-8:])
	if computed := rdbfmt.CRC64(0, payload[:n-8]); computed != stored {
		return nil, fail(n-8, MsgVersionOrChecksum, ErrChecksum, fmt.Sprintf("stored CRC-64 %016x, computed %016x", stored, computed), nil)
	}
	p := &Payload{Version: ver, Checksum: stored, Size: n, Libraries: &library.Set{}}
	pos := 0
	for pos < body {
		start := pos
		switch t := payload[pos]; t {
		case OpFunction2:
		case OpFunctionPreGA:
			return nil, fail(start, ErrPreGA.Error(), ErrPreGA, "opcode 246 of Redis 7.0 release candidates", nil)
		default:
			return nil, fail(start, ErrNotFunction.Error(), ErrNotFunction, fmt.Sprintf("type byte %d, want 245", t), nil)
		}
		pos++
		// The string must end before the footer: Redis reads it from the
		// whole buffer, but a library that swallowed footer bytes is
		// corrupt in any payload Redis writes.
		code, enc, size, err := rdbfmt.ParseString(payload[pos:body])
		if err != nil {
			return nil, fail(pos, ErrLibraryPayload.Error(), ErrLibraryPayload, "library string", err)
		}
		pos += size
		lib, err := library.New(string(code), library.Origin{Path: name, Format: "dump", Offset: int64(start)})
		if err != nil {
			return nil, fail(start, err.Error(), ErrLibrary, "", err)
		}
		if err := p.Libraries.Add(lib); err != nil {
			return nil, fail(start, err.Error(), ErrLibrary, "", err)
		}
		p.Records = append(p.Records, Record{
			Offset: int64(start), End: int64(pos), Opcode: OpFunction2, Encoding: enc,
			StoredBytes: size, Library: lib.Name, CodeBytes: len(code),
		})
	}
	return p, nil
}

// Encode writes set as a payload of RDB version targetVersion (0 means
// DefaultTargetVersion): one FUNCTION2 record per library in name order,
// each library string written as Redis writes it with rdbcompression yes,
// then the version and the CRC-64.
func Encode(set *library.Set, targetVersion int) ([]byte, error) {
	if targetVersion == 0 {
		targetVersion = DefaultTargetVersion
	}
	if targetVersion < MinVersion || targetVersion > MaxVersion {
		return nil, fmt.Errorf("dumpfmt: target RDB version %d: want %d to %d (Redis 7.0 writes 10, 7.2 writes 11, 7.4 writes 12)", targetVersion, MinVersion, MaxVersion)
	}
	size := FooterSize
	for _, l := range set.Libraries() {
		size += 10 + len(l.Code)
	}
	buf := make([]byte, 0, size)
	for _, l := range set.Libraries() {
		buf = append(buf, OpFunction2)
		buf = rdbfmt.AppendString(buf, []byte(l.Code), true)
	}
	buf = binary.LittleEndian.AppendUint16(buf, uint16(targetVersion))
	buf = binary.LittleEndian.AppendUint64(buf, rdbfmt.CRC64(0, buf))
	return buf, nil
}

// releases maps a server release (major.minor) to the RDB version it writes
// and the newest payload version its FUNCTION RESTORE accepts.
var releases = map[string]int{
	"7.0": 10, "7.2": 11, "7.4": 12, "8.0": 12,
	"valkey-7.2": 11, "valkey-8.0": 11, "valkey-8.1": 11,
}

// ServerVersion returns the RDB version a server release writes and
// restores at most: "7.0" or "7.0.15" → 10, "7.2" → 11, "7.4" → 12; Valkey
// releases take a "valkey-" prefix ("valkey-8.0.1" → 11).
func ServerVersion(release string) (int, error) {
	key := release
	prefix := ""
	if len(key) > 7 && key[:7] == "valkey-" {
		prefix, key = "valkey-", key[7:]
	}
	// keep major.minor
	dots := 0
	for i := 0; i < len(key); i++ {
		if key[i] == '.' {
			dots++
			if dots == 2 {
				key = key[:i]
				break
			}
		}
	}
	if v, ok := releases[prefix+key]; ok {
		return v, nil
	}
	return 0, fmt.Errorf("dumpfmt: unknown server release %q (known: %s)", release, strings.Join(Releases(), ", "))
}

// ErrNotRestorable is wrapped by CheckRestorable's errors.
var ErrNotRestorable = errors.New("payload version not restorable on this release")

// CheckRestorable reports whether a payload of RDB version payloadVersion can
// be restored on release: FUNCTION RESTORE refuses payloads newer than its
// own RDB version (with "DUMP payload version or checksum are wrong") and
// accepts every older one.
func CheckRestorable(payloadVersion int, release string) error {
	own, err := ServerVersion(release)
	if err != nil {
		return err
	}
	if payloadVersion > own {
		return fmt.Errorf("%w: payload RDB version %d is newer than %d, the version %s restores (Redis replies %q)",
			ErrNotRestorable, payloadVersion, own, release, "ERR "+MsgVersionOrChecksum)
	}
	return nil
}

func crc(p []byte) uint64 { return rdbfmt.CRC64(0, p) }

// Releases lists the server releases ServerVersion knows, oldest first.
func Releases() []string {
	return []string{"7.0", "7.2", "7.4", "8.0", "valkey-7.2", "valkey-8.0", "valkey-8.1"}
}

// RestorableOn returns the releases (of Releases) whose FUNCTION RESTORE
// accepts a payload of RDB version v.
func RestorableOn(v int) []string {
	var out []string
	for _, r := range Releases() {
		if CheckRestorable(v, r) == nil {
			out = append(out, r)
		}
	}
	return out
}
