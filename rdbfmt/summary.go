package rdbfmt

import (
	"container/heap"
	"encoding/base64"
	"sort"
	"unicode/utf8"
)

// Summary describes a keyspace from its records alone, without decoding a
// value: keys and expiries per database, keys per type and encoding, and
// the largest values by serialized size. Build one with NewSummary, feed it
// every record with Add, then call Finish. Its JSON form is what
// `fnkit inspect --json` prints.
type Summary struct {
	// Keys and Expires count every key and every key with an expiry.
	Keys    int64 `json:"keys"`
	Expires int64 `json:"expires"`
	// ValueBytes is the serialized size of every value.
	ValueBytes int64 `json:"value_bytes"`
	// Databases holds one entry per database with keys (or a SELECTDB),
	// by number.
	Databases []DBSummary `json:"databases"`
	// Types holds one entry per RDB value type (and module type) seen, by
	// type byte.
	Types []TypeSummary `json:"types"`
	// Largest lists the largest values, largest first.
	Largest []KeySize `json:"largest"`

	top  int
	heap keyHeap
	dbs  map[uint64]int
	typs map[typeKey]int
	fast [32]int // 1 + index in Types of non-module types
	last int     // index of the last database used
}

// DBSummary counts the keys of one database.
type DBSummary struct {
	DB      uint64 `json:"db"`
	Keys    int64  `json:"keys"`
	Expires int64  `json:"expires"`
	// ValueBytes is the serialized size of the database's values.
	ValueBytes int64 `json:"value_bytes"`
	// HintKeys and HintExpires are the RESIZEDB record's figures, when the
	// file has one for this database.
	HintKeys    *uint64 `json:"resizedb_keys,omitempty"`
	HintExpires *uint64 `json:"resizedb_expires,omitempty"`
}

// TypeSummary counts the keys stored as one RDB value type.
type TypeSummary struct {
	// RDBType is the type byte; Type and Encoding its names (TypeName,
	// EncodingName; for a module value, Encoding is the module type name).
	RDBType  int    `json:"rdb_type"`
	Type     string `json:"type"`
	Encoding string `json:"encoding"`
	Keys     int64  `json:"keys"`
	// Bytes is the serialized size of these values.
	Bytes int64 `json:"bytes"`

	key typeKey
}

// KeySize is one large value.
type KeySize struct {
	DB uint64 `json:"db"`
	// Key is the key; when it is not valid UTF-8 it is also given as
	// KeyBase64. Keys longer than MaxKeyLen are empty (see KeyLen).
	Key       string `json:"key"`
	KeyBase64 string `json:"key_base64,omitempty"`
	KeyLen    int64  `json:"key_len"`
	RDBType   int    `json:"rdb_type"`
	Type      string `json:"type"`
	Encoding  string `json:"encoding"`
	// Bytes is the value's serialized size.
	Bytes int64 `json:"bytes"`
	// Offset is the key record's offset in the file.
	Offset int64 `json:"offset"`
}

type typeKey struct {
	t      byte
	module uint64 // module id >> 10 for type 7
}

// NewSummary returns an empty summary that keeps the largest values
// (10 when largest <= 0).
func NewSummary(largest int) *Summary {
	if largest <= 0 {
		largest = 10
	}
	return &Summary{top: largest, dbs: map[uint64]int{}, typs: map[typeKey]int{}, last: -1,
		Databases: []DBSummary{}, Types: []TypeSummary{}, Largest: []KeySize{}}
}

func (s *Summary) db(n uint64) *DBSummary {
	if s.last >= 0 && s.Databases[s.last].DB == n {
		return &s.Databases[s.last]
	}
	i, ok := s.dbs[n]
	if !ok {
		i = len(s.Databases)
		s.Databases = append(s.Databases, DBSummary{DB: n})
		s.dbs[n] = i
	}
	s.last = i
	return &s.Databases[i]
}

// Add accounts for one record; records other than keys, SELECTDB and
// RESIZEDB are ignored.
func (s *Summary) Add(rec *Record) {
	switch rec.Kind {
	case KindSelectDB:
		s.db(rec.DB)
		return
	case KindResizeDB:
		if s.last >= 0 {
			d := &s.Databases[s.last]
			k, e := rec.DBSize, rec.ExpiresSize
			d.HintKeys, d.HintExpires = &k, &e
		}
		return
	case KindKey:
	default:
		return
	}
	size := rec.ValueSize()
	s.Keys++
	s.ValueBytes += size
	d := s.db(rec.DB)
	d.Keys++
	d.ValueBytes += size
	if rec.HasExpire {
		s.Expires++
		d.Expires++
	}
	tk := typeKey{t: rec.Type}
	if rec.Type == TypeModule2 {
		tk.module = rec.ModuleID >> 10
	}
	var i int
	var ok bool
	if tk.module == 0 && int(tk.t) < len(s.fast) && s.fast[tk.t] > 0 {
		i, ok = s.fast[tk.t]-1, true
	} else {
		i, ok = s.typs[tk]
	}
	if !ok {
		i = len(s.Types)
		enc := EncodingName(rec.Type)
		if rec.Type == TypeModule2 {
			enc = ModuleName(rec.ModuleID)
		}
		s.Types = append(s.Types, TypeSummary{RDBType: int(rec.Type), Type: TypeName(rec.Type), Encoding: enc, key: tk})
		s.typs[tk] = i
		if tk.module == 0 && int(tk.t) < len(s.fast) {
			s.fast[tk.t] = i + 1
		}
	}
	s.Types[i].Keys++
	s.Types[i].Bytes += size
	if len(s.heap) < s.top || size > s.heap[0].Bytes {
		ks := KeySize{DB: rec.DB, KeyLen: rec.KeyLen, RDBType: int(rec.Type), Type: TypeName(rec.Type),
			Encoding: s.Types[i].Encoding, Bytes: size, Offset: rec.Offset}
		if rec.Key != nil {
			ks.Key = string(rec.Key)
			if !utf8.Valid(rec.Key) {
				ks.KeyBase64 = base64.StdEncoding.EncodeToString(rec.Key)
			}
		}
		if len(s.heap) < s.top {
			heap.Push(&s.heap, ks)
		} else {
			s.heap[0] = ks
			heap.Fix(&s.heap, 0)
		}
	}
}

// Finish orders Databases, Types and Largest; call it after the last Add.
func (s *Summary) Finish() {
	sort.Slice(s.Databases, func(i, j int) bool { return s.Databases[i].DB < s.Databases[j].DB })
	for i, d := range s.Databases {
		s.dbs[d.DB] = i
	}
	s.last = -1
	sort.Slice(s.Types, func(i, j int) bool {
		a, b := s.Types[i], s.Types[j]
		if a.RDBType != b.RDBType {
			return a.RDBType < b.RDBType
		}
		return a.Encoding < b.Encoding
	})
	s.fast = [32]int{}
	for i, t := range s.Types {
		s.typs[t.key] = i
		if t.key.module == 0 && int(t.key.t) < len(s.fast) {
			s.fast[t.key.t] = i + 1
		}
	}
	s.Largest = append(s.Largest[:0], s.heap...)
	sort.SliceStable(s.Largest, func(i, j int) bool {
		a, b := s.Largest[i], s.Largest[j]
		if a.Bytes != b.Bytes {
			return a.Bytes > b.Bytes
		}
		return a.Offset < b.Offset
	})
}

// keyHeap is a min-heap of values by size.
type keyHeap []KeySize

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i].Bytes < h[j].Bytes }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(KeySize)) }
func (h *keyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
