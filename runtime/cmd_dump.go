package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/hdt3213/rdb/model"
)

// DUMP and RESTORE (and RESTORE-ASKING, which outside a cluster is
// RESTORE) with Redis 7.0.15's payload format, checks, errors and TTL
// rules (cluster.c's dumpCommand and restoreCommand). Payloads are written
// by dumpPayload and read through the RDB loader's path: the value is
// measured by rdbfmt's Reader (Redis ignores bytes after the value) and
// decoded by decodeValue (rdbdecode.go), as LoadRDB decodes each value.

const (
	errPayload    = "DUMP payload version or checksum are wrong"
	errBadFormat  = "Bad data format"
	errBusyKey    = "-BUSYKEY Target key name already exists."
	errNotInteger = "value is not an integer or out of range"
)

func cmdDump(s *Server, c *client, argv []string) {
	v, ok, err := s.ks.Value(c.db(), argv[1])
	if err != nil {
		c.writeError(err.Error())
		return
	}
	if !ok {
		c.writeNull()
		return
	}
	p, err := dumpPayload(v, s.dumpOptions())
	if err != nil {
		c.writeError(err.Error())
		return
	}
	c.writeBulk(string(p))
}

func cmdRestore(s *Server, c *client, argv []string) {
	key := argv[1]
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(argv); j++ {
		more := j+1 < len(argv)
		switch opt := strings.ToLower(argv[j]); {
		case opt == "replace":
			replace = true
		case opt == "absttl":
			absTTL = true
		case opt == "idletime" && more && freq == -1:
			n, ok := sds.ParseLongLong(argv[j+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 0 {
				c.writeError("Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = n
			j++
		case opt == "freq" && more && idle == -1:
			n, ok := sds.ParseLongLong(argv[j+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 0 || n > 255 {
				c.writeError("Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = n
			j++
		default:
			c.writeError("syntax error")
			return
		}
	}
	db := c.db()
	if !replace && s.ks.Type(db, key) != "" {
		c.writeError(errBusyKey)
		return
	}
	ttl, ok := sds.ParseLongLong(argv[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if ttl < 0 {
		c.writeError("Invalid TTL value, must be >= 0")
		return
	}
	obj, err := decodeDumpPayload([]byte(argv[3]))
	if err != nil {
		if errors.Is(err, errPayloadCheck) {
			c.writeError(errPayload)
		} else {
			c.writeError(errBadFormat)
		}
		return
	}
	if replace {
		c.ks.Do([]string{"DEL", key})
	}
	now := time.Now().UnixMilli()
	if ttl != 0 && !absTTL {
		ttl += now
	}
	if ttl != 0 && ttl <= now {
		// already expired: Redis replies OK and creates nothing (a key
		// REPLACE deleted stays deleted)
		c.writeOK()
		return
	}
	var failed []byte
	do := func(argv ...string) bool {
		out := c.ks.Do(argv)
		if len(out) > 0 && out[0] == '-' {
			failed = out
			return false
		}
		return true
	}
	stored, ok := storeObject(do, key, obj, &RDBLoadStats{}, db)
	if ok && stored && ttl != 0 {
		ok = do("PEXPIREAT", key, strconv.FormatInt(ttl, 10))
	}
	if !stored || !ok {
		c.ks.Do([]string{"DEL", key})
		if failed != nil {
			s.logf(levelWarning, "RESTORE of key %q failed in the keyspace: %s", key, strings.TrimSpace(string(failed)))
		}
		c.writeError(errBadFormat)
		return
	}
	// fnkit keeps no LRU clock or LFU counter to set: IDLETIME and FREQ
	// are checked as Redis checks them and have no further effect
	_, _ = idle, freq
	c.writeOK()
}

// errPayloadCheck is a payload whose version or checksum RESTORE refuses.
var errPayloadCheck = errors.New(errPayload)

// errPayloadFormat is a payload whose value RESTORE cannot decode.
var errPayloadFormat = errors.New(errBadFormat)

// restorableType reports whether Redis 7.0's rdbLoadObject reads type t
// (module values are refused: fnkit loads no modules).
func restorableType(t byte) bool {
	return t <= rdbfmt.TypeZSet2 || t >= rdbfmt.TypeHashZipmap && t <= rdbfmt.TypeStreamListpacks2
}

// decodeDumpPayload is verifyDumpPayload and rdbLoadObject: the RDB
// version (at most 10) and the CRC-64 are checked (errPayloadCheck), then
// the value is checked and decoded by decodeValue, LoadRDB's decoder
// (errPayloadFormat). Bytes after the value are ignored, as in Redis.
func decodeDumpPayload(p []byte) (model.RedisObject, error) {
	if len(p) < 10 {
		return nil, errPayloadCheck
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > dumpRDBVersion {
		return nil, errPayloadCheck
	}
	if rdbfmt.CRC64(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return nil, errPayloadCheck
	}
	body := p[:len(p)-10]
	if len(body) == 0 || !restorableType(body[0]) {
		return nil, errPayloadFormat
	}
	// The value's extent is measured by rdbfmt's Reader over a one-key
	// RDB: header, type, key "k", value, EOF. The value is read from the
	// whole payload, footer included, as Redis reads it from its buffer:
	// a value may end inside the footer.
	rdb := make([]byte, 0, len(p)+32)
	rdb = append(rdb, "REDIS0010"...)
	rdb = append(rdb, body[0])
	rdb = rdbfmt.AppendString(rdb, []byte("k"), false)
	valueAt := len(rdb)
	rdb = append(rdb, p[1:]...)
	rdb = append(rdb, rdbfmt.OpEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	rd := rdbfmt.NewReader(bytes.NewReader(rdb), rdbfmt.ReaderOptions{NoChecksum: true, AllowTrailing: true, Values: true})
	rec, err := rd.Next()
	if err != nil || rec.Kind != rdbfmt.KindKey || rec.ValueOffset != int64(valueAt) || rec.End > int64(valueAt+len(p)-1) {
		return nil, errPayloadFormat
	}
	obj, err := decodeValue(body[0], rec.Value)
	if err != nil || !validRestored(obj) {
		return nil, errPayloadFormat
	}
	return obj, nil
}

// validRestored checks what rdbLoadObject refuses and the decoder
// accepts: empty collections and duplicated members of sets and sorted
// sets.
func validRestored(o model.RedisObject) bool {
	switch x := o.(type) {
	case *model.StringObject:
		return true
	case *model.ListObject:
		return len(x.Values) > 0
	case *model.SetObject:
		seen := make(map[string]bool, len(x.Members))
		for _, m := range x.Members {
			if seen[string(m)] {
				return false
			}
			seen[string(m)] = true
		}
		return len(x.Members) > 0
	case *model.HashObject:
		return len(x.Hash) > 0
	case *model.ZSetObject:
		seen := make(map[string]bool, len(x.Entries))
		for _, e := range x.Entries {
			if seen[e.Member] {
				return false
			}
			seen[e.Member] = true
		}
		return len(x.Entries) > 0
	case *model.StreamObject:
		return true
	}
	return false
}
