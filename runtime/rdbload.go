package runtime

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/hdt3213/rdb/model"
)

// RDBLoadStats says what LoadRDB loaded.
type RDBLoadStats struct {
	// Keys is the number of keys loaded, per database.
	Keys map[int]int
	// Expired counts keys skipped because their TTL had passed (and hashes
	// whose every field's TTL had passed).
	Expired int
	// Functions holds the library code of the RDB's function records (not
	// loaded: pass them to LoadLibraries, e.g. through package source).
	Functions []string
	// Skipped lists what could not be loaded, one line each: module values
	// and auxiliary data, hash field TTLs (Redis 7.4+; the fields are
	// loaded without them), hash fields whose TTL had passed, empty
	// collections (Redis skips them too), keys longer than
	// rdbfmt.MaxKeyLen, pending entries that no consumer owns.
	Skipped []string
}

// LoadRDB adds the keyspace of an RDB file (every database, strings,
// lists, sets, sorted sets, hashes, streams with their consumer groups,
// consumers and pending entries, and TTLs) to the server's keyspace. Any
// RDB version rdbfmt reads (1 to 12, REDIS or VALKEY signature) loads: the
// records are read and the checksum verified by rdbfmt's Reader, and each
// value is decoded by decodeValue (rdbdecode.go: fnkit's own decoder for
// lists of type 18, quicklist 2, and github.com/hdt3213/rdb for the other
// types). What the keyspace cannot hold is listed in Skipped: module
// values, hash field TTLs (the fields are kept without them; a field whose
// TTL has passed is dropped, as a server with field TTLs would expire it).
// Keys already present are replaced. On an error (a *rdbfmt.Error from the
// reader, or a decoding error naming the file, offset, database, key and
// what was expected) the keys read before it stay loaded. name is used in
// errors.
func (s *Server) LoadRDB(r io.Reader, name string) (*RDBLoadStats, error) {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	return s.loadRDB(r, name, true, false)
}

// loadRDB is LoadRDB for a caller holding the execution lock. Without
// replace, a key already present is an error (Redis refuses duplicated
// keys unless DEBUG RELOAD MERGE allows them). A key whose expiry time
// has passed is skipped, as a Redis primary skips it, unless keepExpired
// (an AOF's RDB preamble: Redis loads those keys and expires them later).
func (s *Server) loadRDB(r io.Reader, name string, replace, keepExpired bool) (*RDBLoadStats, error) {
	st := &RDBLoadStats{Keys: map[int]int{}}
	c := s.newClient(nil)
	c.authed = true
	var loadErr error
	do := func(argv ...string) bool {
		out := c.ks.Do(argv)
		if len(out) > 0 && out[0] == '-' {
			loadErr = fmt.Errorf("%s: loading key %q: %s: %s", name, argv[1], strings.ToUpper(argv[0]), strings.TrimSpace(string(out[1:])))
			return false
		}
		return true
	}
	now := time.Now().UnixMilli()
	rd := rdbfmt.NewReader(r, rdbfmt.ReaderOptions{File: name, Values: true})
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, err // an *rdbfmt.Error: file, offset, what was expected
		}
		switch rec.Kind {
		case rdbfmt.KindFunction:
			st.Functions = append(st.Functions, rec.Library.Code)
			continue
		case rdbfmt.KindModuleAux:
			st.Skipped = append(st.Skipped, fmt.Sprintf("module auxiliary data of module %s (offset %d)", rdbfmt.ModuleName(rec.ModuleID), rec.Offset))
			continue
		case rdbfmt.KindKey:
		default:
			continue
		}
		if rec.HasExpire && !keepExpired && rec.ExpireAt <= now {
			st.Expired++
			continue
		}
		if rec.Key == nil {
			st.Skipped = append(st.Skipped, fmt.Sprintf("db %d: a key of %d bytes at offset %d, longer than fnkit reads (%d)", rec.DB, rec.KeyLen, rec.Offset, rdbfmt.MaxKeyLen))
			continue
		}
		key := string(rec.Key)
		if rec.DB >= uint64(s.ks.Databases()) {
			return st, fmt.Errorf("%s: key %q at offset %d is in database %d, the server has %d", name, key, rec.Offset, rec.DB, s.ks.Databases())
		}
		db := int(rec.DB)
		if rec.Type == rdbfmt.TypeModule2 {
			st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q: a value of module %s", db, key, rdbfmt.ModuleName(rec.ModuleID)))
			continue
		}
		o, err := decodeValue(rec.Type, rec.Value)
		if err != nil {
			return st, fmt.Errorf("%s: offset %d: db %d key %q: value of type %d (%s, %s): %w", name, rec.ValueOffset, db, key, rec.Type, rdbfmt.TypeName(rec.Type), rdbfmt.EncodingName(rec.Type), err)
		}
		if h, ok := o.(*model.HashObject); ok && len(h.FieldExpirations) > 0 && !expireFields(h, now, keepExpired, st, db, key) {
			st.Expired++ // every field had expired: Redis deletes the key
			continue
		}
		c.ks.Select(db)
		if !replace && s.ks.Type(db, key) != "" {
			return st, fmt.Errorf("%s: RDB has duplicated key '%s' in DB %d", name, key, db)
		}
		if emptyValue(o) {
			// Redis skips these too ("empty keys skipped")
			st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q: an empty %s", db, key, rdbfmt.TypeName(rec.Type)))
			continue
		}
		c.ks.Do([]string{"DEL", key})
		stored, ok := storeObject(do, key, o, st, db)
		if !ok {
			return st, loadErr
		}
		if !stored {
			st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q: type %s", db, key, o.GetType()))
			continue
		}
		if rec.HasExpire {
			if !do("PEXPIREAT", key, strconv.FormatInt(rec.ExpireAt, 10)) {
				return st, loadErr
			}
		}
		st.Keys[db]++
	}
}

// expireFields applies the field TTLs of a hash decoded from RDB 12
// (Redis 7.4+), which the keyspace (Redis 7.0's) cannot keep: fields
// whose TTL has passed are removed (unless keepExpired), the others are
// kept without their TTL, and both are reported in st.Skipped. It returns
// false when no field is left.
func expireFields(h *model.HashObject, now int64, keepExpired bool, st *RDBLoadStats, db int, key string) bool {
	kept, expired := 0, 0
	for f, at := range h.FieldExpirations {
		switch {
		case at == 0: // no TTL
		case at <= now && !keepExpired:
			delete(h.Hash, f)
			expired++
		default:
			kept++
		}
	}
	if kept > 0 {
		st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q: the TTLs of %d hash fields (Redis 7.0 has none: the fields are loaded without them)", db, key, kept))
	}
	if expired > 0 {
		st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q: %d hash fields whose TTL had passed", db, key, expired))
	}
	return len(h.Hash) > 0
}

// emptyValue reports whether o is a list, set, hash or sorted set with no
// element, which rdbLoadObject refuses as an empty key.
func emptyValue(o model.RedisObject) bool {
	switch x := o.(type) {
	case *model.ListObject:
		return len(x.Values) == 0
	case *model.SetObject:
		return len(x.Members) == 0
	case *model.HashObject:
		return len(x.Hash) == 0
	case *model.ZSetObject:
		return len(x.Entries) == 0
	}
	return false
}

// storeObject writes a value decoded by decodeValue under key (which
// must not exist) through do. stored is false for a type the keyspace
// cannot hold (nothing is written); ok is false when a command failed.
func storeObject(do func(...string) bool, key string, o model.RedisObject, st *RDBLoadStats, db int) (stored, ok bool) {
	ok = true
	switch x := o.(type) {
	case *model.StringObject:
		ok = do("SET", key, string(x.Value))
	case *model.ListObject:
		ok = batch(do, []string{"RPUSH", key}, bytesToStrings(x.Values), 1)
	case *model.SetObject:
		ok = batch(do, []string{"SADD", key}, bytesToStrings(x.Members), 1)
	case *model.HashObject:
		fields := make([]string, 0, len(x.Hash))
		for f := range x.Hash {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var fv []string
		for _, f := range fields {
			fv = append(fv, f, string(x.Hash[f]))
		}
		ok = batch(do, []string{"HSET", key}, fv, 2)
	case *model.ZSetObject:
		var sm []string
		for _, e := range x.Entries {
			sm = append(sm, formatScore(e.Score), e.Member)
		}
		ok = batch(do, []string{"ZADD", key}, sm, 2)
	case *model.StreamObject:
		ok = loadStream(do, key, x, st, db)
	default:
		return false, true
	}
	return true, ok
}

func bytesToStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, v := range b {
		out[i] = string(v)
	}
	return out
}

// batch sends cmd with items appended, a few thousand at a time, keeping
// groups of size group together.
func batch(do func(...string) bool, cmd []string, items []string, group int) bool {
	const max = 4096
	for len(items) > 0 {
		n := len(items)
		if n > max {
			n = max - max%group
		}
		argv := append(append([]string{}, cmd...), items[:n]...)
		if !do(argv...) {
			return false
		}
		items = items[n:]
	}
	return true
}

// formatScore writes a score so that ZADD reads back the same double.
func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func streamID(id *model.StreamId) string {
	if id == nil {
		return "0-0"
	}
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Sequence, 10)
}

func loadStream(do func(...string) bool, key string, x *model.StreamObject, st *RDBLoadStats, db int) bool {
	added := 0
	for _, e := range x.Entries {
		for _, m := range e.Msgs {
			if m.Deleted {
				continue
			}
			argv := []string{"XADD", key, streamID(m.Id)}
			fields := make([]string, 0, len(m.Fields))
			// keep the entry's field order when it is the master entry's
			seen := map[string]bool{}
			for _, f := range e.Fields {
				if v, ok := m.Fields[f]; ok && !seen[f] {
					argv = append(argv, f, v)
					seen[f] = true
				}
			}
			for f := range m.Fields {
				if !seen[f] {
					fields = append(fields, f)
				}
			}
			sort.Strings(fields)
			for _, f := range fields {
				argv = append(argv, f, m.Fields[f])
			}
			if len(argv) == 3 {
				argv = append(argv, "", "")
			}
			if !do(argv...) {
				return false
			}
			added++
		}
	}
	if added == 0 {
		// an empty stream: create it with its last ID (at 0-0 through a
		// group made and destroyed at once)
		id := streamID(x.LastId)
		if id == "0-0" {
			if !do("XGROUP", "CREATE", key, "fnkit:empty", "$", "MKSTREAM") || !do("XGROUP", "DESTROY", key, "fnkit:empty") {
				return false
			}
		} else if !do("XADD", key, id, "x", "x") || !do("XDEL", key, id) {
			return false
		}
	}
	for _, g := range x.Groups {
		if !do("XGROUP", "CREATE", key, g.Name, streamID(g.LastId)) {
			return false
		}
		// the consumers, then each pending entry claimed by its owner with
		// its delivery time and count
		owner := map[string]string{}
		for _, c := range g.Consumers {
			if !do("XGROUP", "CREATECONSUMER", key, g.Name, c.Name) {
				return false
			}
			for _, id := range c.Pending {
				owner[streamID(id)] = c.Name
			}
		}
		lost := 0
		for _, p := range g.Pending {
			id := streamID(p.Id)
			c, ok := owner[id]
			if !ok {
				lost++
				continue
			}
			if !do("XCLAIM", key, g.Name, c, "0", id, "TIME", strconv.FormatUint(p.DeliveryTime, 10),
				"RETRYCOUNT", strconv.FormatUint(p.DeliveryCount, 10), "FORCE", "JUSTID") {
				return false
			}
		}
		if lost > 0 {
			st.Skipped = append(st.Skipped, fmt.Sprintf("db %d key %q group %q: %d pending entries without a consumer", db, key, g.Name, lost))
		}
	}
	return true
}
