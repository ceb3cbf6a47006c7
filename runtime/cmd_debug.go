package runtime

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/keyspace"
)

// DEBUG, as Redis 7.0.15's debugCommand: RELOAD (a round trip of the
// libraries and the whole keyspace through fnkit's RDB writer and
// loaders), SLEEP, LOG, SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE,
// PROTOCOL, POPULATE, ERROR and the settings subcommands; the ones that
// crash or inspect Redis's allocator are refused.

// debugState is what DEBUG keeps between calls.
type debugState struct {
	mu sync.Mutex
	// rdb is the last RDB DEBUG RELOAD saved (what DEBUG RELOAD NOSAVE
	// loads: Redis's dump.rdb).
	rdb []byte
	// activeExpireOff, denyScriptsOff record DEBUG SET-ACTIVE-EXPIRE 0 and
	// SET-DISABLE-DENY-SCRIPTS 1 (accepted, no effect in fnkit).
	activeExpireOff, denyScriptsOff atomic.Bool
}

// debugNotAllowed is processCommand's refusal of a protected command.
const debugNotAllowed = `DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

// debugAllowed is allowProtectedAction for DEBUG: "yes", or "local" and a
// local client (in-process, a Unix socket, or a TCP peer 127.0.0.1 or
// ::1, as islocalClient).
func (s *Server) debugAllowed(c *client) bool {
	s.cfgMu.RLock()
	mode, ok := s.conf.extra["enable-debug-command"]
	s.cfgMu.RUnlock()
	if !ok {
		mode = "local"
	}
	switch mode {
	case "yes":
		return true
	case "local":
		return isLocalClient(c)
	}
	return false
}

func isLocalClient(c *client) bool {
	if c.conn == nil || c.isScript {
		return true
	}
	switch a := c.conn.RemoteAddr().(type) {
	case *net.UnixAddr:
		return true
	case *net.TCPAddr:
		ip := a.IP.String()
		return ip == "127.0.0.1" || ip == "::1"
	}
	return false
}

var debugHelp = []string{
	"AOF-FLUSH-SLEEP <microsec>",
	"    Server will sleep before flushing the AOF, this is used for testing.",
	"ASSERT",
	"    Crash by assertion failed.",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"CONFIG-REWRITE-FORCE-ALL",
	"    Like CONFIG REWRITE but writes all configuration options, including",
	"    keywords not listed in original configuration file or default values.",
	"CRASH-AND-RECOVER [<milliseconds>]",
	"    Hard crash and restart after a <milliseconds> delay (default 0).",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LEAK <string>",
	"    Create a memory leak of the input string.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"HTSTATS <dbid>",
	"    Return hash table statistics of the specified Redis database.",
	"HTSTATS-KEY <key>",
	"    Like HTSTATS but for the hash table stored at <key>'s value.",
	"LOADAOF",
	"    Flush the AOF buffers on disk and reload the AOF in memory.",
	"REPLICATE <string>",
	"    Replicates the provided string to replicas, allowing data divergence.",
	"MALLCTL <key> [<val>]",
	"    Get or set a malloc tuning integer.",
	"MALLCTL-STR <key> [<val>]",
	"    Get or set a malloc tuning string.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"DROP-CLUSTER-PACKET-FILTER <packet-type>",
	"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
	"OOM",
	"    Crash the server simulating an out-of-memory error.",
	"PANIC",
	"    Crash the server simulating a panic.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
	"    * MERGE: conflicting keys will be loaded from RDB.",
	"    * NOFLUSH: the existing database will not be removed before load, but",
	"      conflicting keys will generate an exception and kill the server.",
	"    * NOSAVE: the database will be loaded from an existing RDB file.",
	"    Examples:",
	"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
	"      the database.",
	"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
	"      existing RDB file.",
	"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
	"      file to the database.",
	"RESTART [<milliseconds>]",
	"    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
	"SDSLEN <key>",
	"    Show low level SDS string info representing `key` and value.",
	"SEGFAULT",
	"    Crash the server with sigsegv.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"QUICKLIST-PACKED-THRESHOLD <size>",
	"    Sets the threshold for elements to be inserted as plain vs packed nodes",
	"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
	"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
	"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"STRINGMATCH-TEST",
	"    Run a fuzz tester against the stringmatchlen() function.",
	"STRUCTSIZE",
	"    Return the size of different Redis core C structures.",
	"LISTPACK <key>",
	"    Show low level info about the listpack encoding of <key>.",
	"QUICKLIST <key> [<0|1>]",
	"    Show low level info about the quicklist encoding of <key>.",
	"    The optional argument (0 by default) sets the level of detail",
	"CLIENT-EVICTION",
	"    Show low level client eviction pools info (maxmemory-clients).",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
	"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
	"    In case NEVER is provided the last observed peak will never be reset",
	"    In case RESET is provided the peak reset time will be restored to the default value",
	"REPLYBUFFER RESIZING <0|1>",
	"    Enable or disable the reply buffer resize cron job",
	"CLUSTERLINK KILL <to|from|all> <node-id>",
	"    Kills the link based on the direction to/from (both) with the provided node.",
}

// strtod parses the longest prefix of s that is a number, as C's strtod
// (0 when there is none).
func strtod(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if len(s) > 64 {
		s = s[:64]
	}
	for i := len(s); i > 0; i-- {
		if f, err := strconv.ParseFloat(s[:i], 64); err == nil || errors.Is(err, strconv.ErrRange) {
			if math.IsNaN(f) {
				return 0
			}
			return f
		}
	}
	return 0
}

// cAtoi is C's atoi: the leading integer of s, 0 when there is none.
func cAtoi(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

func cmdDebug(s *Server, c *client, argv []string) {
	sub, n := strings.ToLower(argv[1]), len(argv)
	notImplemented := func() { c.writeError(fmt.Sprintf("fnkit does not implement DEBUG %s", strings.ToUpper(argv[1]))) }
	switch {
	case sub == "help" && n == 2:
		writeHelp(c, "DEBUG", debugHelp)
	case sub == "reload":
		s.debugReload(c, argv)
	case sub == "sleep" && n == 3:
		// the server is blocked meanwhile: this client holds the lock
		if f := strtod(argv[2]); f > 0 {
			time.Sleep(time.Duration(math.Min(f, 1e9) * float64(time.Second)))
		}
		c.writeOK()
	case sub == "log" && n == 3:
		s.logf(levelWarning, "DEBUG LOG: %s", argv[2])
		c.writeOK()
	case sub == "set-active-expire" && n == 3:
		s.debug.activeExpireOff.Store(cAtoi(argv[2]) == 0)
		c.writeOK()
	case sub == "set-disable-deny-scripts" && n == 3:
		s.debug.denyScriptsOff.Store(cAtoi(argv[2]) != 0)
		c.writeOK()
	case (sub == "set-skip-checksum-validation" || sub == "aof-flush-sleep" || sub == "pause-cron" || sub == "leak") && n == 3:
		c.writeOK()
	case sub == "replicate" && n >= 3:
		c.writeOK()
	case sub == "change-repl-id" && n == 2:
		s.logf(levelWarning, "Changing replication IDs after receiving DEBUG change-repl-id")
		s.info.init(s)
		c.writeOK()
	case sub == "quicklist-packed-threshold" && n == 3:
		if sz, ok := memtoull(argv[2]); !ok || sz > 1<<32-1<<20 {
			c.writeError("argument must be a memory value bigger than 1 and smaller than 4gb")
			return
		}
		c.writeOK()
	case sub == "drop-cluster-packet-filter" && n == 3:
		if _, err := strconv.ParseInt(argv[2], 10, 64); err != nil || !isLongLong(argv[2]) {
			c.writeError("value is not an integer or out of range")
			return
		}
		c.writeOK()
	case sub == "error" && n == 3:
		// written raw, as Redis's addReplySds: not counted in errorstats
		c.writeRaw([]byte("-" + cleanLine(argv[2]) + "\r\n"))
	case sub == "object" && n == 3:
		s.debugObject(c, argv[2])
	case (sub == "listpack" || sub == "quicklist") && (n == 3 || sub == "quicklist" && n == 4):
		enc := s.objectEncoding(c.db(), argv[2])
		switch {
		case enc == "":
			c.writeError("no such key")
		case sub == "listpack" && enc != "listpack":
			c.writeError("Not a listpack encoded object.")
		case sub == "quicklist" && enc != "quicklist":
			c.writeError("Not a quicklist encoded object.")
		case sub == "listpack":
			c.writeStatus("Listpack structure printed on stdout")
		default:
			c.writeStatus("Quicklist structure printed on stdout")
		}
	case sub == "sdslen" && n == 3:
		v, ok, _ := s.ks.Value(c.db(), argv[2])
		switch {
		case !ok:
			c.writeError("no such key")
		case v.Type != "string" || encodingOf(v, encodingLimits{}) == "int":
			c.writeError("Not an sds encoded string.")
		default:
			k, val := int64(len(argv[2])), int64(len(v.Str))
			c.writeStatus(fmt.Sprintf("key_sds_len:%d, key_sds_avail:0, key_zmalloc: %d, val_sds_len:%d, val_sds_avail:0, val_zmalloc: %d",
				k, sdsAlloc(k), val, sdsAlloc(val)))
		}
	case sub == "populate" && n >= 3 && n <= 5:
		s.debugPopulate(c, argv)
	case sub == "digest" && n == 2:
		c.writeStatus(hex.EncodeToString(s.datasetDigest()))
	case sub == "digest-value" && n >= 2:
		out := resp.Value{Kind: resp.Array, Elems: []resp.Value{}}
		for _, key := range argv[2:] {
			var d [20]byte
			if v, ok, _ := s.ks.Value(c.db(), key); ok {
				objectDigest(d[:], v)
			}
			out.Elems = append(out.Elems, resp.Status(hex.EncodeToString(d[:])))
		}
		c.writeValue(out)
	case sub == "protocol" && n == 3:
		debugProtocol(c, argv[2])
	case sub == "stringmatch-test" && n == 2:
		c.writeStatus("Apparently Redis did not crash: test passed")
	case sub == "client-eviction" && n == 2:
		c.writeError("maxmemory-clients is disabled.")
	case sub == "replybuffer" && n == 4:
		switch strings.ToLower(argv[2]) {
		case "peak-reset-time":
			if a := strings.ToLower(argv[3]); a != "never" && a != "reset" && !isLongLong(argv[3]) {
				c.writeError("value is not an integer or out of range")
				return
			}
		case "resizing":
		default:
			c.writeError(subcommandSyntaxError(argv))
			return
		}
		c.writeOK()
	case sub == "clusterlink" && n == 5 && strings.EqualFold(argv[2], "kill"):
		c.writeError("Debug option only available for cluster mode enabled setup!")
	case sub == "segfault" || sub == "panic" || sub == "restart" || sub == "crash-and-recover" || sub == "oom" || sub == "assert":
		c.writeError(fmt.Sprintf("fnkit does not crash on request (DEBUG %s)", strings.ToUpper(argv[1])))
	case sub == "loadaof" || (sub == "structsize" || sub == "config-rewrite-force-all") && n == 2 ||
		(sub == "htstats" || sub == "htstats-key") && n == 3 || (sub == "mallctl" || sub == "mallctl-str") && n >= 3:
		notImplemented()
	default:
		c.writeError(subcommandSyntaxError(argv))
	}
}

// sdsAlloc approximates the allocation of an sds string of n bytes: the
// smallest header for n, the bytes and the terminator.
func sdsAlloc(n int64) int64 {
	switch {
	case n < 1<<5:
		return n + 2
	case n < 1<<8:
		return n + 4
	case n < 1<<16:
		return n + 6
	case n < 1<<32:
		return n + 10
	}
	return n + 18
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the
// libraries and the keyspace to an RDB (kept in memory, Redis's dump.rdb),
// empty the server, and load the RDB back.
func (s *Server) debugReload(c *client, argv []string) {
	merge, flush, save := false, true, true
	for _, opt := range argv[2:] {
		switch strings.ToLower(opt) {
		case "merge":
			merge = true
		case "noflush":
			flush = false
		case "nosave":
			save = false
		default:
			c.writeError("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	if save {
		var buf bytes.Buffer
		if err := s.saveRDB(&buf); err != nil {
			s.logf(levelWarning, "Write error saving DB on disk: %v", err)
			c.writeError(fmt.Sprintf("fnkit: DEBUG RELOAD cannot save the dataset: %v", err))
			return
		}
		s.debug.mu.Lock()
		s.debug.rdb = buf.Bytes()
		s.debug.mu.Unlock()
		s.info.saves.Add(1)
		s.info.lastSave.Store(time.Now().Unix())
		s.logf(levelNotice, "DB saved on disk")
	}
	if flush {
		s.ks.FlushAll()
		s.reg.Flush()
		s.updateCounts()
		s.touchDB(-1)
	}
	s.debug.mu.Lock()
	data := s.debug.rdb
	s.debug.mu.Unlock()
	if data == nil {
		s.logf(levelWarning, "Fatal error loading the DB: No such file or directory. Exiting.")
		c.writeError("Error trying to load the RDB dump")
		return
	}
	if err := s.loadRDBBytes(data, merge); err != nil {
		s.updateCounts()
		s.logf(levelWarning, "%v", err)
		c.writeError("Error trying to load the RDB dump")
		return
	}
	s.logf(levelWarning, "DB reloaded by DEBUG RELOAD")
	c.writeOK()
}

// loadRDBBytes loads the libraries (through rdbfmt's Reader) and the
// keyspace (through the RDB loader) of an RDB held in memory; replace is
// DEBUG RELOAD MERGE: libraries and keys already present are replaced
// instead of refused.
func (s *Server) loadRDBBytes(data []byte, replace bool) error {
	s.logf(levelNotice, "Loading RDB produced by version %s", Version)
	rd := rdbfmt.NewReader(bytes.NewReader(data), rdbfmt.ReaderOptions{File: "dump.rdb"})
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rec.Kind == rdbfmt.KindKey || rec.Kind == rdbfmt.KindSelectDB {
			break
		}
		if rec.Kind != rdbfmt.KindFunction {
			continue
		}
		if _, err := s.reg.Load(s.ctx, rec.Library.Code, replace, 0); err != nil {
			return fmt.Errorf("Failed loading library %s: %v", rec.Library.Name, err)
		}
	}
	s.updateCounts()
	st, err := s.loadRDB(bytes.NewReader(data), "dump.rdb", replace, false)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range st.Keys {
		total += n
	}
	s.info.loaded.Store(int64(total))
	s.info.expired.Store(int64(st.Expired))
	s.logf(levelNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", total, st.Expired)
	return nil
}

// debugObject is DEBUG OBJECT key.
func (s *Server) debugObject(c *client, key string) {
	db := c.db()
	v, ok, err := s.ks.Value(db, key)
	if err != nil {
		c.writeError(err.Error())
		return
	}
	if !ok {
		c.writeError("no such key")
		return
	}
	lim := s.encodingLimits()
	enc := s.objectEncoding(db, key)
	idle := int64(0)
	if r, _, err := parseReply(c.ks.Do([]string{"OBJECT", "IDLETIME", key})); err == nil && r.Kind == resp.Integer {
		idle = r.Int
	}
	_, body, err := encodeValue(v, true)
	if err != nil {
		body = nil
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s", db, key)
	addr := 0x7f0000000000 | h.Sum64()&0xffffffff0
	lru := (time.Now().Unix() - idle) & (1<<24 - 1)
	extra := ""
	if enc == "quicklist" {
		extra = quicklistStats(v.Elems, lim.listFill)
	}
	c.writeStatus(fmt.Sprintf("Value at:0x%x refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
		addr, s.refCount(v), enc, len(body), lru, idle, extra))
}

// quicklistStats are DEBUG OBJECT's quicklist fields for a list packed
// into listpack nodes as Redis packs them (a fill of -1 to -5 bounds a
// node at 4 to 64 KiB, a positive fill bounds its element count).
func quicklistStats(elems []string, fill int64) string {
	maxBytes, maxCount := int64(8192), int64(math.MaxInt64)
	switch {
	case fill >= 0:
		maxCount = fill
		if maxCount == 0 {
			maxCount = 1
		}
		maxBytes = 8192
	case fill >= -5:
		maxBytes = 4096 << (-fill - 1)
	default:
		maxBytes = 65536
	}
	nodes, total := int64(0), int64(0)
	cur, count := int64(0), int64(0)
	for _, e := range elems {
		sz := int64(len(rdbfmt.AppendListpack(nil, [][]byte{[]byte(e)}))) - 7
		if nodes == 0 || cur+sz+7 > maxBytes && count > 0 || count >= maxCount {
			if nodes > 0 {
				total += cur + 7
			}
			nodes++
			cur, count = 0, 0
		}
		cur += sz
		count++
	}
	if nodes > 0 {
		total += cur + 7
	}
	avg := 0.0
	if nodes > 0 {
		avg = float64(len(elems)) / float64(nodes)
	}
	return fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 ql_uncompressed_size:%d", nodes, avg, fill, total)
}

// debugPopulate is DEBUG POPULATE count [prefix] [size].
func (s *Server) debugPopulate(c *client, argv []string) {
	positive := func(a string) (int64, bool) {
		// getPositiveLongFromObjectOrReply: one message for both
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || !isLongLong(a) || n < 0 {
			c.writeError("value is out of range, must be positive")
			return 0, false
		}
		return n, true
	}
	count, ok := positive(argv[2])
	if !ok {
		return
	}
	size := int64(0)
	if len(argv) == 5 {
		if size, ok = positive(argv[4]); !ok {
			return
		}
	}
	prefix := "key"
	if len(argv) >= 4 {
		prefix = argv[3]
	}
	db := c.db()
	for j := int64(0); j < count; j++ {
		key := prefix + ":" + strconv.FormatInt(j, 10)
		if s.ks.Type(db, key) != "" {
			continue
		}
		val := "value:" + strconv.FormatInt(j, 10)
		if size > 0 {
			b := make([]byte, size)
			copy(b, val)
			val = string(b)
		}
		c.ks.Do([]string{"SET", key, val})
	}
	c.writeOK()
}

// debugProtocol is DEBUG PROTOCOL type.
func debugProtocol(c *client, name string) {
	ints := func(n int) []resp.Value {
		out := make([]resp.Value, n)
		for i := range out {
			out[i] = resp.Int(int64(i))
		}
		return out
	}
	switch strings.ToLower(name) {
	case "string":
		c.writeBulk("Hello World")
	case "integer":
		c.writeInt(12345)
	case "double":
		c.writeValue(resp.Value{Kind: resp.Double, Str: "3.141"})
	case "bignum":
		c.writeValue(resp.Value{Kind: resp.BigNumber, Str: "1234567999999999999999999999999999999"})
	case "null":
		if c.resp3 {
			c.writeValue(resp.Value{Kind: resp.Null})
		} else {
			c.writeNull()
		}
	case "array":
		c.writeValue(resp.Value{Kind: resp.Array, Elems: ints(3)})
	case "set":
		c.writeValue(resp.Value{Kind: resp.Set, Elems: ints(3)})
	case "map":
		m := resp.Value{Kind: resp.Map}
		for j := 0; j < 3; j++ {
			m.Elems = append(m.Elems, resp.Int(int64(j)), resp.Value{Kind: resp.Boolean, Bool: j == 1})
		}
		c.writeValue(m)
	case "attrib":
		if c.resp3 {
			c.writeValue(resp.Value{Kind: resp.Attribute, Elems: []resp.Value{resp.Bulk("key-popularity"), resp.Arr(resp.Bulk("key:123"), resp.Int(90))}})
		}
		c.writeBulk("Some real reply following the attribute")
	case "push":
		if !c.resp3 {
			c.writeError("RESP2 is not supported by this command")
			return
		}
		c.writeValue(resp.Value{Kind: resp.Push, Elems: []resp.Value{resp.Bulk("server-cpu-usage"), resp.Int(42)}})
		c.writeBulk("Some real reply following the push reply")
	case "true":
		c.writeValue(resp.Value{Kind: resp.Boolean, Bool: true})
	case "false":
		c.writeValue(resp.Value{Kind: resp.Boolean, Bool: false})
	case "verbatim":
		c.writeValue(resp.Value{Kind: resp.Verbatim, Format: "txt", Str: "This is a verbatim\nstring"})
	default:
		c.writeError("Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// Digests, as debug.c computes them: a key's digest mixes its name, its
// type and its value (in order for lists and streams, order-free for
// sets, hashes and sorted sets); the dataset's xors every key's digest
// into a digest seeded with each non-empty database's number.

func xorDigest(digest []byte, data []byte) {
	h := sha1.Sum(data)
	for i := range digest {
		digest[i] ^= h[i]
	}
}

func mixDigest(digest []byte, data []byte) {
	xorDigest(digest, data)
	h := sha1.Sum(digest)
	copy(digest, h[:])
}

// objType is Redis's OBJ_* type number.
func objType(t string) uint32 {
	switch t {
	case "list":
		return 1
	case "set":
		return 2
	case "zset":
		return 3
	case "hash":
		return 4
	case "stream":
		return 6
	}
	return 0
}

// fmtG17 is C's "%.17g".
func fmtG17(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// objectDigest is xorObjectDigest.
func objectDigest(digest []byte, v keyspace.Value) {
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], objType(v.Type))
	mixDigest(digest, aux[:])
	switch v.Type {
	case "string":
		mixDigest(digest, []byte(v.Str))
	case "list":
		for _, e := range v.Elems {
			mixDigest(digest, []byte(e))
		}
	case "set":
		for _, e := range v.Elems {
			xorDigest(digest, []byte(e))
		}
	case "zset":
		for _, m := range v.ZSet {
			var ele [20]byte
			mixDigest(ele[:], []byte(m.Member))
			mixDigest(ele[:], []byte(fmtG17(m.Score)))
			xorDigest(digest, ele[:])
		}
	case "hash":
		for i := 0; i+1 < len(v.Pairs); i += 2 {
			var ele [20]byte
			mixDigest(ele[:], []byte(v.Pairs[i]))
			mixDigest(ele[:], []byte(v.Pairs[i+1]))
			xorDigest(digest, ele[:])
		}
	case "stream":
		for _, e := range v.Stream.Entries {
			mixDigest(digest, []byte(strings.Replace(e.ID, "-", ".", 1)))
			for _, f := range e.Values {
				mixDigest(digest, []byte(f))
			}
		}
	}
	if !v.ExpireAt.IsZero() {
		xorDigest(digest, []byte("!!expire!!"))
	}
}

// datasetDigest is computeDatasetDigest.
func (s *Server) datasetDigest() []byte {
	final := make([]byte, 20)
	for db := 0; db < s.ks.Databases(); db++ {
		keys := s.ks.Keys(db)
		if len(keys) == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(db))
		mixDigest(final, aux[:])
		for _, key := range keys {
			v, ok, err := s.ks.Value(db, key)
			if err != nil || !ok {
				continue
			}
			var d [20]byte
			mixDigest(d[:], []byte(key))
			objectDigest(d[:], v)
			xorDigest(final, d[:])
		}
	}
	return final
}
