package runtime

import (
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
)

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], as Redis
// 7.0's lcsCommand (t_string.c): the longest common subsequence of two
// strings by the dynamic-programming table, the string itself, its length
// (LEN), or the matching ranges walked back from the end of both strings
// (IDX, a map of "matches" and "len"), with Redis's checks in Redis's
// order: the keys' types, the options, LEN with IDX, the size of the
// table against proto-max-bulk-len.

// defaultProtoMaxBulkLen is proto-max-bulk-len's default (512 MB).
const defaultProtoMaxBulkLen = 512 << 20

// protoMaxBulkLen is the proto-max-bulk-len the server is configured with.
func (s *Server) protoMaxBulkLen() int64 {
	p := lookupConfig("proto-max-bulk-len")
	if p == nil {
		return defaultProtoMaxBulkLen
	}
	s.cfgMu.RLock()
	v := p.get(&s.conf)
	s.cfgMu.RUnlock()
	if n, ok := memoryValue(v); ok && n > 0 {
		return n
	}
	return defaultProtoMaxBulkLen
}

func cmdLCS(s *Server, c *client, argv []string) {
	db := c.db()
	var vals [2]string
	for i, key := range argv[1:3] {
		switch s.ks.Type(db, key) {
		case "":
		case "string":
			v, _, err := s.ks.Value(db, key)
			if err != nil {
				c.writeError(err.Error())
				return
			}
			vals[i] = v.Str
		default:
			// a HyperLogLog included: the keyspace keeps them as their
			// own type (README: Where it differs)
			c.writeError("The specified keys must contain string values")
			return
		}
	}
	a, b := vals[0], vals[1]

	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(argv); j++ {
		moreArgs := len(argv) - 1 - j
		switch opt := argv[j]; {
		case strings.EqualFold(opt, "IDX"):
			getIdx = true
		case strings.EqualFold(opt, "LEN"):
			getLen = true
		case strings.EqualFold(opt, "WITHMATCHLEN"):
			withMatchLen = true
		case strings.EqualFold(opt, "MINMATCHLEN") && moreArgs > 0:
			n, ok := sds.ParseLongLong(argv[j+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 0 {
				n = 0
			}
			minMatchLen = n
			j++
		default:
			c.writeError("syntax error")
			return
		}
	}
	if getLen && getIdx {
		c.writeError("If you want both the length and indexes, please just use IDX.")
		return
	}
	// Redis's limit is UINT32_MAX-1 bytes, more than proto-max-bulk-len
	// lets a string have; kept for a server configured otherwise
	if uint64(len(a)) >= 1<<32-2 || uint64(len(b)) >= 1<<32-2 {
		c.writeError("String too long for LCS")
		return
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > uint64(s.protoMaxBulkLen()) {
		c.writeError("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	// lcs[j+(blen+1)*i] is the length of the LCS of a[:i] and b[:j]
	lcs := make([]uint32, cells)
	at := func(i, j int) uint32 { return lcs[j+(blen+1)*i] }
	for i := 1; i <= alen; i++ {
		row, prev := lcs[(blen+1)*i:], lcs[(blen+1)*(i-1):]
		for j := 1; j <= blen; j++ {
			switch {
			case a[i-1] == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	total := at(alen, blen)
	if getLen {
		c.writeInt(int64(total))
		return
	}

	// Walk back from the end, building the LCS and, for IDX, emitting
	// the ranges as lcsCommand does.
	result := make([]byte, total)
	idx := total
	var matches []resp.Value
	// aStart == alen: no range in progress
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if at(i-1, j) > at(i, j-1) {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		// as in Redis, computed in uint32 arithmetic (the range may be
		// unset, aStart == alen, when a range was just emitted)
		matchLen := uint32(aEnd) - uint32(aStart) + 1
		if emit {
			if getIdx && (minMatchLen == 0 || int64(matchLen) >= minMatchLen) {
				m := resp.Arr(
					resp.Arr(resp.Int(int64(aStart)), resp.Int(int64(aEnd))),
					resp.Arr(resp.Int(int64(bStart)), resp.Int(int64(bEnd))),
				)
				if withMatchLen {
					m.Elems = append(m.Elems, resp.Int(int64(matchLen)))
				}
				matches = append(matches, m)
			}
			aStart = alen
		}
	}
	if !getIdx {
		c.writeBulk(string(result))
		return
	}
	if matches == nil {
		matches = []resp.Value{}
	}
	c.writeValue(resp.Value{Kind: resp.Map, Elems: []resp.Value{
		resp.Bulk("matches"), resp.Arr(matches...),
		resp.Bulk("len"), resp.Int(int64(total)),
	}})
}
