// Package keyspace is the in-memory Redis keyspace that fnkit's server and
// redis.call reach: strings and counters, keys and TTLs, hashes, lists,
// sets, sorted sets, streams, HyperLogLogs, geo, scans, TIME.
//
// It is github.com/alicebob/miniredis/v2 behind a narrow interface: fnkit
// dispatches each command in-process to miniredis's command table through
// a server.Peer whose output is an in-memory buffer (no TCP, no goroutine),
// and gets back the exact RESP2 or RESP3 bytes miniredis wrote. fnkit's
// own server decides before that whether the command exists, its arity,
// whether a script may run it, and answers the server-level commands
// (FUNCTION, FCALL, CLIENT, CONFIG, INFO, …) itself.
//
// Expiry: miniredis keeps TTLs as durations that only shrink when time is
// advanced, and advancing costs a pass over every key. Keyspace advances
// the clock lazily before commands, at most once per tick interval; the
// interval grows with the measured cost of a pass (at least 1 ms, at most
// 20× the cost), so small keyspaces expire keys within a millisecond and
// large ones do not spend their time scanning.
//
// A Keyspace is not safe for concurrent use; the server serialises
// commands.
package keyspace

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// Keyspace is a set of numbered databases.
type Keyspace struct {
	m         *miniredis.Miniredis
	srv       *server.Server
	databases int

	lastTick  time.Time
	tickEvery time.Duration
	now       func() time.Time
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
func (k *Keyspace) Tick() {
	now := k.now()
	elapsed := now.Sub(k.lastTick)
	if elapsed < k.tickEvery {
		return
	}
	start := time.Now()
	k.m.FastForward(elapsed)
	cost := time.Since(start)
	k.lastTick = now
	every := 20 * cost
	if every < time.Millisecond {
		every = time.Millisecond
	}
	if every > time.Second {
		every = time.Second
	}
	k.tickEvery = every
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
func (c *Client) Do(argv []string) []byte {
	c.buf.Reset()
	c.k.srv.Dispatch(c.peer, argv)
	c.w.Flush()
	out := c.buf.Bytes()
	if len(out) > 0 && out[0] == '-' {
		if fixed, ok := fixErrors[string(out)]; ok {
			return []byte(strings.Replace(fixed, "%s", strings.ToLower(argv[0]), 1))
		}
	}
	if strings.EqualFold(argv[0], "select") && len(out) > 0 && out[0] == '+' {
		if n, err := strconv.Atoi(argv[1]); err == nil {
			c.db = n
		}
	}
	return out
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
