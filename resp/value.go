// Package resp reads and writes the Redis serialization protocol, RESP2 and
// RESP3: the wire format of fnkit's server, of the clients its tests use, and
// of the commands an AOF holds.
package resp

import (
	"strconv"
	"strings"
)

// Kind is the type byte of a RESP value.
type Kind byte

// The RESP2 and RESP3 value kinds, by their type byte.
const (
	SimpleString Kind = '+'
	Error        Kind = '-'
	Integer      Kind = ':'
	BulkString   Kind = '$'
	Array        Kind = '*'
	Null         Kind = '_' // RESP3 null; RESP2 null bulk and null array are decoded as Null too, see Value.Null2
	Double       Kind = ','
	Boolean      Kind = '#'
	BigNumber    Kind = '('
	BlobError    Kind = '!'
	Verbatim     Kind = '='
	Map          Kind = '%'
	Set          Kind = '~'
	Attribute    Kind = '|'
	Push         Kind = '>'
)

// Value is one RESP value.
type Value struct {
	Kind Kind
	// Str holds the text of simple strings, errors, bulk strings, big
	// numbers, blob errors and verbatim strings (without the format), and
	// the literal text of doubles.
	Str string
	// Int holds an integer's value.
	Int int64
	// Bool holds a boolean's value.
	Bool bool
	// Format is a verbatim string's three-letter format ("txt", "mkd").
	Format string
	// Elems holds the elements of arrays, sets and pushes, and the keys and
	// values of maps and attributes, alternating.
	Elems []Value
	// Null2 records how a RESP2 null was spelled: '$' for $-1, '*' for *-1.
	// It is 0 for a RESP3 null.
	Null2 byte
}

// Convenience constructors.

// Bulk returns a bulk string.
func Bulk(s string) Value { return Value{Kind: BulkString, Str: s} }

// Status returns a simple string.
func Status(s string) Value { return Value{Kind: SimpleString, Str: s} }

// Err returns an error value; s is the text after the '-'.
func Err(s string) Value { return Value{Kind: Error, Str: s} }

// Int returns an integer.
func Int(n int64) Value { return Value{Kind: Integer, Int: n} }

// Arr returns an array of vs.
func Arr(vs ...Value) Value { return Value{Kind: Array, Elems: vs} }

// NullBulk returns the null bulk string ($-1 in RESP2, _ in RESP3).
func NullBulk() Value { return Value{Kind: Null, Null2: '$'} }

// NullArray returns the null array (*-1 in RESP2, _ in RESP3).
func NullArray() Value { return Value{Kind: Null, Null2: '*'} }

// IsError reports whether v is an error reply.
func (v Value) IsError() bool { return v.Kind == Error || v.Kind == BlobError }

// String renders v roughly as redis-cli does, for messages and tests.
func (v Value) String() string {
	var sb strings.Builder
	v.render(&sb)
	return sb.String()
}

func (v Value) render(sb *strings.Builder) {
	switch v.Kind {
	case SimpleString, BigNumber, Double:
		sb.WriteString(v.Str)
	case Error, BlobError:
		sb.WriteString("(error) " + v.Str)
	case Integer:
		sb.WriteString("(integer) " + strconv.FormatInt(v.Int, 10))
	case BulkString, Verbatim:
		sb.WriteString(strconv.Quote(v.Str))
	case Null:
		sb.WriteString("(nil)")
	case Boolean:
		if v.Bool {
			sb.WriteString("(true)")
		} else {
			sb.WriteString("(false)")
		}
	default:
		open, close := "[", "]"
		if v.Kind == Map || v.Kind == Attribute {
			open, close = "{", "}"
		}
		sb.WriteString(open)
		for i, e := range v.Elems {
			if i > 0 {
				sb.WriteString(" ")
			}
			e.render(sb)
		}
		sb.WriteString(close)
	}
}
