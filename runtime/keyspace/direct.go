package keyspace

import (
	"errors"
	"math"
	"strconv"

	"github.com/alicebob/miniredis/v2"

	"github.com/fnkit/fnkit/internal/sds"
)

// direct runs the commonest string commands (GET key, SET key value,
// INCR, DECR, INCRBY and DECRBY) through miniredis's Go API instead of its
// command table, and writes their replies itself. The data operations are
// the ones the command table's handlers make (the same miniredis
// functions, so the keyspace ends in the same state and the replies carry
// the same words); what is skipped is the table's per-command cost:
// upper-casing the name again, four mutex operations, a closure and an
// fmt.Fprintf per reply element, and a flush. That cost was most of a
// redis.call's. The INCR family also makes the checks miniredis's handlers
// make differently from Redis (see incrBy).
//
// ok is false when the command is not one of these, or is one in a case
// the API does not cover (SET over a key of another type, which the API
// refuses and the command replaces): the caller dispatches it as usual.
func (c *Client) direct(up string, argv []string) (out []byte, ok bool) {
	switch {
	case up == "GET" && len(argv) == 2:
		v, err := c.k.m.DB(c.db).Get(argv[1])
		switch {
		case err == nil:
			return c.bulk(v), true
		case errors.Is(err, miniredis.ErrKeyNotFound):
			return c.null(), true
		}
		return c.errorReply(err), true
	case up == "SET" && len(argv) == 3:
		if err := c.k.m.DB(c.db).Set(argv[1], argv[2]); err != nil {
			return nil, false
		}
		return c.reply("+OK\r\n"), true
	case (up == "INCR" || up == "DECR") && len(argv) == 2,
		(up == "INCRBY" || up == "DECRBY") && len(argv) == 3:
		return c.incrBy(up, argv), true
	}
	return nil, false
}

// incrBy is Redis's incrDecrCommand for INCR, DECR, INCRBY and DECRBY,
// with miniredis's Incr making the change (which keeps the key's TTL):
// the increment and the value are read as Redis reads integers (see
// incrChecks), and DECRBY of the smallest int64 is Redis's "decrement
// would overflow" (miniredis negates it).
func (c *Client) incrBy(up string, argv []string) []byte {
	by := int64(1)
	switch up {
	case "DECR":
		by = -1
	case "INCRBY", "DECRBY":
		var ok bool
		if by, ok = sds.ParseLongLong(argv[2]); !ok {
			return c.reply(errNotInteger)
		}
		if up == "DECRBY" {
			if by == math.MinInt64 {
				return c.reply("-ERR decrement would overflow\r\n")
			}
			by = -by
		}
	}
	db := c.k.m.DB(c.db)
	if bad, ok := c.incrChecks(db, argv[1]); !ok {
		return bad
	}
	n, err := db.Incr(argv[1], int(by))
	if err != nil {
		return c.errorReply(err)
	}
	return c.integer(int64(n))
}

// incrChecks makes the checks of Redis's incrDecrCommand that miniredis's
// INCR family does not make as Redis does: the value must be an integer
// as Redis reads one (miniredis's strconv.Atoi also takes "+1", "01" and
// "-0"), and a HyperLogLog is not an integer (numberTypeError).
// ok is false with the error reply to give.
func (c *Client) incrChecks(db *miniredis.RedisDB, key string) (bad []byte, ok bool) {
	v, err := db.Get(key)
	switch {
	case err == nil:
		if _, isInt := sds.ParseLongLong(v); !isInt {
			return c.reply(errNotInteger), false
		}
	case errors.Is(err, miniredis.ErrWrongType):
		return c.numberTypeError(key, errNotInteger), false
	}
	return nil, true
}

// bulk returns v as a RESP bulk string, in the client's buffer.
func (c *Client) bulk(v string) []byte {
	c.buf.Grow(len(v) + 32)
	b := append(c.buf.AvailableBuffer(), '$')
	b = strconv.AppendInt(b, int64(len(v)), 10)
	b = append(b, '\r', '\n')
	b = append(b, v...)
	return append(b, '\r', '\n')
}

// null returns the null reply of the client's protocol.
func (c *Client) null() []byte {
	if c.resp3 {
		return c.reply("_\r\n")
	}
	return c.reply("$-1\r\n")
}

// errorReply returns err (one of miniredis's errors, which carry Redis's
// words) as a RESP error.
func (c *Client) errorReply(err error) []byte {
	b := append(c.buf.AvailableBuffer(), '-')
	b = append(b, err.Error()...)
	return append(b, '\r', '\n')
}
