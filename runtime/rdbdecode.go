package runtime

import (
	"bytes"
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
			if entries, err = rdbfmt.AppendListpackEntries(entries[:0], s); err != nil {
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
		if elems, err = rdbfmt.AppendListpackEntries(elems, data); err != nil {
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
