package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/rdbfmt"
)

// XSETID, which the keyspace lacks and AOF rewrites write for every
// stream: Redis 7.0's checks and errors. The keyspace derives a stream's
// last ID from its top entry and keeps no entries-added or largest deleted
// ID, so a valid XSETID is accepted without effect: a later XADD with an ID
// between the top entry and the ID set is accepted where Redis refuses it
// (a documented deviation, README "The runtime").

// parseStrictStreamID is streamParseStrictIDOrReply: "ms-seq" or "ms",
// no "-" or "+".
func parseStrictStreamID(s string) (rdbfmt.StreamID, bool) {
	if len(s) > 127 || s == "-" || s == "+" {
		return rdbfmt.StreamID{}, false
	}
	ms, seq, hasSeq := strings.Cut(s, "-")
	var id rdbfmt.StreamID
	var err error
	if id.Ms, err = strconv.ParseUint(ms, 10, 64); err != nil {
		return id, false
	}
	if hasSeq {
		if id.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
			return id, false
		}
	}
	return id, true
}

const invalidStreamID = "Invalid stream ID specified as stream command argument"

func cmdXSetID(s *Server, c *client, argv []string) {
	id, ok := parseStrictStreamID(argv[2])
	if !ok {
		c.writeError(invalidStreamID)
		return
	}
	entriesAdded := int64(-1)
	for i := 3; i < len(argv); i += 2 {
		more := i < len(argv)-1
		switch opt := strings.ToLower(argv[i]); {
		case opt == "entriesadded" && more:
			n, err := strconv.ParseInt(argv[i+1], 10, 64)
			if err != nil || !isLongLong(argv[i+1]) {
				c.writeError("value is not an integer or out of range")
				return
			}
			if n < 0 {
				c.writeError("entries_added must be positive")
				return
			}
			entriesAdded = n
		case opt == "maxdeletedid" && more:
			max, ok := parseStrictStreamID(argv[i+1])
			if !ok {
				c.writeError(invalidStreamID)
				return
			}
			if id.Less(max) {
				c.writeError("The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
		default:
			c.writeError("syntax error")
			return
		}
	}
	db, key := c.db(), argv[1]
	switch s.ks.Type(db, key) {
	case "":
		c.writeError("no such key")
		return
	case "stream":
	default:
		c.writeError("-WRONGTYPE Operation against a key holding the wrong kind of value")
		return
	}
	v, _, err := s.ks.Value(db, key)
	if err != nil {
		c.writeError(err.Error())
		return
	}
	if n := len(v.Stream.Entries); n > 0 {
		top, _ := rdbfmt.ParseStreamID(v.Stream.Entries[n-1].ID)
		if id.Less(top) {
			c.writeError("The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && int64(n) > entriesAdded {
			c.writeError("The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	c.writeOK()
}

// cmdXGroupCreate is XGROUP CREATE with Redis 7.0's options: ENTRIESREAD
// (written by AOF rewrites for every group) is checked as Redis checks it
// and not kept (the keyspace tracks no lag), MKSTREAM passes through to the
// keyspace.
func cmdXGroupCreate(s *Server, c *client, argv []string) {
	fwd := argv[:5:5]
	for i := 5; i < len(argv); i++ {
		switch opt := strings.ToLower(argv[i]); {
		case opt == "mkstream":
			fwd = append(fwd, argv[i])
		case opt == "entriesread" && i+1 < len(argv):
			i++
			n, err := strconv.ParseInt(argv[i], 10, 64)
			if err != nil || !isLongLong(argv[i]) {
				c.writeError("value is not an integer or out of range")
				return
			}
			if n < 0 && n != -1 {
				c.writeError("value for ENTRIESREAD must be positive or -1")
				return
			}
		default:
			c.writeError(fmt.Sprintf("unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.", argv[1]))
			return
		}
	}
	keyspaceHandler(s, c, fwd)
}
