package rdbfmt

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// StringEncoding says how an RDB string was stored.
type StringEncoding uint8

// The ways an RDB string can be stored.
const (
	EncodingRaw StringEncoding = iota
	EncodingInt8
	EncodingInt16
	EncodingInt32
	EncodingLZF
)

// String returns "raw", "int8", "int16", "int32" or "lzf".
func (e StringEncoding) String() string {
	switch e {
	case EncodingRaw:
		return "raw"
	case EncodingInt8:
		return "int8"
	case EncodingInt16:
		return "int16"
	case EncodingInt32:
		return "int32"
	case EncodingLZF:
		return "lzf"
	}
	return "unknown"
}

// lzfMaxRatio bounds how much LZF can expand: a 2-byte back-reference
// yields at most 264 bytes. A larger declared size is corrupt, and refusing
// it keeps a hostile file from making us allocate gigabytes.
const lzfMaxRatio = 133

// ParseString decodes the RDB string at the start of b. It returns the
// string's bytes (for integer encodings, their canonical decimal text), how
// it was stored, and the number of bytes consumed. Errors wrap ErrTruncated
// or ErrCorrupt and never panic, whatever b holds.
func ParseString(b []byte) (s []byte, enc StringEncoding, size int, err error) {
	n, special, hs, err := ParseLength(b)
	if err != nil {
		return nil, 0, 0, err
	}
	if !special {
		if n > uint64(len(b)-hs) {
			return nil, 0, 0, ErrTruncated
		}
		end := hs + int(n)
		return b[hs:end:end], EncodingRaw, end, nil
	}
	switch n {
	case EncInt8:
		if len(b) < 2 {
			return nil, 0, 0, ErrTruncated
		}
		return strconv.AppendInt(nil, int64(int8(b[1])), 10), EncodingInt8, 2, nil
	case EncInt16:
		if len(b) < 3 {
			return nil, 0, 0, ErrTruncated
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(b[1:]))), 10), EncodingInt16, 3, nil
	case EncInt32:
		if len(b) < 5 {
			return nil, 0, 0, ErrTruncated
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(b[1:]))), 10), EncodingInt32, 5, nil
	case EncLZF:
		pos := 1
		clen, sp1, s1, err := ParseLength(b[pos:])
		if err != nil {
			return nil, 0, 0, err
		}
		pos += s1
		ulen, sp2, s2, err := ParseLength(b[pos:])
		if err != nil {
			return nil, 0, 0, err
		}
		pos += s2
		if sp1 || sp2 {
			return nil, 0, 0, fmt.Errorf("%w: bad LZF length", ErrCorrupt)
		}
		if clen > uint64(len(b)-pos) {
			return nil, 0, 0, ErrTruncated
		}
		if !lzfLengthsOK(clen, ulen) || ulen > 1<<40 {
			return nil, 0, 0, fmt.Errorf("%w: %v: %d bytes cannot expand to %d", ErrCorrupt, errLZF, clen, ulen)
		}
		end := pos + int(clen)
		out, err := LZFDecompress(b[pos:end], int(ulen))
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return out, EncodingLZF, end, nil
	}
	return nil, 0, 0, fmt.Errorf("%w: Unknown RDB string encoding type %d", ErrCorrupt, n)
}

// AppendString appends s as an RDB string exactly as Redis's
// rdbSaveRawString writes it: short canonical integers in the smallest
// integer encoding; otherwise, when compress is true and s is longer than 20
// bytes, LZF when that saves at least four bytes; otherwise the raw bytes.
func AppendString(buf []byte, s []byte, compress bool) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok {
			switch {
			case v >= -1<<7 && v < 1<<7:
				return append(buf, 0xC0, byte(int8(v)))
			case v >= -1<<15 && v < 1<<15:
				buf = append(buf, 0xC1)
				return binary.LittleEndian.AppendUint16(buf, uint16(int16(v)))
			case v >= -1<<31 && v < 1<<31:
				buf = append(buf, 0xC2)
				return binary.LittleEndian.AppendUint32(buf, uint32(int32(v)))
			}
		}
	}
	if compress && len(s) > 20 {
		if c := LZFCompress(s, len(s)-4); c != nil {
			buf = append(buf, 0xC3)
			buf = AppendLength(buf, uint64(len(c)))
			buf = AppendLength(buf, uint64(len(s)))
			return append(buf, c...)
		}
	}
	buf = AppendLength(buf, uint64(len(s)))
	return append(buf, s...)
}

// canonicalInt reports whether s is the canonical decimal text of an int64
// (no sign other than a leading '-', no leading zeros, no "-0").
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	// Cheap rejection first: only an optional '-' and digits.
	for i, c := range s {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return 0, false
	}
	if strconv.FormatInt(v, 10) != string(s) {
		return 0, false
	}
	return v, true
}
