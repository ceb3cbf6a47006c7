package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/hdt3213/rdb/core"
	"github.com/hdt3213/rdb/model"
)

// Decoding of one serialized value, shared by LoadRDB (each key record's
// value, as rdbfmt's Reader returns it with ReaderOptions.Values) and
// RESTORE (the value of a DUMP payload). Lists of type 18 are decoded
// here; every other type goes to github.com/hdt3213/rdb, which reads one
// value wrapped in a one-key RDB stream. v1.3.2 decodes the values of
// type 18 correctly but then panics (recovered into an error) in its
// memory estimate of a quicklist whose PLAIN node (one element stored
// alone: Redis 7.4 and Valkey 8 store so an element larger than a node's
// size limit, 7.0 and 7.2 only one of 1 GB or more) is not its last:
// hdt3213's memprofiler indexes the per-listpack sizes by node number.

// hdtVersion names the RDB decoder in errors.
const hdtVersion = "github.com/hdt3213/rdb v1.3.2"

// decodeValue decodes v, the serialized value of RDB type t: what follows
// the key in a key record, as rdbfmt's Reader delimits it
// (ReaderOptions.Values). The Reader has then walked every RDB-level
// length and count in v, so they are backed by bytes, which keeps the
// decoders from allocating what a corrupt one says. The result may share
// v's bytes. Errors say what was expected where; a value of a type fnkit
// cannot hold (modules) is an error too.
func decodeValue(t byte, v []byte) (model.RedisObject, error) {
	switch t {
	case rdbfmt.TypeListQuicklist2:
		return decodeQuicklist2(v)
	case rdbfmt.TypeModulePreGA, rdbfmt.TypeModule2:
		return nil, errors.New("a module value: fnkit loads no modules")
	}
	// Redis's checks on load (restore_check.go); they also keep the
	// decoder from allocating what a corrupt intset or stream count says
	if !compactValueOK(t, v) {
		return nil, fmt.Errorf("integrity check failed: an intset, ziplist or listpack whose header disagrees with its size, or a stream node that is not keyed by a 16-byte ID or is empty")
	}
	if err := streamCountsOK(t, v); err != nil {
		return nil, err
	}
	return decodeWithHdt(t, v)
}

// streamCountsOK checks, for a stream value, that the entry counts and
// the master entry's field count at the head of each node's listpack are
// no larger than the listpack's number of entries (the decoder allocates
// what they say), after checking the listpacks' layout.
func streamCountsOK(t byte, v []byte) error {
	if t != rdbfmt.TypeStreamListpacks && t != rdbfmt.TypeStreamListpacks2 && t != rdbfmt.TypeStreamListpacks3 {
		return nil
	}
	nodes, p, err := parseLen(v, 0)
	if err != nil {
		return fmt.Errorf("stream node count: %w", err)
	}
	var entries [][]byte
	for i := uint64(0); i < nodes; i++ {
		for _, what := range []string{"ID", "listpack"} {
			s, _, size, err := rdbfmt.ParseString(v[p:])
			if err != nil {
				return fmt.Errorf("stream node %d of %d: %s at byte %d: %w", i, nodes, what, p, err)
			}
			p += size
			if what == "ID" {
				continue
			}
			if entries, err = appendListpack(entries[:0], s); err != nil {
				return fmt.Errorf("stream node %d of %d: %w", i, nodes, err)
			}
			// count, deleted, master field count, at least
			if len(entries) < 3 {
				return fmt.Errorf("stream node %d of %d: a listpack of %d entries, expected at least 3", i, nodes, len(entries))
			}
			var sum uint64
			for j, name := range []string{"entry count", "deleted entry count", "master field count"} {
				n, err := strconv.ParseUint(string(entries[j]), 10, 32)
				if err != nil || n > uint64(len(entries)) {
					return fmt.Errorf("stream node %d of %d: %s %q, expected an integer from 0 to the listpack's %d entries", i, nodes, name, entries[j], len(entries))
				}
				if sum += n; j == 1 && sum > uint64(len(entries)) {
					return fmt.Errorf("stream node %d of %d: %d entries and deleted entries in a listpack of %d", i, nodes, sum, len(entries))
				}
			}
		}
	}
	return nil
}

// decodeWithHdt decodes v through github.com/hdt3213/rdb: header, type,
// key "k", value, EOF and a zero (disabled) checksum. Version 12 is the
// newest the decoder reads; the value layout does not depend on it.
func decodeWithHdt(t byte, v []byte) (model.RedisObject, error) {
	rdb := make([]byte, 0, len(v)+21)
	rdb = append(rdb, "REDIS0012"...)
	rdb = append(rdb, t, 1, 'k')
	rdb = append(rdb, v...)
	rdb = append(rdb, rdbfmt.OpEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	var obj model.RedisObject
	n := 0
	err := core.NewDecoder(bytes.NewReader(rdb)).Parse(func(o model.RedisObject) bool {
		obj = o
		n++
		return true
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %v", hdtVersion, err)
	case n != 1:
		return nil, fmt.Errorf("%s: %d values decoded, expected 1", hdtVersion, n)
	}
	return obj, nil
}

// quicklist node containers (quicklist.h)
const (
	quicklistPlain  = 1 // one element, stored as an RDB string
	quicklistPacked = 2 // a listpack of elements, stored as an RDB string
)

// decodeQuicklist2 decodes a list of type 18 (RDB_TYPE_LIST_QUICKLIST_2)
// as Redis 7.x's rdbLoadObject reads it: a node count, then for each node
// its container (1 PLAIN, 2 PACKED) and an RDB string (LZF or not) holding
// the element or the listpack. Empty strings are refused; empty listpacks
// are skipped, as Redis skips them. A list with no element decodes (the
// callers refuse or skip it, as Redis does).
func decodeQuicklist2(v []byte) (*model.ListObject, error) {
	nodes, size, err := parseLen(v, 0)
	if err != nil {
		return nil, fmt.Errorf("quicklist node count at byte 0: %w", err)
	}
	p := size
	var elems [][]byte
	for i := uint64(0); i < nodes; i++ {
		c, size, err := parseLen(v, p)
		if err != nil {
			return nil, fmt.Errorf("quicklist node %d of %d: container at byte %d: %w", i, nodes, p, err)
		}
		if c != quicklistPlain && c != quicklistPacked {
			return nil, fmt.Errorf("quicklist node %d of %d: container %d at byte %d, expected 1 (PLAIN) or 2 (PACKED): Quicklist integrity check failed", i, nodes, c, p)
		}
		p += size
		data, _, size, err := rdbfmt.ParseString(v[p:])
		if err != nil {
			return nil, fmt.Errorf("quicklist node %d of %d: string at byte %d: %w", i, nodes, p, err)
		}
		if len(data) == 0 {
			return nil, fmt.Errorf("quicklist node %d of %d: empty string at byte %d, expected an element or a listpack", i, nodes, p)
		}
		p += size
		if c == quicklistPlain {
			elems = append(elems, data)
			continue
		}
		if elems, err = appendListpack(elems, data); err != nil {
			return nil, fmt.Errorf("quicklist node %d of %d: %w: Listpack integrity check failed", i, nodes, err)
		}
	}
	if p != len(v) {
		return nil, fmt.Errorf("quicklist: %d bytes after the last node (byte %d)", len(v)-p, p)
	}
	return &model.ListObject{
		BaseObject: &model.BaseObject{Type: model.ListType, Encoding: model.QuickList2Encoding},
		Values:     elems,
	}, nil
}

// parseLen reads a plain RDB length at v[p:]; the string encodings
// (0b11) are not lengths here.
func parseLen(v []byte, p int) (n uint64, size int, err error) {
	n, special, size, err := rdbfmt.ParseLength(v[p:])
	if err == nil && special {
		err = fmt.Errorf("%w: a string encoding (%d), expected a length", rdbfmt.ErrCorrupt, n)
	}
	return n, size, err
}

// appendListpack appends the entries of the listpack lp to out, integers
// as their decimal text (what LRANGE returns). It checks the layout
// completely (what Redis's lpValidateIntegrity checks in deep mode): the
// header's total size is len(lp), every entry has a known encoding, fits,
// and is followed by the back-length Redis writes for it, the 0xFF
// terminator is the last byte, and the header's count, unless 65535
// (unknown), is the number of entries. String entries share lp's bytes.
func appendListpack(out [][]byte, lp []byte) ([][]byte, error) {
	if len(lp) < 7 {
		return out, fmt.Errorf("listpack of %d bytes, expected at least 7 (header and terminator)", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return out, fmt.Errorf("listpack header says %d bytes, the string holds %d", total, len(lp))
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	for p := 6; ; n++ {
		if p >= len(lp) {
			return out, fmt.Errorf("listpack entry %d: expected an entry or the terminator at byte %d, found the end", n, p)
		}
		b := lp[p]
		if b == 0xFF {
			if p != len(lp)-1 {
				return out, fmt.Errorf("listpack terminator at byte %d, before the end (%d bytes)", p, len(lp))
			}
			break
		}
		// hdr is the encoding's size, data the string's or integer's size
		hdr, data := 1, 0
		switch {
		case b&0x80 == 0: // 7-bit unsigned integer, in the encoding byte
		case b&0xC0 == 0x80: // string of up to 63 bytes
			data = int(b & 0x3F)
		case b&0xE0 == 0xC0: // 13-bit integer
			hdr = 2
		case b&0xF0 == 0xE0: // string of up to 4095 bytes
			hdr = 2
			if p+1 < len(lp) {
				data = int(b&0x0F)<<8 | int(lp[p+1])
			}
		case b == 0xF0: // string with a 32-bit length
			hdr = 5
			if p+5 <= len(lp) {
				l := binary.LittleEndian.Uint32(lp[p+1:])
				if uint64(l) > uint64(len(lp)) {
					return out, fmt.Errorf("listpack entry %d at byte %d: a string of %d bytes in a listpack of %d", n, p, l, len(lp))
				}
				data = int(l)
			}
		case b >= 0xF1 && b <= 0xF4: // 16, 24, 32, 64-bit integers
			data = [...]int{2, 3, 4, 8}[b-0xF1]
		default:
			return out, fmt.Errorf("listpack entry %d at byte %d: unknown encoding byte 0x%02x", n, p, b)
		}
		size := hdr + data
		var bl [5]byte
		back := bl[:lpEncodeBacklen(&bl, uint64(size))]
		if p+size+len(back) > len(lp) {
			return out, fmt.Errorf("listpack entry %d at byte %d: %d bytes and a %d-byte back-length do not fit before the end (%d bytes)", n, p, size, len(back), len(lp))
		}
		if !bytes.Equal(lp[p+size:p+size+len(back)], back) {
			return out, fmt.Errorf("listpack entry %d at byte %d: back-length % x, expected % x (the entry's %d bytes)", n, p, lp[p+size:p+size+len(back)], back, size)
		}
		out = append(out, listpackValue(lp[p:p+size], hdr))
		p += size + len(back)
	}
	if count != 65535 && count != n {
		return out, fmt.Errorf("listpack header counts %d entries, it holds %d", count, n)
	}
	return out, nil
}

// listpackValue returns the value of the entry e (encoding and data,
// already checked to fit): strings as they are, integers as text.
func listpackValue(e []byte, hdr int) []byte {
	b := e[0]
	var v int64
	switch {
	case b&0x80 == 0:
		v = int64(b)
	case b&0xC0 == 0x80, b&0xF0 == 0xE0, b == 0xF0:
		return e[hdr:len(e):len(e)]
	case b&0xE0 == 0xC0:
		v = int64(uint16(b&0x1F)<<8|uint16(e[1])) << 51 >> 51 // sign of bit 12
	case b == 0xF1:
		v = int64(int16(binary.LittleEndian.Uint16(e[1:])))
	case b == 0xF2:
		v = int64(uint32(e[1])|uint32(e[2])<<8|uint32(e[3])<<16) << 40 >> 40 // sign of bit 23
	case b == 0xF3:
		v = int64(int32(binary.LittleEndian.Uint32(e[1:])))
	default: // 0xF4
		v = int64(binary.LittleEndian.Uint64(e[1:]))
	}
	return strconv.AppendInt(nil, v, 10)
}

// lpEncodeBacklen is listpack.c's lpEncodeBacklen: the entry size l in
// 7-bit groups, most significant first, every byte after the first with
// its high bit set. It returns the number of bytes written to buf.
func lpEncodeBacklen(buf *[5]byte, l uint64) int {
	n := 1
	switch {
	case l <= 127:
	case l < 16383:
		n = 2
	case l < 2097151:
		n = 3
	case l < 268435455:
		n = 4
	default:
		n = 5
	}
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte(l & 127)
		if i > 0 {
			buf[i] |= 128
		}
		l >>= 7
	}
	return n
}
