package rdbfmt

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// AppendBinaryDouble appends v as Redis stores sorted-set scores since RDB
// 8 (ZSET_2) and module doubles: 8 bytes, IEEE 754, little-endian.
func AppendBinaryDouble(buf []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
}

// ParseBinaryDouble decodes an 8-byte little-endian IEEE 754 double at the
// start of b.
func ParseBinaryDouble(b []byte) (float64, error) {
	if len(b) < 8 {
		return 0, ErrTruncated
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// ParseStringDouble decodes a double in the text form of the legacy ZSET
// type (3): one length byte, 253 for NaN, 254 for +inf, 255 for -inf,
// otherwise that many bytes of text (parsed as Redis's "%lg" does). size is
// the number of bytes consumed.
func ParseStringDouble(b []byte) (v float64, size int, err error) {
	if len(b) < 1 {
		return 0, 0, ErrTruncated
	}
	switch l := int(b[0]); l {
	case 253:
		return math.NaN(), 1, nil
	case 254:
		return math.Inf(1), 1, nil
	case 255:
		return math.Inf(-1), 1, nil
	default:
		if len(b) < 1+l {
			return 0, 0, ErrTruncated
		}
		v, err := strconv.ParseFloat(string(b[1:1+l]), 64)
		if err != nil && !isRangeErr(err) {
			return 0, 0, fmt.Errorf("%w: bad double %q", ErrCorrupt, b[1:1+l])
		}
		return v, 1 + l, nil
	}
}

func isRangeErr(err error) bool {
	e, ok := err.(*strconv.NumError)
	return ok && e.Err == strconv.ErrRange
}

// AppendStringDouble appends v in the legacy text form (see
// ParseStringDouble), written as Redis 7.0's rdbSaveDoubleValue writes it:
// integers that a long long holds exactly as integer text, other values
// with "%.17g".
func AppendStringDouble(buf []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(buf, 253)
	case math.IsInf(v, 1):
		return append(buf, 254)
	case math.IsInf(v, -1):
		return append(buf, 255)
	}
	var text []byte
	if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 && !(v == 0 && math.Signbit(v)) {
		text = strconv.AppendInt(nil, int64(v), 10)
	} else {
		text = fmt.Appendf(nil, "%.17g", v)
	}
	buf = append(buf, byte(len(text)))
	return append(buf, text...)
}
