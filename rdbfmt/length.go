package rdbfmt

import (
	"encoding/binary"
	"fmt"
)

// Length encodings (the top two bits of the first byte).
const (
	len6bit  = 0
	len14bit = 1
	len32bit = 0x80
	len64bit = 0x81
	lenEnc   = 3
)

// String encodings that follow a 0b11 length prefix.
const (
	EncInt8  = 0
	EncInt16 = 1
	EncInt32 = 2
	EncLZF   = 3
)

// AppendLength appends n in RDB length encoding, choosing the shortest form
// exactly as Redis's rdbSaveLen does.
func AppendLength(buf []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(buf, byte(n))
	case n < 1<<14:
		return append(buf, byte(n>>8)|0x40, byte(n))
	case n <= 0xFFFFFFFF:
		buf = append(buf, len32bit)
		return binary.BigEndian.AppendUint32(buf, uint32(n))
	default:
		buf = append(buf, len64bit)
		return binary.BigEndian.AppendUint64(buf, n)
	}
}

// ParseLength decodes an RDB length at the start of b. When the first byte
// has its top two bits set, special is true and n is the encoding kind (the
// low six bits): a string follows in that encoding. size is the number of
// bytes consumed. err is ErrTruncated or ErrCorrupt (wrapped).
func ParseLength(b []byte) (n uint64, special bool, size int, err error) {
	if len(b) < 1 {
		return 0, false, 0, ErrTruncated
	}
	switch b[0] >> 6 {
	case len6bit:
		return uint64(b[0] & 0x3f), false, 1, nil
	case len14bit:
		if len(b) < 2 {
			return 0, false, 0, ErrTruncated
		}
		return uint64(b[0]&0x3f)<<8 | uint64(b[1]), false, 2, nil
	case lenEnc:
		return uint64(b[0] & 0x3f), true, 1, nil
	}
	switch b[0] {
	case len32bit:
		if len(b) < 5 {
			return 0, false, 0, ErrTruncated
		}
		return uint64(binary.BigEndian.Uint32(b[1:])), false, 5, nil
	case len64bit:
		if len(b) < 9 {
			return 0, false, 0, ErrTruncated
		}
		return binary.BigEndian.Uint64(b[1:]), false, 9, nil
	}
	return 0, false, 0, fmt.Errorf("%w: unknown length encoding %d", ErrCorrupt, b[0])
}
