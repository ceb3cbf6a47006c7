package keyspace

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/fnkit/fnkit/resp"
)

// Reading whole values out of the keyspace, for saving it (DEBUG RELOAD,
// SAVE) and for the encodings OBJECT ENCODING reports.

// Value is one key's type, value and expiry.
type Value struct {
	// Type is TYPE's answer: "string", "list", "set", "hash", "zset",
	// "stream", or "hll" for miniredis's own HyperLogLog keys (which have
	// no Redis representation).
	Type string
	// Str is a string's value.
	Str string
	// Elems holds a list's elements in order, or a set's members sorted.
	Elems []string
	// Pairs holds a hash's field, value, field, value, … sorted by field.
	Pairs []string
	// ZSet holds a sorted set's members by score, then member.
	ZSet []ZMember
	// Stream is a stream's entries and consumer groups.
	Stream *Stream
	// ExpireAt is when the key expires (zero: never).
	ExpireAt time.Time
}

// ZMember is a sorted-set member and its score.
type ZMember struct {
	Member string
	Score  float64
}

// Stream is a stream's content.
type Stream struct {
	// Entries are the live entries in ID order; Values holds field,
	// value, … pairs.
	Entries []StreamEntry
	// LastID is the last ID the stream generated ("0-0" if none).
	LastID string
	Groups []StreamGroup
}

// StreamEntry is one stream entry.
type StreamEntry struct {
	ID     string
	Values []string
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name string
	// LastID is the last delivered ID.
	LastID    string
	Pending   []StreamPending
	Consumers []StreamConsumer
}

// StreamPending is a pending (delivered, not acknowledged) entry.
type StreamPending struct {
	ID       string
	Consumer string
	// Delivered is the time of the last delivery.
	Delivered time.Time
	// Count is the number of deliveries.
	Count int64
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name string
	// Seen is when the consumer was last seen (zero when unknown).
	Seen time.Time
}

// Keys returns the keys of db, sorted.
func (k *Keyspace) Keys(db int) []string {
	k.Tick()
	return k.m.DB(db).Keys()
}

// Value returns the value of key in db; ok is false when the key does not
// exist. It does not advance the keyspace's clock (see Tick): a key whose
// TTL passed since the last tick is still there, as a key Redis has not
// expired yet.
func (k *Keyspace) Value(db int, key string) (v Value, ok bool, err error) {
	d := k.m.DB(db)
	v.Type = d.Type(key)
	if v.Type == "" {
		return Value{}, false, nil
	}
	if ttl := d.TTL(key); ttl > 0 {
		v.ExpireAt = k.now().Add(ttl)
	}
	switch v.Type {
	case "string":
		v.Str, err = d.Get(key)
	case "list":
		v.Elems, err = d.List(key)
	case "set":
		v.Elems, err = d.Members(key)
		sort.Strings(v.Elems)
	case "hash":
		var fields []string
		fields, err = d.HKeys(key)
		sort.Strings(fields)
		v.Pairs = make([]string, 0, 2*len(fields))
		for _, f := range fields {
			v.Pairs = append(v.Pairs, f, d.HGet(key, f))
		}
	case "zset":
		var m map[string]float64
		m, err = d.SortedSet(key)
		v.ZSet = make([]ZMember, 0, len(m))
		for member, score := range m {
			v.ZSet = append(v.ZSet, ZMember{member, score})
		}
		sort.Slice(v.ZSet, func(i, j int) bool {
			a, b := v.ZSet[i], v.ZSet[j]
			return a.Score < b.Score || a.Score == b.Score && a.Member < b.Member
		})
	case "stream":
		v.Stream, err = k.stream(db, key)
	}
	if err != nil {
		return Value{}, false, fmt.Errorf("keyspace: db %d key %q: %w", db, key, err)
	}
	return v, true, nil
}

// Len returns the number of elements of a list, set, hash, sorted set or
// stream (0 for other types or a missing key), without copying them.
func (k *Keyspace) Len(db int, key string, typ string) int64 {
	var cmd string
	switch typ {
	case "list":
		cmd = "LLEN"
	case "set":
		cmd = "SCARD"
	case "hash":
		cmd = "HLEN"
	case "zset":
		cmd = "ZCARD"
	case "stream":
		cmd = "XLEN"
	default:
		return 0
	}
	c := k.internalClient(db)
	v, err := parse(c.Do([]string{cmd, key}))
	if err != nil || v.Kind != resp.Integer {
		return 0
	}
	return v.Int
}

// Type returns TYPE's answer for key in db ("" when it does not exist;
// "hll" for a miniredis HyperLogLog), without advancing the clock.
func (k *Keyspace) Type(db int, key string) string {
	return k.m.DB(db).Type(key)
}

// internalClient returns a client for reading values through commands,
// on database db.
func (k *Keyspace) internalClient(db int) *Client {
	c := k.NewClient()
	c.Select(db)
	return c
}

func parse(b []byte) (resp.Value, error) {
	return resp.NewReader(bytes.NewReader(b)).ReadValue()
}

// stream reads a stream's entries through the direct API and its groups
// through XINFO GROUPS, XPENDING and XINFO CONSUMERS.
func (k *Keyspace) stream(db int, key string) (*Stream, error) {
	d := k.m.DB(db)
	entries, err := d.Stream(key)
	if err != nil {
		return nil, err
	}
	s := &Stream{LastID: "0-0"}
	for _, e := range entries {
		s.Entries = append(s.Entries, StreamEntry{ID: e.ID, Values: append([]string(nil), e.Values...)})
	}
	c := k.internalClient(db)
	do := func(argv ...string) (resp.Value, error) {
		v, err := parse(c.Do(argv))
		if err == nil && v.IsError() {
			err = fmt.Errorf("%v: %s", argv, v.Str)
		}
		return v, err
	}
	field := func(v resp.Value, name string) resp.Value {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if v.Elems[i].Str == name {
				return v.Elems[i+1]
			}
		}
		return resp.Value{}
	}
	info, err := do("XINFO", "STREAM", key)
	if err != nil {
		return nil, err
	}
	if id := field(info, "last-generated-id").Str; id != "" {
		s.LastID = id
	}
	groups, err := do("XINFO", "GROUPS", key)
	if err != nil {
		return nil, err
	}
	now := k.now()
	for _, g := range groups.Elems {
		sg := StreamGroup{Name: field(g, "name").Str, LastID: field(g, "last-delivered-id").Str}
		if sg.LastID == "" {
			sg.LastID = "0-0"
		}
		pending, err := do("XPENDING", key, sg.Name, "-", "+", strconv.Itoa(math.MaxInt32))
		if err != nil {
			return nil, err
		}
		owners := map[string]bool{}
		for _, p := range pending.Elems {
			if len(p.Elems) != 4 {
				continue
			}
			sg.Pending = append(sg.Pending, StreamPending{
				ID: p.Elems[0].Str, Consumer: p.Elems[1].Str,
				Delivered: now.Add(-time.Duration(p.Elems[2].Int) * time.Millisecond), Count: p.Elems[3].Int,
			})
			owners[p.Elems[1].Str] = true
		}
		consumers, err := do("XINFO", "CONSUMERS", key, sg.Name)
		if err != nil {
			return nil, err
		}
		for _, cv := range consumers.Elems {
			sc := StreamConsumer{Name: field(cv, "name").Str}
			if idle := field(cv, "idle"); idle.Kind == resp.Integer && idle.Int >= 0 {
				sc.Seen = now.Add(-time.Duration(idle.Int) * time.Millisecond)
			}
			delete(owners, sc.Name)
			sg.Consumers = append(sg.Consumers, sc)
		}
		for name := range owners {
			sg.Consumers = append(sg.Consumers, StreamConsumer{Name: name})
		}
		sort.Slice(sg.Consumers, func(i, j int) bool { return sg.Consumers[i].Name < sg.Consumers[j].Name })
		s.Groups = append(s.Groups, sg)
	}
	sort.Slice(s.Groups, func(i, j int) bool { return s.Groups[i].Name < s.Groups[j].Name })
	return s, nil
}

// TTLStats returns the number of keys of db, how many have a TTL and their
// average remaining TTL (INFO keyspace's keys, expires and avg_ttl).
func (k *Keyspace) TTLStats(db int) (keys, expires int, avgTTL time.Duration) {
	k.Tick()
	d := k.m.DB(db)
	var sum time.Duration
	for _, key := range d.Keys() {
		keys++
		if ttl := d.TTL(key); ttl > 0 {
			expires++
			sum += ttl
		}
	}
	if expires > 0 {
		avgTTL = sum / time.Duration(expires)
	}
	return keys, expires, avgTTL
}
