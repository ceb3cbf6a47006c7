package resp

import (
	"strconv"
)

// Append appends v's encoding to buf. resp3 selects the protocol: in RESP2,
// maps and attributes are flattened to arrays, sets and pushes become arrays,
// nulls become $-1 (or *-1 when Null2 is '*'), booleans become integers,
// doubles and big numbers become bulk strings and verbatim strings plain
// bulk strings.
func Append(buf []byte, v Value, resp3 bool) []byte {
	switch v.Kind {
	case SimpleString, Error:
		buf = append(buf, byte(v.Kind))
		buf = append(buf, v.Str...)
		return append(buf, '\r', '\n')
	case Integer:
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, v.Int, 10)
		return append(buf, '\r', '\n')
	case BulkString:
		return AppendBulk(buf, v.Str)
	case Null:
		if resp3 {
			return append(buf, "_\r\n"...)
		}
		if v.Null2 == '*' {
			return append(buf, "*-1\r\n"...)
		}
		return append(buf, "$-1\r\n"...)
	case Boolean:
		if resp3 {
			if v.Bool {
				return append(buf, "#t\r\n"...)
			}
			return append(buf, "#f\r\n"...)
		}
		if v.Bool {
			return append(buf, ":1\r\n"...)
		}
		return append(buf, ":0\r\n"...)
	case Double, BigNumber:
		if resp3 {
			buf = append(buf, byte(v.Kind))
			buf = append(buf, v.Str...)
			return append(buf, '\r', '\n')
		}
		return AppendBulk(buf, v.Str)
	case BlobError:
		if resp3 {
			buf = append(buf, '!')
			buf = strconv.AppendInt(buf, int64(len(v.Str)), 10)
			buf = append(buf, '\r', '\n')
			buf = append(buf, v.Str...)
			return append(buf, '\r', '\n')
		}
		buf = append(buf, '-')
		buf = append(buf, v.Str...)
		return append(buf, '\r', '\n')
	case Verbatim:
		if resp3 {
			buf = append(buf, '=')
			buf = strconv.AppendInt(buf, int64(len(v.Str)+4), 10)
			buf = append(buf, '\r', '\n')
			buf = append(buf, v.Format...)
			buf = append(buf, ':')
			buf = append(buf, v.Str...)
			return append(buf, '\r', '\n')
		}
		return AppendBulk(buf, v.Str)
	case Map, Attribute:
		if resp3 {
			buf = append(buf, byte(v.Kind))
			buf = strconv.AppendInt(buf, int64(len(v.Elems)/2), 10)
		} else {
			buf = append(buf, '*')
			buf = strconv.AppendInt(buf, int64(len(v.Elems)), 10)
		}
		buf = append(buf, '\r', '\n')
	case Set, Push:
		if resp3 {
			buf = append(buf, byte(v.Kind))
		} else {
			buf = append(buf, '*')
		}
		buf = strconv.AppendInt(buf, int64(len(v.Elems)), 10)
		buf = append(buf, '\r', '\n')
	default: // Array
		buf = append(buf, '*')
		buf = strconv.AppendInt(buf, int64(len(v.Elems)), 10)
		buf = append(buf, '\r', '\n')
	}
	for _, e := range v.Elems {
		buf = Append(buf, e, resp3)
	}
	return buf
}

// AppendBulk appends s as a bulk string.
func AppendBulk(buf []byte, s string) []byte {
	buf = append(buf, '$')
	buf = strconv.AppendInt(buf, int64(len(s)), 10)
	buf = append(buf, '\r', '\n')
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

// AppendCommand appends args as a RESP multibulk request, the form clients
// send and AOF files store.
func AppendCommand(buf []byte, args ...string) []byte {
	buf = append(buf, '*')
	buf = strconv.AppendInt(buf, int64(len(args)), 10)
	buf = append(buf, '\r', '\n')
	for _, a := range args {
		buf = AppendBulk(buf, a)
	}
	return buf
}
