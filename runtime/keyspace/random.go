package keyspace

import (
	"math"
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
)

// maxRandomReply bounds the reply of SRANDMEMBER, ZRANDMEMBER and
// HRANDFIELD with a negative count (elements drawn with repetition, as
// many as asked): beyond it fnkit refuses the command. Redis has no such
// bound and builds a reply of any size (a count of -2^62 grows its output
// buffer until memory runs out); miniredis builds the whole reply as a
// slice first, which at such counts ran out of memory or panicked.
const maxRandomReply = 1 << 23

// randomCountChecks makes the checks of Redis 7.0's srandmemberCommand,
// zrandmemberCommand and hrandfieldCommand on the count (and the
// WITHSCORES / WITHVALUES word) that miniredis does not make, in Redis's
// order, and fnkit's bound on the reply. ok is false with the error reply
// to give; true lets the command table run the command.
func (c *Client) randomCountChecks(up string, argv []string) (bad []byte, ok bool) {
	var with, typ string // the option word, the type of the command's keys
	switch up {
	case "SRANDMEMBER":
		if len(argv) > 3 {
			return nil, true // miniredis's syntax error
		}
		typ = "set"
	case "ZRANDMEMBER":
		with, typ = "WITHSCORES", "zset"
	case "HRANDFIELD":
		with, typ = "WITHVALUES", "hash"
	default:
		return nil, true
	}
	if len(argv) < 3 {
		return nil, true
	}
	l, isInt := sds.ParseLongLong(argv[2])
	switch {
	case !isInt:
		return c.reply(errNotInteger), false
	case l == math.MinInt64:
		return c.reply("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"), false
	}
	pairs := false
	if with != "" && len(argv) > 3 {
		if len(argv) > 4 || !strings.EqualFold(argv[3], with) {
			return c.reply("-ERR syntax error\r\n"), false
		}
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			return c.reply("-ERR value is out of range\r\n"), false
		}
		pairs = true
	}
	if l >= -maxRandomReply {
		return nil, true
	}
	// a reply of -l elements (pairs: twice as many): refused if the key
	// holds a value of the command's type (a missing key's reply is empty,
	// a wrong type's WRONGTYPE, as Redis gives them)
	if c.k.m.DB(c.db).Type(argv[1]) != typ {
		return nil, true
	}
	n := strconv.FormatInt(-l, 10)
	if pairs {
		n += " pairs"
	}
	return c.reply("-ERR fnkit refuses a reply of " + n + " random elements (" + up + " with a count below -" + strconv.Itoa(maxRandomReply) + "; Redis builds it until memory runs out)\r\n"), false
}
