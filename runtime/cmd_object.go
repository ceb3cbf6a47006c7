package runtime

import (
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/runtime/keyspace"
)

// OBJECT ENCODING, FREQ, IDLETIME, REFCOUNT and HELP. The keyspace does not
// keep Redis's internal encodings, so OBJECT ENCODING derives the encoding
// Redis 7.0.15 gives a value from the value itself and the thresholds in
// the configuration (see encodingOf).

// encodingLimits are the configuration thresholds encodings depend on.
type encodingLimits struct {
	hashEntries, hashValue int64
	zsetEntries, zsetValue int64
	setIntsetEntries       int64
	listFill               int64
}

// encodingLimits reads the thresholds from the configuration.
func (s *Server) encodingLimits() encodingLimits {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	get := func(name string) int64 {
		p := lookupConfig(name)
		if p == nil {
			return 0
		}
		v, _ := strconv.ParseInt(p.get(&s.conf), 10, 64)
		return v
	}
	return encodingLimits{
		hashEntries: get("hash-max-listpack-entries"), hashValue: get("hash-max-listpack-value"),
		zsetEntries: get("zset-max-listpack-entries"), zsetValue: get("zset-max-listpack-value"),
		setIntsetEntries: get("set-max-intset-entries"), listFill: get("list-max-listpack-size"),
	}
}

// isLongLong is Redis's string2ll: the canonical decimal text of an int64.
func isLongLong(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return err == nil && strconv.FormatInt(v, 10) == s
}

// encodingOf is the encoding Redis 7.0.15 gives a value built from
// scratch (as after DEBUG RELOAD, or a value that only grew):
//   - strings: "int" for the canonical text of an integer of at most 20
//     characters, "embstr" up to 44 bytes, "raw" beyond;
//   - lists: "quicklist" (7.0 has no listpack lists);
//   - sets: "intset" when every member is an integer and there are at most
//     set-max-intset-entries, otherwise "hashtable";
//   - hashes: "listpack" with at most hash-max-listpack-entries fields, no
//     field or value longer than hash-max-listpack-value, otherwise
//     "hashtable";
//   - sorted sets: "listpack" with at most zset-max-listpack-entries
//     members none longer than zset-max-listpack-value, otherwise "skiplist";
//   - streams: "stream"; HyperLogLogs (strings in Redis): "raw".
func encodingOf(v keyspace.Value, lim encodingLimits) string {
	switch v.Type {
	case "string":
		switch {
		case len(v.Str) <= 20 && isLongLong(v.Str):
			return "int"
		case len(v.Str) <= 44:
			return "embstr"
		}
		return "raw"
	case "list":
		return "quicklist"
	case "set":
		if int64(len(v.Elems)) > lim.setIntsetEntries {
			return "hashtable"
		}
		for _, m := range v.Elems {
			if !isLongLong(m) {
				return "hashtable"
			}
		}
		return "intset"
	case "hash":
		if int64(len(v.Pairs)/2) > lim.hashEntries {
			return "hashtable"
		}
		for _, x := range v.Pairs {
			if int64(len(x)) > lim.hashValue {
				return "hashtable"
			}
		}
		return "listpack"
	case "zset":
		if int64(len(v.ZSet)) > lim.zsetEntries {
			return "skiplist"
		}
		for _, m := range v.ZSet {
			if int64(len(m.Member)) > lim.zsetValue {
				return "skiplist"
			}
		}
		return "listpack"
	case "stream":
		return "stream"
	}
	return "raw"
}

// objectValue reads a key for OBJECT: without expiring it or touching its
// access time. It writes the null reply and returns false when the key
// does not exist.
func (s *Server) objectValue(c *client, key string) (keyspace.Value, bool) {
	v, ok, err := s.ks.Value(c.db(), key)
	if err != nil {
		c.writeError(err.Error())
		return v, false
	}
	if !ok {
		c.writeNull()
		return v, false
	}
	return v, true
}

// objectEncoding is the encoding of key in db ("" when it does not exist).
func (s *Server) objectEncoding(db int, key string) string {
	typ := s.ks.Type(db, key)
	switch typ {
	case "":
		return ""
	case "list":
		return "quicklist"
	case "stream":
		return "stream"
	case "string":
		// APPEND, SETRANGE, SETBIT and INCRBYFLOAT leave encodings that do
		// not follow from the value
		if enc, ok := s.ks.StringEncoding(db, key); ok {
			return enc
		}
	}
	lim := s.encodingLimits()
	// large collections exceed the entry limits without being copied
	switch typ {
	case "hash":
		if s.ks.Len(db, key, typ) > lim.hashEntries {
			return "hashtable"
		}
	case "zset":
		if s.ks.Len(db, key, typ) > lim.zsetEntries {
			return "skiplist"
		}
	case "set":
		if s.ks.Len(db, key, typ) > lim.setIntsetEntries {
			return "hashtable"
		}
	}
	v, ok, err := s.ks.Value(db, key)
	if err != nil || !ok {
		return ""
	}
	return encodingOf(v, lim)
}

func cmdObjectEncoding(s *Server, c *client, argv []string) {
	enc := s.objectEncoding(c.db(), argv[2])
	if enc == "" {
		c.writeNull()
		return
	}
	c.writeBulk(enc)
}

// sharedIntegers reports whether small integers are shared objects (with
// refcount INT_MAX): unless maxmemory is set with an LRU or LFU policy.
func (s *Server) sharedIntegers() bool {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	p := s.conf.maxmemoryPolicy
	return s.conf.maxmemory == 0 || !strings.Contains(p, "lru") && !strings.Contains(p, "lfu")
}

func (s *Server) lfuPolicy() bool {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return strings.Contains(s.conf.maxmemoryPolicy, "lfu")
}

// refCount is OBJECT REFCOUNT: INT_MAX for the shared integers 0-9999,
// otherwise 1.
func (s *Server) refCount(v keyspace.Value) int64 {
	if v.Type == "string" && encodingOf(v, encodingLimits{}) == "int" && s.sharedIntegers() {
		if n, _ := strconv.ParseInt(v.Str, 10, 64); n >= 0 && n < 10000 {
			return 2147483647
		}
	}
	return 1
}

func cmdObjectRefCount(s *Server, c *client, argv []string) {
	switch s.ks.Type(c.db(), argv[2]) {
	case "":
		c.writeNull()
		return
	case "string":
	default:
		c.writeInt(1)
		return
	}
	v, ok := s.objectValue(c, argv[2])
	if !ok {
		return
	}
	c.writeInt(s.refCount(v))
}

func cmdObjectIdleTime(s *Server, c *client, argv []string) {
	if s.ks.Type(c.db(), argv[2]) == "" {
		c.writeNull()
		return
	}
	if s.lfuPolicy() {
		c.writeError("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.writeRaw(c.ks.Do([]string{"OBJECT", "IDLETIME", argv[2]}))
}

// lfuInitVal is Redis's LFU_INIT_VAL, the counter of a new key.
const lfuInitVal = 5

func cmdObjectFreq(s *Server, c *client, argv []string) {
	if s.ks.Type(c.db(), argv[2]) == "" {
		c.writeNull()
		return
	}
	if !s.lfuPolicy() {
		c.writeError("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	// fnkit counts no accesses: every key has a new key's counter, but
	// the shared integers, whose LFU field is never set, have 0
	if v, ok, _ := s.ks.Value(c.db(), argv[2]); ok && s.refCount(v) == 2147483647 {
		c.writeInt(0)
		return
	}
	c.writeInt(lfuInitVal)
}

func cmdObjectHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "OBJECT", []string{
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}
