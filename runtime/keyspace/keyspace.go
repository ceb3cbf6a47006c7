// Package keyspace is the in-memory Redis keyspace that fnkit's server and
// redis.call reach: strings and counters, keys and TTLs, hashes, lists,
// sets, sorted sets, streams, HyperLogLogs, geo, scans, TIME.
//
// It is github.com/alicebob/miniredis/v2 behind a narrow interface: fnkit
// dispatches each command in-process to miniredis's command table through
// a server.Peer whose output is an in-memory buffer (no TCP, no goroutine),
// and gets back the exact RESP2 or RESP3 bytes miniredis wrote. The
// commonest string commands (GET, SET key value, the INCR family) take a
// shorter way through miniredis's Go API (direct.go). fnkit's own server
// decides before that whether the command exists, its arity, whether a
// script may run it, and answers the server-level commands (FUNCTION,
// FCALL, CLIENT, CONFIG, INFO, …) itself.
//
// Time: the server sets the keyspace's clock (SetClock) to the time it
// read for each command, which is what miniredis's time-dependent commands
// and its key access times use.
//
// Expiry: miniredis keeps TTLs as durations that only shrink when time is
// advanced, and advancing costs a pass over every key. Keyspace advances
// the clock lazily before commands, at most once per tick interval; the
// interval grows with the measured cost of a pass (20× the cost, at least
// 1 ms, at most 20 ms), so small keyspaces expire keys within a millisecond.
// A pass sorts every key: past a few tens of thousands of keys it costs more
// than a millisecond and ticks take a growing share of the time (most of it
// at 100000 keys). Until a command that can give a key a TTL has run (see
// canSetTTL) nothing can expire and ticks skip the pass.
//
// A Keyspace is not safe for concurrent use; the server serialises
// commands.
package keyspace

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// maxTickEvery bounds how late a key may expire (and how much longer a TTL
// may read) on a large keyspace.
const maxTickEvery = 20 * time.Millisecond

// Keyspace is a set of numbered databases.
type Keyspace struct {
	m         *miniredis.Miniredis
	srv       *server.Server
	databases int

	lastTick  time.Time
	tickEvery time.Duration
	tickCost  time.Duration
	now       func() time.Time
	suspended bool // SuspendExpiry is in force
	// mayExpire is set by the first command that can give a key a TTL;
	// until then a tick has nothing to do and skips miniredis's pass
	// (which sorts every key of every database)
	mayExpire bool
	// upperNames maps command names not in upper case, as clients and
	// scripts wrote them, to upper case (see upper)
	upperNames map[string]string
	strEnc     stringEncodings // the encodings of strings written in place (strings.go)
}

// New returns an empty keyspace with the given number of databases (16
// when zero).
func New(databases int) (*Keyspace, error) {
	if databases <= 0 {
		databases = 16
	}
	m := miniredis.NewMiniRedis()
	// Dial starts miniredis without a listener; the pipe is not used.
	conn, err := m.Dial()
	if err != nil {
		return nil, err
	}
	conn.Close()
	k := &Keyspace{m: m, srv: m.Server(), databases: databases, tickEvery: time.Millisecond, now: time.Now}
	k.lastTick = k.now()
	return k, nil
}

// Close releases the keyspace.
func (k *Keyspace) Close() { k.m.Close() }

// Databases returns the number of databases.
func (k *Keyspace) Databases() int { return k.databases }

// Implements reports whether the keyspace implements the command (any
// case).
func (k *Keyspace) Implements(name string) bool { return k.srv.IsRegisteredCommand(name) }

// Tick advances TTLs by the wall-clock time elapsed since the last tick,
// when at least one tick interval has passed. The server calls it once
// per command it runs (a function's redis.call commands see the time of
// the FCALL, as keys' expiry does in Redis scripts); the keyspace's own
// accessors call it too.
func (k *Keyspace) Tick() { k.TickAt(k.now()) }

// TickAt is Tick for a caller that has just read the clock (now).
func (k *Keyspace) TickAt(now time.Time) {
	if k.suspended {
		return
	}
	if !k.mayExpire {
		k.lastTick = now
		return
	}
	elapsed := now.Sub(k.lastTick)
	if elapsed < k.tickEvery {
		return
	}
	start := time.Now()
	k.m.FastForward(elapsed)
	cost := time.Since(start)
	k.lastTick = now
	// smooth the cost (a GC pause or preemption must not stretch the
	// interval), and keep expiry within 20 ms of the clock
	k.tickCost = (3*k.tickCost + cost) / 4
	every := 20 * k.tickCost
	if every < time.Millisecond {
		every = time.Millisecond
	}
	if every > maxTickEvery {
		every = maxTickEvery
	}
	k.tickEvery = every
}

// SetClock makes now the keyspace's time for the commands that follow:
// what TIME answers, what stream IDs, idle times and key access times are
// made of. The server calls it with the time it read for each command it
// runs (a function's redis.call commands included), so miniredis does not
// read the clock again for every key it touches. Until the first call, and
// while expiry is suspended, the keyspace keeps its own clock.
func (k *Keyspace) SetClock(now time.Time) {
	if k.suspended {
		return
	}
	k.m.SetTime(now)
}

// ReadsClock reports whether a command (its name in lower case, as the
// command table spells it, and its argument count with the name) reads the
// keyspace's clock for more than the access times of the keys it touches.
// GET, SET key value and the INCR family do not: the server need not set
// the clock before them inside a function, where their keys' access times
// may then lag by the time the function has run (Redis's own LRU clock
// has a resolution of a second or so).
func ReadsClock(name string, nargs int) bool {
	switch name {
	case "get", "incr", "decr":
		return nargs != 2
	case "set", "incrby", "decrby":
		return nargs != 3
	}
	return true
}

// suspendEpoch is the keyspace's clock while expiry is suspended: before
// every absolute expiry time a dump can hold.
var suspendEpoch = time.Unix(0, 0)

// SuspendExpiry stops expiry, as Redis does while it loads a dump (no key
// expires during loading, so a key whose PEXPIREAT has passed still exists
// for the commands that follow it in an AOF, which may extend its TTL).
// Until resume is called the keyspace's clock stands at the Unix epoch and
// TTLs are measured from there; resume restarts the clock, and the keys
// whose expiry time has passed then expire. Calls do not nest.
func (k *Keyspace) SuspendExpiry() (resume func()) {
	k.Tick()
	now := k.now()
	k.m.FastForward(-now.Sub(suspendEpoch)) // TTLs grow by the distance to the epoch
	k.m.SetTime(suspendEpoch)
	k.suspended = true
	clock := k.now
	k.now = func() time.Time { return suspendEpoch }
	return func() {
		k.suspended = false
		k.now = clock
		k.m.SetTime(time.Time{})
		now := k.now()
		k.m.FastForward(now.Sub(suspendEpoch))
		k.lastTick = now
	}
}

// Client is one connection's view: its selected database and protocol.
type Client struct {
	k     *Keyspace
	peer  *server.Peer
	buf   bytes.Buffer
	w     *bufio.Writer
	db    int
	resp3 bool
}

// NewClient returns a client on database 0 speaking RESP2.
func (k *Keyspace) NewClient() *Client {
	c := &Client{k: k}
	c.w = bufio.NewWriterSize(&c.buf, 4096)
	c.peer = server.NewPeer(c.w)
	return c
}

// DB returns the selected database.
func (c *Client) DB() int { return c.db }

// SetProtocol selects RESP3 (true) or RESP2 replies.
func (c *Client) SetProtocol(resp3 bool) {
	c.resp3 = resp3
	c.peer.Resp3 = resp3
}

// Select makes db the client's database. The caller checks the range.
func (c *Client) Select(db int) {
	if db == c.db {
		return
	}
	c.Do([]string{"SELECT", strconv.Itoa(db)})
	c.db = db
}

// Do runs one command and returns its reply's bytes, valid until the next
// call. The caller has checked that the command exists and its arity.
func (c *Client) Do(argv []string) (reply []byte) {
	c.buf.Reset()
	// miniredis upper-cases the name of every command it runs (a new
	// string unless it is upper case already); give it one it keeps
	name, up := argv[0], c.k.upper(argv[0])
	defer func() {
		if r := recover(); r != nil {
			argv[0] = name
			reply = c.recovered(name, r)
		}
	}()
	if !c.k.mayExpire && canSetTTL(up, len(argv)) {
		c.k.mayExpire = true
	}
	if out, ok := c.direct(up, argv); ok {
		return out
	}
	if out, ok := c.stringCommand(up, argv); ok {
		return out
	}
	if out, ok := c.randomCountChecks(up, argv); !ok {
		return out
	}
	argv[0] = up
	c.k.srv.Dispatch(c.peer, argv)
	argv[0] = name
	c.w.Flush()
	out := c.buf.Bytes()
	if c.resp3 && len(out) > 0 && out[0] == '*' && pairedInRESP3(up, argv) {
		if p, ok := pairUp(out); ok {
			return p
		}
	}
	if len(out) > 0 && out[0] == '-' {
		if fixed, ok := fixErrors[string(out)]; ok {
			return []byte(strings.Replace(fixed, "%s", strings.ToLower(argv[0]), 1))
		}
	}
	if up == "TYPE" && string(out) == "+hll\r\n" {
		return []byte("+string\r\n") // a HyperLogLog is a string in Redis
	}
	if up == "SELECT" && len(out) > 0 && out[0] == '+' {
		if n, err := strconv.Atoi(argv[1]); err == nil {
			c.db = n
		}
	}
	return out
}

// recovered is the reply to a command during which miniredis panicked (a
// bug of its, on input it does not expect): an error naming the command,
// where the panic would otherwise end the whole server, for whichever
// client or function sent it. miniredis's handlers take its lock without
// a deferred unlock, so the lock is released here; a partial reply is
// dropped. The command may have changed part of the keyspace before it
// failed.
func (c *Client) recovered(name string, r any) []byte {
	c.k.m.TryLock()
	c.k.m.Unlock()
	c.w.Reset(&c.buf)
	c.buf.Reset()
	msg := strings.NewReplacer("\r", " ", "\n", " ").Replace(fmt.Sprint(r))
	return []byte("-ERR fnkit: the keyspace failed running '" + strings.ToLower(name) + "': " + msg + "\r\n")
}

// maxUpperNames bounds Keyspace.upperNames (clients choose the case of
// the names they send).
const maxUpperNames = 256

// upper returns name in upper case, without allocating for the names the
// keyspace has seen (in the case they were written).
func (k *Keyspace) upper(name string) string {
	if up, ok := k.upperNames[name]; ok {
		return up
	}
	up := strings.ToUpper(name)
	if up == name || len(k.upperNames) >= maxUpperNames || len(name) > 32 {
		return up
	}
	if k.upperNames == nil {
		k.upperNames = map[string]string{}
	}
	k.upperNames[strings.Clone(name)] = up
	return up
}

// canSetTTL reports whether a command (its name in upper case, and its
// argument count with the name) can give a key a TTL (or keep or move one,
// to be safe): the EXPIRE family, SET and GETEX with options, SETEX,
// PSETEX, RESTORE, COPY, RENAME, RENAMENX and MOVE.
func canSetTTL(up string, nargs int) bool {
	switch up {
	case "SET":
		return nargs > 3
	case "GETEX":
		return nargs > 2
	case "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "SETEX", "PSETEX",
		"RESTORE", "COPY", "RENAME", "RENAMENX", "MOVE":
		return true
	}
	return false
}

// fixErrors maps the few error replies where miniredis words an error
// differently from Redis 7.0 to Redis's words (%s: the command, lower
// case).
var fixErrors = map[string]string{
	"-ERR wrong number of arguments for XADD\r\n": "-ERR wrong number of arguments for '%s' command\r\n",
	"-ERR wrong number of arguments for MSET\r\n": "-ERR wrong number of arguments for '%s' command\r\n",
}

// DBSize returns the number of keys in db.
func (k *Keyspace) DBSize(db int) int {
	k.Tick()
	return len(k.m.DB(db).Keys())
}

// FlushAll removes every key of every database.
func (k *Keyspace) FlushAll() { k.m.FlushAll() }

// Stats returns the number of keys of db and how many have a TTL.
func (k *Keyspace) Stats(db int) (keys, expires int) {
	k.Tick()
	d := k.m.DB(db)
	for _, key := range d.Keys() {
		keys++
		if d.TTL(key) > 0 {
			expires++
		}
	}
	return keys, expires
}

// pairedInRESP3 reports whether Redis replies to argv, in RESP3, with an
// array of [member, score] (or [field, value]) pairs where miniredis
// replies with a flat array; up is argv[0] in upper case.
func pairedInRESP3(up string, argv []string) bool {
	has := func(word string) bool {
		for _, a := range argv[1:] {
			if strings.EqualFold(a, word) {
				return true
			}
		}
		return false
	}
	switch up {
	case "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZRANDMEMBER", "ZUNION", "ZINTER", "ZDIFF":
		return has("withscores")
	case "ZPOPMIN", "ZPOPMAX":
		return len(argv) == 3
	case "HRANDFIELD":
		return has("withvalues")
	}
	return false
}

// pairUp rewrites a flat RESP array of 2N simple elements (bulk strings,
// doubles, integers) as an array of N two-element arrays.
func pairUp(b []byte) ([]byte, bool) {
	end := bytes.Index(b, []byte("\r\n"))
	if end < 0 {
		return nil, false
	}
	n, err := strconv.Atoi(string(b[1:end]))
	if err != nil || n < 0 || n%2 != 0 {
		return nil, false
	}
	pos := end + 2
	out := make([]byte, 0, len(b)+4*n)
	out = append(out, '*')
	out = strconv.AppendInt(out, int64(n/2), 10)
	out = append(out, '\r', '\n')
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			out = append(out, "*2\r\n"...)
		}
		if pos >= len(b) {
			return nil, false
		}
		le := bytes.Index(b[pos:], []byte("\r\n"))
		if le < 0 {
			return nil, false
		}
		next := pos + le + 2
		switch b[pos] {
		case '$':
			l, err := strconv.Atoi(string(b[pos+1 : pos+le]))
			if err != nil {
				return nil, false
			}
			if l >= 0 {
				next += l + 2
			}
		case ',', ':', '+':
		default:
			return nil, false
		}
		if next > len(b) {
			return nil, false
		}
		out = append(out, b[pos:next]...)
		pos = next
	}
	if pos != len(b) {
		return nil, false
	}
	return out, true
}
