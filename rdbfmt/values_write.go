package rdbfmt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Value encoders: the key records of a keyspace, in encodings every Redis 7
// server loads (the plain types of strings, lists, sets, hashes and sorted
// sets, which the loader converts to its compact encodings by its own
// thresholds, and streams as listpacks, the only stream encoding there is),
// plus the listpack encoder they need.

// Key is one key record for Writer.WriteKey.
type Key struct {
	// Key is the key's name.
	Key []byte
	// Type is the value type byte (TypeString, TypeList, TypeSet,
	// TypeHash, TypeZSet2, TypeStreamListpacks2, …); Value must hold a value
	// in that encoding.
	Type byte
	// Value is the encoded value, as appended by AppendListValue and the
	// other Append…Value functions (AppendString for a string).
	Value []byte
	// ExpireAt is the key's expiry in Unix milliseconds when HasExpire is
	// set (written as an EXPIRETIME_MS record before the key).
	ExpireAt  int64
	HasExpire bool
}

// AppendKey appends a key record: the optional EXPIRETIME_MS record, the
// type byte, the key and the encoded value.
func AppendKey(buf []byte, k Key, compress bool) []byte {
	if k.HasExpire {
		buf = append(buf, OpExpireMs)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(k.ExpireAt))
	}
	buf = append(buf, k.Type)
	buf = AppendString(buf, k.Key, compress)
	return append(buf, k.Value...)
}

// WriteSelectDB writes a SELECTDB record: the keys that follow are in
// database db.
func (w *Writer) WriteSelectDB(db uint64) error {
	b := append(w.scratch[:0], OpSelectDB)
	b = AppendLength(b, db)
	w.scratch = b[:0]
	return w.write(b)
}

// WriteResizeDB writes a RESIZEDB record: hints of how many keys, and keys
// with an expiry, the current database holds.
func (w *Writer) WriteResizeDB(keys, expires uint64) error {
	b := append(w.scratch[:0], OpResizeDB)
	b = AppendLength(b, keys)
	b = AppendLength(b, expires)
	w.scratch = b[:0]
	return w.write(b)
}

// WriteKey writes a key record (see AppendKey), its key compressed unless
// the Writer was made with NoCompress.
func (w *Writer) WriteKey(k Key) error {
	b := AppendKey(w.scratch[:0], k, !w.opts.NoCompress)
	if cap(b) <= 64<<10 {
		w.scratch = b[:0]
	}
	return w.write(b)
}

// Compress reports whether the Writer compresses strings (it was made
// without NoCompress); value encoders take it as their compress argument.
func (w *Writer) Compress() bool { return !w.opts.NoCompress }

// AppendListValue appends a list in the plain list encoding (TypeList):
// the number of elements, then each element as a string. Redis 7 loads it
// into a quicklist.
func AppendListValue(buf []byte, elems [][]byte, compress bool) []byte {
	buf = AppendLength(buf, uint64(len(elems)))
	for _, e := range elems {
		buf = AppendString(buf, e, compress)
	}
	return buf
}

// AppendSetValue appends a set in the plain set encoding (TypeSet). Redis
// loads it as an intset when every member is an integer and there are at
// most set-max-intset-entries of them. Members should be distinct (Redis
// refuses a duplicate member).
func AppendSetValue(buf []byte, members [][]byte, compress bool) []byte {
	return AppendListValue(buf, members, compress)
}

// AppendHashValue appends a hash in the plain hash encoding (TypeHash):
// the number of fields, then each field and its value. fieldValues holds
// field, value, field, value, … (an odd last element is ignored). Fields
// should be distinct.
func AppendHashValue(buf []byte, fieldValues [][]byte, compress bool) []byte {
	n := len(fieldValues) / 2
	buf = AppendLength(buf, uint64(n))
	for i := 0; i < 2*n; i++ {
		buf = AppendString(buf, fieldValues[i], compress)
	}
	return buf
}

// ZSetMember is a sorted-set member and its score.
type ZSetMember struct {
	Member []byte
	Score  float64
}

// AppendZSet2Value appends a sorted set in the ZSET_2 encoding
// (TypeZSet2): the number of members, then each member and its score as a
// binary double. Redis saves the members from the highest score down;
// members are written in the order given. Scores must not be NaN (Redis
// refuses them).
func AppendZSet2Value(buf []byte, members []ZSetMember, compress bool) []byte {
	buf = AppendLength(buf, uint64(len(members)))
	for _, m := range members {
		buf = AppendString(buf, m.Member, compress)
		buf = AppendBinaryDouble(buf, m.Score)
	}
	return buf
}

// Listpacks.

// listpack builds a listpack (Redis's listpack.c layout): a 6-byte header
// (total bytes, element count), the elements, and the 0xFF terminator.
type listpack struct {
	b []byte
	n int
}

func newListpack() *listpack { return &listpack{b: make([]byte, 6, 64)} }

// appendInt appends v in the smallest integer encoding, as lpAppendInteger.
func (lp *listpack) appendInt(v int64) {
	start := len(lp.b)
	switch {
	case v >= 0 && v <= 127:
		lp.b = append(lp.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		lp.b = append(lp.b, byte(u>>8)|0xC0, byte(u))
	case v >= -32768 && v <= 32767:
		lp.b = append(lp.b, 0xF1)
		lp.b = binary.LittleEndian.AppendUint16(lp.b, uint16(v))
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		lp.b = append(lp.b, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case v >= -2147483648 && v <= 2147483647:
		lp.b = append(lp.b, 0xF3)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(v))
	default:
		lp.b = append(lp.b, 0xF4)
		lp.b = binary.LittleEndian.AppendUint64(lp.b, uint64(v))
	}
	lp.backlen(len(lp.b) - start)
}

// appendString appends s, as an integer when it is the canonical text of
// one (as lpAppend does), otherwise in the shortest string encoding.
func (lp *listpack) appendString(s []byte) {
	if v, ok := canonicalInt(s); ok {
		lp.appendInt(v)
		return
	}
	start := len(lp.b)
	switch n := len(s); {
	case n < 64:
		lp.b = append(lp.b, 0x80|byte(n))
	case n < 4096:
		lp.b = append(lp.b, 0xE0|byte(n>>8), byte(n))
	default:
		lp.b = append(lp.b, 0xF0)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(n))
	}
	lp.b = append(lp.b, s...)
	lp.backlen(len(lp.b) - start)
}

// backlen appends the length of the element just written (encoding and
// data).
func (lp *listpack) backlen(l int) {
	lp.b = appendBacklen(lp.b, uint64(l))
	lp.n++
}

// appendBacklen is listpack.c's lpEncodeBacklen: the entry size l in 7-bit
// groups, most significant first, every byte but the first with its top
// bit set.
func appendBacklen(b []byte, l uint64) []byte {
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		return append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(b, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(b, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
	return append(b, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
}

// size is the listpack's size once finished.
func (lp *listpack) size() int { return len(lp.b) + 1 }

// finish writes the terminator and the header and returns the bytes.
func (lp *listpack) finish() []byte {
	lp.b = append(lp.b, 0xFF)
	binary.LittleEndian.PutUint32(lp.b[0:], uint32(len(lp.b)))
	n := lp.n
	if n >= 65535 {
		n = 65535 // LP_HDR_NUMELE_UNKNOWN
	}
	binary.LittleEndian.PutUint16(lp.b[4:], uint16(n))
	return lp.b
}

// AppendListpack appends a listpack holding elems, each stored as Redis's
// lpAppend stores it (canonical integers in an integer encoding, other
// strings in the shortest string encoding).
func AppendListpack(buf []byte, elems [][]byte) []byte {
	lp := newListpack()
	for _, e := range elems {
		lp.appendString(e)
	}
	return append(buf, lp.finish()...)
}

// Streams.

// StreamID is a stream entry ID.
type StreamID struct{ Ms, Seq uint64 }

// String returns the ID as Redis prints it ("ms-seq").
func (id StreamID) String() string {
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// Less reports whether id sorts before o.
func (id StreamID) Less(o StreamID) bool {
	return id.Ms < o.Ms || id.Ms == o.Ms && id.Seq < o.Seq
}

// appendRaw appends the ID's 16-byte big-endian form (a radix-tree key).
func (id StreamID) appendRaw(buf []byte) []byte {
	buf = binary.BigEndian.AppendUint64(buf, id.Ms)
	return binary.BigEndian.AppendUint64(buf, id.Seq)
}

// ParseStreamID parses "ms-seq" (or "ms", sequence 0).
func ParseStreamID(s string) (StreamID, error) {
	ms, seq, hasSeq := cutByte(s, '-')
	var id StreamID
	var err error
	if id.Ms, err = strconv.ParseUint(ms, 10, 64); err != nil {
		return StreamID{}, fmt.Errorf("rdbfmt: invalid stream ID %q", s)
	}
	if hasSeq {
		if id.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
			return StreamID{}, fmt.Errorf("rdbfmt: invalid stream ID %q", s)
		}
	}
	return id, nil
}

func cutByte(s string, c byte) (string, string, bool) {
	if i := bytes.IndexByte([]byte(s), c); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// StreamEntry is one stream entry: its ID and its field, value, field,
// value, … list (at least one pair).
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// StreamPending is an entry of a consumer group's pending entries list.
type StreamPending struct {
	ID StreamID
	// DeliveryTime is the last delivery, in Unix milliseconds.
	DeliveryTime int64
	// DeliveryCount is how many times the entry was delivered.
	DeliveryCount uint64
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name []byte
	// SeenTime is when the consumer was last seen, in Unix milliseconds.
	SeenTime int64
	// Pending lists the IDs of the group's pending entries this consumer
	// owns (each must be in the group's Pending list).
	Pending []StreamID
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name []byte
	// LastID is the group's last delivered ID.
	LastID StreamID
	// EntriesRead is the group's logical read counter (Redis 7's
	// entries-read).
	EntriesRead uint64
	Pending     []StreamPending
	Consumers   []StreamConsumer
}

// Stream is a stream value for AppendStreamValue.
type Stream struct {
	// Entries are the live entries, in ascending ID order.
	Entries []StreamEntry
	// LastID is the last ID the stream generated (at least the last
	// entry's).
	LastID StreamID
	// FirstID is the first entry's ID (0-0 when the stream is empty),
	// MaxDeletedID the largest ID ever deleted, EntriesAdded how many
	// entries were ever added (Redis 7's first-entry, max-deleted-entry-id
	// and entries-added).
	FirstID, MaxDeletedID StreamID
	EntriesAdded          uint64
	Groups                []StreamGroup
	// NodeMaxEntries and NodeMaxBytes bound each listpack node as
	// stream-node-max-entries and stream-node-max-bytes do (0: Redis's
	// defaults, 100 and 4096).
	NodeMaxEntries, NodeMaxBytes int
}

// ErrBadStream is returned by AppendStreamValue for a stream Redis would
// refuse to load.
var ErrBadStream = errors.New("rdbfmt: invalid stream")

// AppendStreamValue appends a stream in the STREAM_LISTPACKS_2 encoding
// (TypeStreamListpacks2, the encoding of Redis 7.0 and RDB version 10):
// the entries in listpack nodes with delta-encoded IDs, exactly as Redis's
// streamAppendItem lays them out (a master entry with the first entry's
// fields, SAMEFIELDS entries when the fields match), the stream's metadata,
// and its consumer groups with their pending entries and consumers (sorted
// as Redis's radix trees sort them). Errors wrap ErrBadStream.
func AppendStreamValue(buf []byte, s *Stream, compress bool) ([]byte, error) {
	maxEntries, maxBytes := s.NodeMaxEntries, s.NodeMaxBytes
	if maxEntries <= 0 {
		maxEntries = 100
	}
	if maxBytes <= 0 {
		maxBytes = 4096
	}
	for i, e := range s.Entries {
		if len(e.Fields) == 0 || len(e.Fields)%2 != 0 {
			return buf, fmt.Errorf("%w: entry %s has %d field and value strings", ErrBadStream, e.ID, len(e.Fields))
		}
		if i > 0 && !s.Entries[i-1].ID.Less(e.ID) {
			return buf, fmt.Errorf("%w: entry %s does not follow %s", ErrBadStream, e.ID, s.Entries[i-1].ID)
		}
	}
	if n := len(s.Entries); n > 0 && s.LastID.Less(s.Entries[n-1].ID) {
		return buf, fmt.Errorf("%w: last ID %s is before the last entry %s", ErrBadStream, s.LastID, s.Entries[n-1].ID)
	}

	// The listpack nodes: a master entry (live count, deleted count, the
	// first entry's fields, a 0 terminator), then the entries.
	type node struct {
		master StreamID
		lp     []byte
	}
	var nodes []node
	var body *listpack // the current node's entries
	var master StreamID
	var masterFields [][]byte
	count := 0
	flush := func() {
		if body == nil {
			return
		}
		lp := newListpack()
		lp.appendInt(int64(count))
		lp.appendInt(0)
		lp.appendInt(int64(len(masterFields)))
		for _, f := range masterFields {
			lp.appendString(f)
		}
		lp.appendInt(0)
		lp.b = append(lp.b, body.b[6:]...)
		lp.n += body.n
		nodes = append(nodes, node{master, lp.finish()})
		body = nil
	}
	// masterBytes is the size of the current node's listpack without its
	// entries: header, master entry (with the live count it holds now)
	// and terminator, the lpBytes streamAppendItem compares
	masterBytes := func() int {
		n := 6 + 1 + ListpackEntrySize(strconv.AppendInt(nil, int64(count), 10)) + 2 +
			ListpackEntrySize(strconv.AppendInt(nil, int64(len(masterFields)), 10)) + 2
		for _, f := range masterFields {
			n += ListpackEntrySize(f)
		}
		return n
	}
	for _, e := range s.Entries {
		nf := len(e.Fields) / 2
		// streamAppendItem starts a node when the tail node's bytes plus
		// the new fields' and values' lengths reach stream-node-max-bytes,
		// or it holds stream-node-max-entries entries
		total := 0
		for _, f := range e.Fields {
			total += len(f)
		}
		if body != nil && (count >= maxEntries || masterBytes()+len(body.b)-6+total >= maxBytes) {
			flush()
		}
		same := false
		if body == nil {
			body = newListpack()
			master = e.ID
			masterFields = masterFields[:0:0]
			for i := 0; i < nf; i++ {
				masterFields = append(masterFields, e.Fields[2*i])
			}
			count = 0
			same = true
		} else if nf == len(masterFields) {
			same = true
			for i := 0; i < nf; i++ {
				if !bytes.Equal(e.Fields[2*i], masterFields[i]) {
					same = false
					break
				}
			}
		}
		flags := int64(0)
		if same {
			flags = 2 // STREAM_ITEM_FLAG_SAMEFIELDS
		}
		body.appendInt(flags)
		body.appendInt(int64(e.ID.Ms - master.Ms))
		body.appendInt(int64(e.ID.Seq - master.Seq))
		if !same {
			body.appendInt(int64(nf))
		}
		for i := 0; i < nf; i++ {
			if !same {
				body.appendString(e.Fields[2*i])
			}
			body.appendString(e.Fields[2*i+1])
		}
		lpCount := int64(nf) + 3
		if !same {
			lpCount += int64(nf) + 1
		}
		body.appendInt(lpCount)
		count++
	}
	flush()

	buf = AppendLength(buf, uint64(len(nodes)))
	var key []byte
	for _, n := range nodes {
		key = n.master.appendRaw(key[:0])
		buf = AppendString(buf, key, false)
		buf = AppendString(buf, n.lp, compress)
	}
	buf = AppendLength(buf, uint64(len(s.Entries)))
	buf = AppendLength(buf, s.LastID.Ms)
	buf = AppendLength(buf, s.LastID.Seq)
	buf = AppendLength(buf, s.FirstID.Ms)
	buf = AppendLength(buf, s.FirstID.Seq)
	buf = AppendLength(buf, s.MaxDeletedID.Ms)
	buf = AppendLength(buf, s.MaxDeletedID.Seq)
	buf = AppendLength(buf, s.EntriesAdded)

	groups := append([]StreamGroup(nil), s.Groups...)
	sort.Slice(groups, func(i, j int) bool { return bytes.Compare(groups[i].Name, groups[j].Name) < 0 })
	buf = AppendLength(buf, uint64(len(groups)))
	for gi, g := range groups {
		if gi > 0 && bytes.Equal(g.Name, groups[gi-1].Name) {
			return buf, fmt.Errorf("%w: two consumer groups named %q", ErrBadStream, g.Name)
		}
		buf = AppendString(buf, g.Name, compress)
		buf = AppendLength(buf, g.LastID.Ms)
		buf = AppendLength(buf, g.LastID.Seq)
		buf = AppendLength(buf, g.EntriesRead)
		pel := append([]StreamPending(nil), g.Pending...)
		sort.Slice(pel, func(i, j int) bool { return pel[i].ID.Less(pel[j].ID) })
		inPEL := make(map[StreamID]bool, len(pel))
		buf = AppendLength(buf, uint64(len(pel)))
		for i, p := range pel {
			if i > 0 && pel[i-1].ID == p.ID {
				return buf, fmt.Errorf("%w: group %q: pending entry %s listed twice", ErrBadStream, g.Name, p.ID)
			}
			inPEL[p.ID] = false
			buf = p.ID.appendRaw(buf)
			buf = binary.LittleEndian.AppendUint64(buf, uint64(p.DeliveryTime))
			buf = AppendLength(buf, p.DeliveryCount)
		}
		cons := append([]StreamConsumer(nil), g.Consumers...)
		sort.Slice(cons, func(i, j int) bool { return bytes.Compare(cons[i].Name, cons[j].Name) < 0 })
		buf = AppendLength(buf, uint64(len(cons)))
		for ci, c := range cons {
			if ci > 0 && bytes.Equal(c.Name, cons[ci-1].Name) {
				return buf, fmt.Errorf("%w: group %q: two consumers named %q", ErrBadStream, g.Name, c.Name)
			}
			buf = AppendString(buf, c.Name, compress)
			buf = binary.LittleEndian.AppendUint64(buf, uint64(c.SeenTime))
			ids := append([]StreamID(nil), c.Pending...)
			sort.Slice(ids, func(i, j int) bool { return ids[i].Less(ids[j]) })
			buf = AppendLength(buf, uint64(len(ids)))
			for _, id := range ids {
				owned, ok := inPEL[id]
				if !ok {
					return buf, fmt.Errorf("%w: group %q: consumer %q owns %s, which is not pending", ErrBadStream, g.Name, c.Name, id)
				}
				if owned {
					return buf, fmt.Errorf("%w: group %q: pending entry %s has two owners", ErrBadStream, g.Name, id)
				}
				inPEL[id] = true
				buf = id.appendRaw(buf)
			}
		}
		for id, owned := range inPEL {
			if !owned {
				return buf, fmt.Errorf("%w: group %q: pending entry %s has no consumer", ErrBadStream, g.Name, id)
			}
		}
	}
	return buf, nil
}
