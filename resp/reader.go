package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrProtocol is wrapped by every malformed-input error of Reader.
var ErrProtocol = errors.New("resp: protocol error")

// MaxBulkLen is the largest bulk string Reader accepts (Redis's default
// proto-max-bulk-len, 512 MB).
const MaxBulkLen = 512 << 20

// MaxDepth bounds the nesting of aggregates Reader accepts.
const MaxDepth = 1000

// Reader decodes RESP values from a stream.
type Reader struct {
	br  *bufio.Reader
	raw []byte // when non-nil, every byte read is appended here
	rec bool
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// ReadValue reads one value.
func (r *Reader) ReadValue() (Value, error) {
	return r.read(0)
}

// ReadRaw reads one value and returns it along with the exact bytes it
// occupied on the wire.
func (r *Reader) ReadRaw() (Value, []byte, error) {
	r.rec, r.raw = true, r.raw[:0]
	v, err := r.read(0)
	r.rec = false
	raw := append([]byte(nil), r.raw...)
	return v, raw, err
}

func (r *Reader) line() ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("%w: line too long", ErrProtocol)
		}
		if err == io.EOF && len(l) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if r.rec {
		r.raw = append(r.raw, l...)
	}
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return nil, fmt.Errorf("%w: line not terminated by CRLF", ErrProtocol)
	}
	return l[:len(l)-2], nil
}

func (r *Reader) full(n int) ([]byte, error) {
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(r.br, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if r.rec {
		r.raw = append(r.raw, buf...)
	}
	if buf[n] != '\r' || buf[n+1] != '\n' {
		return nil, fmt.Errorf("%w: bulk not terminated by CRLF", ErrProtocol)
	}
	return buf[:n], nil
}

func (r *Reader) read(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, fmt.Errorf("%w: nesting deeper than %d", ErrProtocol, MaxDepth)
	}
	l, err := r.line()
	if err != nil {
		return Value{}, err
	}
	if len(l) == 0 {
		return Value{}, fmt.Errorf("%w: empty line", ErrProtocol)
	}
	k, body := Kind(l[0]), string(l[1:])
	switch k {
	case SimpleString, Error, BigNumber:
		return Value{Kind: k, Str: body}, nil
	case Double:
		return Value{Kind: k, Str: body}, nil
	case Integer:
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return Value{}, fmt.Errorf("%w: bad integer %q", ErrProtocol, body)
		}
		return Value{Kind: k, Int: n}, nil
	case Null:
		return Value{Kind: Null}, nil
	case Boolean:
		switch body {
		case "t":
			return Value{Kind: k, Bool: true}, nil
		case "f":
			return Value{Kind: k}, nil
		}
		return Value{}, fmt.Errorf("%w: bad boolean %q", ErrProtocol, body)
	case BulkString, BlobError, Verbatim:
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || n > MaxBulkLen {
			return Value{}, fmt.Errorf("%w: bad bulk length %q", ErrProtocol, body)
		}
		if n == -1 {
			return Value{Kind: Null, Null2: '$'}, nil
		}
		b, err := r.full(n)
		if err != nil {
			return Value{}, err
		}
		if k == Verbatim {
			if len(b) < 4 || b[3] != ':' {
				return Value{}, fmt.Errorf("%w: bad verbatim string", ErrProtocol)
			}
			return Value{Kind: k, Format: string(b[:3]), Str: string(b[4:])}, nil
		}
		return Value{Kind: k, Str: string(b)}, nil
	case Array, Set, Push, Map, Attribute:
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return Value{}, fmt.Errorf("%w: bad aggregate length %q", ErrProtocol, body)
		}
		if n == -1 {
			return Value{Kind: Null, Null2: '*'}, nil
		}
		if k == Map || k == Attribute {
			n *= 2
		}
		v := Value{Kind: k, Elems: make([]Value, 0, min(n, 1024))}
		for i := 0; i < n; i++ {
			e, err := r.read(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Elems = append(v.Elems, e)
		}
		if k == Attribute {
			// an attribute precedes the value it annotates; return that value
			next, err := r.read(depth + 1)
			if err != nil {
				return Value{}, err
			}
			return next, nil
		}
		return v, nil
	}
	return Value{}, fmt.Errorf("%w: unknown type byte %q", ErrProtocol, l[0])
}
