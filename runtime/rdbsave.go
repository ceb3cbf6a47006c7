package runtime

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime/keyspace"
)

// SaveRDB writes the loaded libraries and the whole keyspace (every
// database, every type, TTLs, stream consumer groups with their pending
// entries and consumers) as an RDB file of version 10, which Redis 7.0 and
// later load, through fnkit's own RDB writer (package rdbfmt). Strings,
// lists, sets, hashes and sorted sets are written in the plain encodings
// (Redis converts them to its compact encodings when loading), streams as
// listpacks. HyperLogLog keys, which the keyspace keeps in its own
// representation, cannot be saved: SaveRDB returns an error naming the
// first one.
func (s *Server) SaveRDB(w io.Writer) error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	return s.saveRDB(w)
}

// saveRDB is SaveRDB for a caller holding the execution lock.
func (s *Server) saveRDB(w io.Writer) error {
	wr, err := rdbfmt.NewWriter(w, rdbfmt.WriterOptions{})
	if err != nil {
		return err
	}
	now := time.Now()
	for _, a := range [][2]string{
		{"redis-ver", Version}, {"redis-bits", strconv.Itoa(strconv.IntSize)},
		{"ctime", strconv.FormatInt(now.Unix(), 10)}, {"used-mem", strconv.FormatInt(s.usedMemory(), 10)},
		{"aof-base", "0"},
	} {
		if err := wr.WriteAux(a[0], a[1]); err != nil {
			return err
		}
	}
	for _, l := range s.reg.Current().Set().Libraries() {
		if err := wr.WriteFunction(l); err != nil {
			return err
		}
	}
	compress := wr.Compress()
	for db := 0; db < s.ks.Databases(); db++ {
		keys := s.ks.Keys(db)
		if len(keys) == 0 {
			continue
		}
		_, expires, _ := s.ks.TTLStats(db)
		if err := wr.WriteSelectDB(uint64(db)); err != nil {
			return err
		}
		if err := wr.WriteResizeDB(uint64(len(keys)), uint64(expires)); err != nil {
			return err
		}
		for _, key := range keys {
			v, ok, err := s.ks.Value(db, key)
			if err != nil {
				return err
			}
			if !ok {
				continue // expired meanwhile
			}
			t, enc, err := encodeValue(v, compress)
			if err != nil {
				return fmt.Errorf("db %d key %q: %w", db, key, err)
			}
			k := rdbfmt.Key{Key: []byte(key), Type: t, Value: enc}
			if !v.ExpireAt.IsZero() {
				k.HasExpire, k.ExpireAt = true, v.ExpireAt.UnixMilli()
			}
			if err := wr.WriteKey(k); err != nil {
				return err
			}
		}
	}
	return wr.Close()
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, x := range ss {
		out[i] = []byte(x)
	}
	return out
}

// encodeValue encodes a value for an RDB: its type byte and bytes.
func encodeValue(v keyspace.Value, compress bool) (byte, []byte, error) {
	switch v.Type {
	case "string":
		return rdbfmt.TypeString, rdbfmt.AppendString(nil, []byte(v.Str), compress), nil
	case "list":
		return rdbfmt.TypeList, rdbfmt.AppendListValue(nil, toBytes(v.Elems), compress), nil
	case "set":
		return rdbfmt.TypeSet, rdbfmt.AppendSetValue(nil, toBytes(v.Elems), compress), nil
	case "hash":
		return rdbfmt.TypeHash, rdbfmt.AppendHashValue(nil, toBytes(v.Pairs), compress), nil
	case "zset":
		// Redis saves from the highest score down
		ms := make([]rdbfmt.ZSetMember, len(v.ZSet))
		for i, m := range v.ZSet {
			ms[len(ms)-1-i] = rdbfmt.ZSetMember{Member: []byte(m.Member), Score: m.Score}
		}
		return rdbfmt.TypeZSet2, rdbfmt.AppendZSet2Value(nil, ms, compress), nil
	case "stream":
		st, err := rdbStream(v.Stream)
		if err != nil {
			return 0, nil, err
		}
		b, err := rdbfmt.AppendStreamValue(nil, st, compress)
		return rdbfmt.TypeStreamListpacks2, b, err
	}
	return 0, nil, fmt.Errorf("fnkit cannot save a %s value (the keyspace keeps HyperLogLogs in its own representation)", v.Type)
}

// rdbStream converts a keyspace stream for the RDB writer. The keyspace
// keeps neither entries-added nor the largest deleted ID: they are written
// as the number of live entries and 0-0, and each group's entries-read is
// estimated as Redis's streamEstimateDistanceFromFirstEverEntry does.
func rdbStream(ks *keyspace.Stream) (*rdbfmt.Stream, error) {
	st := &rdbfmt.Stream{}
	for _, e := range ks.Entries {
		id, err := rdbfmt.ParseStreamID(e.ID)
		if err != nil {
			return nil, err
		}
		st.Entries = append(st.Entries, rdbfmt.StreamEntry{ID: id, Fields: toBytes(e.Values)})
	}
	last, err := rdbfmt.ParseStreamID(ks.LastID)
	if err != nil {
		return nil, err
	}
	if n := len(st.Entries); n > 0 {
		st.FirstID = st.Entries[0].ID
		if last.Less(st.Entries[n-1].ID) {
			last = st.Entries[n-1].ID
		}
	}
	st.LastID = last
	st.EntriesAdded = uint64(len(st.Entries))
	for _, g := range ks.Groups {
		gid, err := rdbfmt.ParseStreamID(g.LastID)
		if err != nil {
			return nil, err
		}
		rg := rdbfmt.StreamGroup{Name: []byte(g.Name), LastID: gid, EntriesRead: estimateEntriesRead(st, gid)}
		if len(g.Consumers) == 0 {
			// no consumer: the group never read (XREADGROUP creates its
			// consumer), and Redis keeps the counter of a group that never
			// read unknown
			rg.EntriesRead = math.MaxUint64
		}
		owned := map[string][]rdbfmt.StreamID{}
		for _, p := range g.Pending {
			id, err := rdbfmt.ParseStreamID(p.ID)
			if err != nil {
				return nil, err
			}
			rg.Pending = append(rg.Pending, rdbfmt.StreamPending{ID: id, DeliveryTime: p.Delivered.UnixMilli(), DeliveryCount: uint64(p.Count)})
			owned[p.Consumer] = append(owned[p.Consumer], id)
		}
		for _, c := range g.Consumers {
			seen := c.Seen
			if seen.IsZero() {
				seen = time.Now()
			}
			rg.Consumers = append(rg.Consumers, rdbfmt.StreamConsumer{Name: []byte(c.Name), SeenTime: seen.UnixMilli(), Pending: owned[c.Name]})
		}
		st.Groups = append(st.Groups, rg)
	}
	return st, nil
}

// estimateEntriesRead is Redis's streamEstimateDistanceFromFirstEverEntry
// for a stream without deletions, what Redis keeps for a group that has
// read; 2^64-1 is Redis's "unknown" (-1).
func estimateEntriesRead(st *rdbfmt.Stream, id rdbfmt.StreamID) uint64 {
	const invalid = math.MaxUint64
	if st.EntriesAdded == 0 {
		return 0
	}
	switch {
	case id == st.LastID:
		return st.EntriesAdded
	case id == rdbfmt.StreamID{} && len(st.Entries) > 0:
		// a group created at 0 and never read: Redis keeps the counter
		// unknown until the group reads
		return invalid
	case st.LastID.Less(id):
		return invalid
	case id.Less(st.FirstID):
		return st.EntriesAdded - uint64(len(st.Entries))
	case id == st.FirstID:
		return st.EntriesAdded - uint64(len(st.Entries)) + 1
	}
	return invalid
}
