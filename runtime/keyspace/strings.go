package keyspace

import (
	"hash/maphash"
	"math/big"
	"strconv"
	"unsafe"

	"github.com/fnkit/fnkit/internal/sds"
)

// String commands whose miniredis handlers answer differently from Redis
// 7.0's t_string.c and bitops.c. Client.Do runs them here (after the
// direct path of direct.go) instead of in miniredis's command table:
//
//   - SETRANGE: miniredis creates an empty key for SETRANGE of "" on a
//     missing key and pads an existing string when the value is empty
//     (Redis does neither and returns the length); it has no size limit
//     (Redis refuses a string past proto-max-bulk-len, 512 MB); it reads
//     the offset with strconv.Atoi, which takes "+1" and "01".
//   - SETBIT and GETBIT: miniredis takes any offset (Redis refuses offsets
//     whose byte is past proto-max-bulk-len) and reads offset and bit with
//     strconv.Atoi.
//   - GETRANGE: miniredis reads start and end with strconv.Atoi and
//     clamps a range with its own rules; here it is getrangeCommand.
//   - APPEND: no size limit in miniredis.
//   - INCRBYFLOAT: miniredis computes with 128-bit big.Float and formats
//     its own way, so it answers "-0.00000000000000001" where Redis
//     answers "0", accepts "+inf" as an increment and gives inf, and
//     checks the increment before the key's type. Redis computes in the C
//     long double of x86-64 (64-bit mantissa, 15-bit exponent), reads
//     numbers with strtold and writes them with "%.17Lf" less trailing
//     zeros; incrByFloat does the same with math/big at 64 bits (one
//     known difference: glibc refuses a hexadecimal number just above half
//     the smallest subnormal, which rounds to that subnormal; fnkit takes
//     it).
//
// With huge offsets (9223372036854775807) miniredis's SETRANGE and SETBIT
// panicked (a slice past the int range); the checks here come first.
//
// These commands also record the encodings Redis gives the strings they
// write (see StringEncoding), which do not follow from the value.
//
// The size limit is proto-max-bulk-len's default, 512 MB: the keyspace
// does not see CONFIG SET proto-max-bulk-len.

// maxStringLen is proto-max-bulk-len's default, the longest string
// SETRANGE, APPEND and SETBIT may make.
const maxStringLen = 512 << 20

// Redis's error replies for these commands.
const (
	errNotInteger    = "-ERR value is not an integer or out of range\r\n"
	errWrongType     = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	errOffset        = "-ERR offset is out of range\r\n"
	errBitOffset     = "-ERR bit offset is not an integer or out of range\r\n"
	errBit           = "-ERR bit is not an integer or out of range\r\n"
	errTooLong       = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
	errNotFloat      = "-ERR value is not a valid float\r\n"
	errNaNOrInfinity = "-ERR increment would produce NaN or Infinity\r\n"
)

// stringCommand runs SETRANGE, SETBIT, GETBIT, GETRANGE, APPEND and
// INCRBYFLOAT as Redis does (see above). ok is false for other commands
// and arities. up is argv[0] in upper case; the caller has checked the
// arity, but not every caller checks it (ok is false then).
func (c *Client) stringCommand(up string, argv []string) (out []byte, ok bool) {
	switch {
	case up == "SETRANGE" && len(argv) == 4:
		return c.setRange(argv), true
	case up == "SETBIT" && len(argv) == 4:
		return c.setBit(argv), true
	case up == "GETBIT" && len(argv) == 3:
		return c.getBit(argv), true
	case up == "GETRANGE" && len(argv) == 4:
		return c.getRange(argv), true
	case up == "APPEND" && len(argv) == 3:
		return c.appendString(argv), true
	case up == "INCRBYFLOAT" && len(argv) == 3:
		return c.incrByFloat(argv), true
	case c.k.strEnc.marks != nil && len(argv) >= 3 &&
		(up == "RENAME" || up == "RENAMENX" || up == "MOVE" || up == "COPY"):
		return c.moveEncoding(up, argv)
	}
	return nil, false
}

// moveEncoding runs RENAME, RENAMENX, MOVE and COPY of a key whose
// encoding is recorded (see StringEncoding), and records it for the key
// they write: Redis moves the object itself, or copies a string with its
// encoding (dupStringObject). ok is false, and nothing is run, when the
// source key has no record.
func (c *Client) moveEncoding(up string, argv []string) (out []byte, ok bool) {
	enc, ok := c.k.StringEncoding(c.db, argv[1])
	if !ok {
		return nil, false
	}
	db, key := c.db, argv[2]
	switch up {
	case "MOVE":
		n, ok := sds.ParseLongLong(argv[2])
		if !ok {
			return nil, false
		}
		db, key = int(n), argv[1]
	case "COPY":
		for i := 3; i+1 < len(argv); i++ {
			if lower(argv[i]) == "db" {
				n, ok := sds.ParseLongLong(argv[i+1])
				if !ok {
					return nil, false
				}
				db = int(n)
			}
		}
	}
	if db < 0 || db >= c.k.databases {
		return nil, false
	}
	out = c.dispatch(up, argv)
	if string(out) == "+OK\r\n" || string(out) == ":1\r\n" {
		c.k.markEncoding(db, key, enc)
	}
	return out, true
}

// dispatch runs argv (argv[0] is up) in miniredis's command table and
// returns its reply.
func (c *Client) dispatch(up string, argv []string) []byte {
	name := argv[0]
	argv[0] = up
	c.k.srv.Dispatch(c.peer, argv)
	argv[0] = name
	c.w.Flush()
	return c.buf.Bytes()
}

// reply returns s, a whole RESP reply, in the client's buffer.
func (c *Client) reply(s string) []byte { return append(c.buf.AvailableBuffer(), s...) }

// integer returns n as a RESP integer.
func (c *Client) integer(n int64) []byte {
	b := append(c.buf.AvailableBuffer(), ':')
	b = strconv.AppendInt(b, n, 10)
	return append(b, '\r', '\n')
}

// stringValue reads key as a string: its value and whether it exists;
// wrongType when it holds another type (a HyperLogLog included, which
// the keyspace keeps as its own type).
func (c *Client) stringValue(key string) (v string, exists, wrongType bool) {
	db := c.k.m.DB(c.db)
	switch db.Type(key) {
	case "":
		return "", false, false
	case "string":
		v, err := db.Get(key)
		return v, err == nil, err != nil
	}
	return "", true, true
}

// numberTypeError is the reply of a command that reads key as a number
// when key holds another type: notNumber (the command's "not an integer"
// or "not a valid float") for a HyperLogLog, a string in Redis whose bytes
// are never a number, and WRONGTYPE otherwise.
func (c *Client) numberTypeError(key, notNumber string) []byte {
	if c.k.m.DB(c.db).Type(key) == "hll" {
		return c.reply(notNumber)
	}
	return c.reply(errWrongType)
}

// tooLong is checkStringLength: whether a string of size+add bytes
// passes the limit (or overflows).
func tooLong(size, add int64) bool {
	total := int64(uint64(size) + uint64(add))
	return total > maxStringLen || total < size || total < add
}

// setRange is setrangeCommand.
func (c *Client) setRange(argv []string) []byte {
	offset, ok := sds.ParseLongLong(argv[2])
	if !ok {
		return c.reply(errNotInteger)
	}
	if offset < 0 {
		return c.reply(errOffset)
	}
	value := argv[3]
	old, exists, wrongType := c.stringValue(argv[1])
	switch {
	case wrongType:
		return c.reply(errWrongType)
	case len(value) == 0 && !exists:
		return c.reply(":0\r\n")
	case len(value) == 0:
		return c.integer(int64(len(old)))
	case tooLong(offset, int64(len(value))):
		return c.reply(errTooLong)
	}
	out := c.dispatch("SETRANGE", argv)
	if len(out) > 0 && out[0] == ':' {
		c.k.markEncoding(c.db, argv[1], "raw")
	}
	return out
}

// bitOffset is getBitOffsetFromArgument without the "#" form: a bit
// offset whose byte is within the size limit.
func bitOffset(s string) (int64, bool) {
	n, ok := sds.ParseLongLong(s)
	if !ok || n < 0 || n>>3 >= maxStringLen {
		return 0, false
	}
	return n, true
}

// setBit is setbitCommand.
func (c *Client) setBit(argv []string) []byte {
	if _, ok := bitOffset(argv[2]); !ok {
		return c.reply(errBitOffset)
	}
	if on, ok := sds.ParseLongLong(argv[3]); !ok || on&^1 != 0 {
		return c.reply(errBit)
	}
	if _, _, wrongType := c.stringValue(argv[1]); wrongType {
		return c.reply(errWrongType)
	}
	out := c.dispatch("SETBIT", argv)
	if len(out) > 0 && out[0] == ':' {
		c.k.markEncoding(c.db, argv[1], "raw")
	}
	return out
}

// getBit is getbitCommand.
func (c *Client) getBit(argv []string) []byte {
	offset, ok := bitOffset(argv[2])
	if !ok {
		return c.reply(errBitOffset)
	}
	v, _, wrongType := c.stringValue(argv[1])
	if wrongType {
		return c.reply(errWrongType)
	}
	if i := offset >> 3; i < int64(len(v)) && v[i]&(1<<(7-offset&7)) != 0 {
		return c.reply(":1\r\n")
	}
	return c.reply(":0\r\n")
}

// getRange is getrangeCommand.
func (c *Client) getRange(argv []string) []byte {
	start, ok1 := sds.ParseLongLong(argv[2])
	if !ok1 {
		return c.reply(errNotInteger)
	}
	end, ok2 := sds.ParseLongLong(argv[3])
	if !ok2 {
		return c.reply(errNotInteger)
	}
	v, _, wrongType := c.stringValue(argv[1])
	if wrongType {
		return c.reply(errWrongType)
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return c.reply("$0\r\n\r\n")
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return c.reply("$0\r\n\r\n")
	}
	return c.bulk(v[start : end+1])
}

// appendString is appendCommand.
func (c *Client) appendString(argv []string) []byte {
	old, exists, wrongType := c.stringValue(argv[1])
	switch {
	case wrongType:
		return c.reply(errWrongType)
	case exists && tooLong(int64(len(old)), int64(len(argv[2]))):
		return c.reply(errTooLong)
	}
	out := c.dispatch("APPEND", argv)
	if exists && len(out) > 0 && out[0] == ':' {
		// a new key takes the encoding of its value, as SET's does; an
		// appended one is raw
		c.k.markEncoding(c.db, argv[1], "raw")
	}
	return out
}

// incrByFloat is incrbyfloatCommand: the key's type, then its value and
// the increment read as long doubles, their sum (not NaN nor infinite)
// written back with "%.17Lf" less trailing zeros, keeping the key's TTL.
func (c *Client) incrByFloat(argv []string) []byte {
	key := argv[1]
	old, exists, wrongType := c.stringValue(key)
	if wrongType {
		return c.numberTypeError(key, errNotFloat)
	}
	value := new(big.Float).SetPrec(longDoubleMant)
	valueInf := false
	if exists {
		var ok bool
		if value, valueInf, ok = parseLongDouble(old); !ok {
			return c.reply(errNotFloat)
		}
	}
	incr, incrInf, ok := parseLongDouble(argv[2])
	if !ok {
		return c.reply(errNotFloat)
	}
	if valueInf || incrInf {
		return c.reply(errNaNOrInfinity) // inf, or inf-inf: NaN
	}
	sum := new(big.Float).SetPrec(longDoubleMant).Add(value, incr)
	if sum.MantExp(nil) > longDoubleMaxExp {
		return c.reply(errNaNOrInfinity)
	}
	s := formatLongDouble(sum)
	db := c.k.m.DB(c.db)
	ttl := db.TTL(key)
	if err := db.Set(key, s); err != nil {
		return c.errorReply(err)
	}
	if ttl > 0 {
		db.SetTTL(key, ttl)
	}
	// createStringObject: embedded up to 44 bytes, never an integer
	enc := "embstr"
	if len(s) > 44 {
		enc = "raw"
	}
	c.k.markEncoding(c.db, key, enc)
	return c.bulk(s)
}

// The C long double of x86-64 Linux, where Redis 7.0.15 is measured: the
// x87 80-bit format, a 64-bit mantissa and exponents for normal numbers
// from -16382 to 16383 (math/big's MantExp counts one more: a mantissa in
// [0.5, 1)), subnormal numbers down to 2^-16445.
const (
	longDoubleMant   = 64
	longDoubleMaxExp = 16384
	longDoubleMinExp = -16381 // smallest MantExp of a normal number
	// an exact value at most 2^-16446 (half the smallest subnormal)
	// rounds to zero
	longDoubleZeroExp = -16446
	// MAX_LONG_DOUBLE_CHARS: string2ld reads at most 5 KB - 1
	maxLongDoubleChars = 5 * 1024
)

// parseLongDouble is Redis's string2ld on x86-64: glibc's strtold over
// the whole of s (an optional sign, then a decimal or "0x" hexadecimal
// number with an optional exponent, or "inf"/"infinity"; no spaces),
// refusing NaN, overflow and values that round to zero while not being
// zero. v is the value rounded to a 64-bit mantissa (to nearest, ties to
// even, as strtold); inf is true for an infinity (v is then unset).
func parseLongDouble(s string) (v *big.Float, inf, ok bool) {
	if len(s) == 0 || len(s) >= maxLongDoubleChars {
		return nil, false, false
	}
	neg := false
	p := s
	if p[0] == '+' || p[0] == '-' {
		neg = p[0] == '-'
		p = p[1:]
	}
	if lower(p) == "inf" || lower(p) == "infinity" {
		return nil, true, true
	}
	hex := len(p) > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')
	base, expChar := 10, byte('e')
	if hex {
		p = p[2:]
		base, expChar = 16, 'p'
	}
	// digits [. digits], at least one digit
	var mant []byte
	digits, frac := 0, 0
	i, seenPoint := 0, false
	for ; i < len(p); i++ {
		ch := p[i]
		if ch == '.' && !seenPoint {
			seenPoint = true
			continue
		}
		if digitValue(ch) < 0 || digitValue(ch) >= base {
			break
		}
		digits++
		if seenPoint {
			frac++
		}
		mant = append(mant, ch)
	}
	if digits == 0 {
		return nil, false, false
	}
	// exponent: [eE|pP] [+-] decimal digits (saturating)
	var exp int64
	if i < len(p) {
		if p[i]|0x20 != expChar {
			return nil, false, false
		}
		i++
		expNeg := false
		if i < len(p) && (p[i] == '+' || p[i] == '-') {
			expNeg = p[i] == '-'
			i++
		}
		if i == len(p) {
			return nil, false, false
		}
		for ; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return nil, false, false
			}
			if exp < 1e9 {
				exp = exp*10 + int64(p[i]-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	m, _ := new(big.Int).SetString(string(mant), base)
	v = new(big.Float).SetPrec(longDoubleMant)
	if m.Sign() == 0 {
		if neg {
			v.Neg(v)
		}
		return v, false, true
	}
	exact := new(big.Float).SetInt(m) // exact: its precision is m's length
	if hex {
		// value = m × 2^(exp - 4·frac)
		e2 := exp - 4*int64(frac)
		top := e2 + int64(m.BitLen())
		switch {
		case top > longDoubleMaxExp:
			return nil, false, false
		case top < longDoubleZeroExp-1:
			return nil, false, false
		}
		v.SetMantExp(exact, int(e2))
		if v.MantExp(nil) > longDoubleMaxExp {
			return nil, false, false
		}
		if top <= longDoubleZeroExp+1 {
			// near the bottom: m × 2^e2 ≤ 2^-16446 exactly
			half := new(big.Float).SetMantExp(big.NewFloat(1), longDoubleZeroExp)
			if new(big.Float).SetMantExp(exact, int(e2)).Cmp(half) <= 0 {
				return nil, false, false
			}
		}
	} else {
		// value = m × 10^(exp - frac); its decimal magnitude is about
		// 10^(len(m) + e10)
		e10 := exp - int64(frac)
		lead := 0
		for lead < len(mant) && mant[lead] == '0' {
			lead++
		}
		mag := int64(len(mant)-lead) + e10
		switch {
		case mag > 4934: // past 1.19e4932
			return nil, false, false
		case mag < -4952: // below 1.8e-4951, half the smallest subnormal
			return nil, false, false
		}
		if e10 >= 0 {
			v.SetInt(new(big.Int).Mul(m, pow10(e10)))
		} else {
			v.Quo(exact, new(big.Float).SetInt(pow10(-e10)))
		}
		if v.MantExp(nil) > longDoubleMaxExp {
			return nil, false, false
		}
		if e10 < 0 && v.MantExp(nil) < longDoubleMinExp {
			// m / 10^-e10 ≤ 2^-16446 ⟺ m × 2^16446 ≤ 10^-e10
			lhs := new(big.Int).Lsh(m, -longDoubleZeroExp)
			if lhs.Cmp(pow10(-e10)) <= 0 {
				return nil, false, false
			}
		}
	}
	if neg {
		v.Neg(v)
	}
	return v, false, true
}

// pow10 returns 10^n (n ≥ 0).
func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// digitValue is the value of a decimal or hexadecimal digit, -1 for
// other bytes.
func digitValue(ch byte) int {
	switch {
	case '0' <= ch && ch <= '9':
		return int(ch - '0')
	case 'a' <= ch && ch <= 'f':
		return int(ch-'a') + 10
	case 'A' <= ch && ch <= 'F':
		return int(ch-'A') + 10
	}
	return -1
}

// lower returns s in lower case, ASCII only (s is short when it matters:
// callers compare with "inf" and "infinity").
func lower(s string) string {
	if len(s) > 8 {
		return s
	}
	b := []byte(s)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

// formatLongDouble is ld2string's LD_STR_HUMAN: "%.17Lf" (the exact
// binary value rounded to 17 decimals, ties to even, as glibc's printf),
// trailing zeros and a trailing point removed, "-0" written "0".
func formatLongDouble(v *big.Float) string {
	b := v.Append(nil, 'f', 17)
	l := len(b)
	for b[l-1] == '0' {
		l--
	}
	if b[l-1] == '.' {
		l--
	}
	if l == 2 && b[0] == '-' && b[1] == '0' {
		return "0"
	}
	return string(b[:l])
}

// Encodings.
//
// OBJECT ENCODING of a string in Redis depends on how it was written, not
// only on its value: SET (and anything that stores a new value through
// tryObjectEncoding) makes "int" for an integer, "embstr" up to 44 bytes,
// "raw" beyond; APPEND to an existing key, SETRANGE and SETBIT modify the
// string in place and leave it "raw"; INCRBYFLOAT's result is "embstr" or
// "raw", never "int". The keyspace records the encoding of the strings
// the latter write, with the identity of the value they wrote (address,
// length and a hash of the bytes): any later write stores another string
// in miniredis, and the record no longer applies.

// encodingMark is the encoding Redis gives a string value written by
// APPEND, SETRANGE, SETBIT or INCRBYFLOAT.
type encodingMark struct {
	ptr  uintptr
	n    int
	hash uint64
	enc  string
}

type dbKey struct {
	db  int
	key string
}

// stringEncodings records the marks of a keyspace (see Keyspace).
type stringEncodings struct {
	marks map[dbKey]encodingMark
	// live is the number of marks that applied at the last sweep
	live int
	seed maphash.Seed
}

// markEncoding records enc as the encoding of the string key now holds.
func (k *Keyspace) markEncoding(db int, key string, enc string) {
	v, err := k.m.DB(db).Get(key)
	if err != nil || v == "" {
		return // an empty string has no identity to tell
	}
	s := &k.strEnc
	if s.marks == nil {
		s.marks = map[dbKey]encodingMark{}
		s.seed = maphash.MakeSeed()
	}
	if len(s.marks) > 2*s.live+1024 {
		k.sweepEncodings()
	}
	s.marks[dbKey{db, key}] = encodingMark{ptr: stringAddr(v), n: len(v), hash: maphash.String(s.seed, v), enc: enc}
}

// sweepEncodings drops the marks of keys that no longer hold a string.
// It does not read the values (miniredis's accessors set a key's access
// time, which OBJECT IDLETIME reports): a mark of a string written since
// stays, unused, until its key is deleted or holds another type, so there
// are at most as many marks as string keys, plus the growth allowed
// between sweeps.
func (k *Keyspace) sweepEncodings() {
	s := &k.strEnc
	for dk := range s.marks {
		if dk.db >= k.databases || k.m.DB(dk.db).Type(dk.key) != "string" {
			delete(s.marks, dk)
		}
	}
	s.live = len(s.marks)
}

// StringEncoding returns the encoding Redis 7.0 reports for the string
// key holds in db when it does not follow from the value: "raw" for a
// string modified in place by APPEND, SETRANGE or SETBIT, "embstr" or
// "raw" for the result of INCRBYFLOAT. ok is false for any other key:
// its encoding is "int", "embstr" or "raw" by its value, as SET makes it.
// Like the keyspace's other readers of values, it sets the key's access
// time when there is a record to check.
func (k *Keyspace) StringEncoding(db int, key string) (enc string, ok bool) {
	m, found := k.strEnc.marks[dbKey{db, key}]
	if !found {
		return "", false
	}
	v, err := k.m.DB(db).Get(key)
	if err != nil || stringAddr(v) != m.ptr || len(v) != m.n || maphash.String(k.strEnc.seed, v) != m.hash {
		return "", false
	}
	return m.enc, true
}

// stringAddr is the address of s's bytes.
func stringAddr(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }
