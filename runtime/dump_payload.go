package runtime

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime/keyspace"
)

// DUMP payloads as Redis 7.0's createDumpPayload writes them: the RDB type
// byte, the value in the encoding OBJECT ENCODING reports for it (see
// encodingOf), the RDB version (2 bytes, little-endian) and the CRC-64 of
// all that (8 bytes, little-endian). The compact encodings are laid out
// here (intsets, listpacks, quicklist nodes); the plain ones (hashtable
// sets and hashes, skiplist sorted sets, strings, streams) come from the
// RDB writer's encodeValue.

// dumpRDBVersion is Redis 7.0's RDB_VERSION.
const dumpRDBVersion = 10

// dumpOptions are the configuration values a DUMP payload depends on.
type dumpOptions struct {
	lim                          encodingLimits
	compress                     bool // rdbcompression
	streamNodeEntries, nodeBytes int
}

// dumpOptions reads them from the configuration.
func (s *Server) dumpOptions() dumpOptions {
	o := dumpOptions{lim: s.encodingLimits(), compress: true}
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	get := func(name string) string {
		if p := lookupConfig(name); p != nil {
			return p.get(&s.conf)
		}
		return ""
	}
	o.compress = get("rdbcompression") != "no"
	o.streamNodeEntries, _ = strconv.Atoi(get("stream-node-max-entries"))
	o.nodeBytes, _ = strconv.Atoi(get("stream-node-max-bytes"))
	return o
}

// dumpPayload serializes v as Redis's DUMP does.
func dumpPayload(v keyspace.Value, o dumpOptions) ([]byte, error) {
	var t byte
	var b []byte
	switch enc := encodingOf(v, o.lim); {
	case v.Type == "list":
		t, b = rdbfmt.TypeListQuicklist2, appendQuicklist(nil, v.Elems, o.lim.listFill, o.compress)
	case v.Type == "set" && enc == "intset":
		t, b = rdbfmt.TypeSetIntset, rdbfmt.AppendString(nil, intsetBlob(v.Elems), o.compress)
	case v.Type == "hash" && enc == "listpack":
		t, b = rdbfmt.TypeHashListpack, rdbfmt.AppendString(nil, rdbfmt.AppendListpack(nil, toBytes(v.Pairs)), o.compress)
	case v.Type == "zset" && enc == "listpack":
		elems := make([][]byte, 0, 2*len(v.ZSet))
		for _, m := range v.ZSet {
			elems = append(elems, []byte(m.Member), []byte(d2string(m.Score)))
		}
		t, b = rdbfmt.TypeZSetListpack, rdbfmt.AppendString(nil, rdbfmt.AppendListpack(nil, elems), o.compress)
	case v.Type == "stream":
		st, err := rdbStream(v.Stream)
		if err != nil {
			return nil, err
		}
		st.NodeMaxEntries, st.NodeMaxBytes = o.streamNodeEntries, o.nodeBytes
		if st.NodeMaxEntries == 0 {
			st.NodeMaxEntries = math.MaxInt // 0: no limit, as in Redis
		}
		if st.NodeMaxBytes == 0 {
			st.NodeMaxBytes = math.MaxInt
		}
		t = rdbfmt.TypeStreamListpacks2
		if b, err = rdbfmt.AppendStreamValue(nil, st, o.compress); err != nil {
			return nil, err
		}
	default:
		var err error
		if t, b, err = encodeValue(v, o.compress); err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, 1+len(b)+10)
	out = append(out, t)
	out = append(out, b...)
	return sealPayload(out, dumpRDBVersion), nil
}

// sealPayload appends the RDB version and the CRC-64 to a payload body.
func sealPayload(body []byte, version uint16) []byte {
	body = binary.LittleEndian.AppendUint16(body, version)
	return binary.LittleEndian.AppendUint64(body, rdbfmt.CRC64(0, body))
}

// intsetBlob is the intset Redis builds from members that are all
// canonical integers: the narrowest encoding holding every member (2, 4 or
// 8 bytes), the count, and the members sorted, all little-endian. (Redis
// never narrows an intset: one that once held a wider member keeps the
// wider encoding; fnkit does not know that history.)
func intsetBlob(members []string) []byte {
	vals := make([]int64, len(members))
	width := 2
	for i, m := range members {
		v, _ := strconv.ParseInt(m, 10, 64)
		vals[i] = v
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			width = 8
		case (v < math.MinInt16 || v > math.MaxInt16) && width < 4:
			width = 4
		}
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	b := make([]byte, 8, 8+width*len(vals))
	binary.LittleEndian.PutUint32(b, uint32(width))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// d2string is Redis 7.0's d2string, the text of a score in a sorted-set
// listpack: integers in (-(2^52-1), 2^52) as integers (negative zero
// too: "0"), otherwise "%.17g".
func d2string(f float64) string {
	if f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return fmtG17(f) // infinities and NaN too
}

// Quicklists.

// quicklistFill is quicklistSetFill: fill clamped to [-5, 2^15-1].
func quicklistFill(fill int64) int64 {
	switch {
	case fill > 1<<15-1:
		return 1<<15 - 1
	case fill < -5:
		return -5
	}
	return fill
}

// quicklistNodeLimits are optimization_level: the node size limits of the
// negative fill values -1 … -5.
var quicklistNodeLimits = [...]int{4096, 8192, 16384, 32768, 65536}

// quicklistAllowInsert is Redis 7.0's _quicklistNodeAllowInsert for a
// packed node of sz bytes holding count elements, and an element of n
// bytes: the node's size plus the element plus SIZE_ESTIMATE_OVERHEAD (8)
// must stay within the fill's size class, or, for a positive fill, within
// SIZE_SAFETY_LIMIT (8 KB) and fill elements.
func quicklistAllowInsert(sz, count int, fill int64, n int) bool {
	newSz := sz + n + 8
	if fill < 0 {
		return newSz <= quicklistNodeLimits[-fill-1]
	}
	return newSz <= 8192 && int64(count) < fill
}

// appendQuicklist appends a list in the QUICKLIST_2 encoding: the number of
// nodes, then each node's container (2, packed) and listpack. The nodes
// are those RPUSH of the elements in order builds (fnkit does not keep the
// node boundaries of a list built otherwise).
func appendQuicklist(buf []byte, elems []string, fill int64, compress bool) []byte {
	fill = quicklistFill(fill)
	const emptyListpack = 7
	var bounds []int // start of each node
	sz, count := 0, 0
	for i, e := range elems {
		n := len(e)
		if count == 0 || !quicklistAllowInsert(sz, count, fill, n) {
			bounds = append(bounds, i)
			sz, count = emptyListpack, 0
		}
		sz += rdbfmt.ListpackEntrySize([]byte(e))
		count++
	}
	buf = rdbfmt.AppendLength(buf, uint64(len(bounds)))
	for j, start := range bounds {
		end := len(elems)
		if j+1 < len(bounds) {
			end = bounds[j+1]
		}
		buf = rdbfmt.AppendLength(buf, 2) // QUICKLIST_NODE_CONTAINER_PACKED
		buf = rdbfmt.AppendString(buf, rdbfmt.AppendListpack(nil, toBytes(elems[start:end])), compress)
	}
	return buf
}
