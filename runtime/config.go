package runtime

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/internal/glob"
)

// CONFIG GET and SET for the settings that matter to a Functions server,
// with Redis 7.0's names, aliases, value formats and error words, plus
// fnkit's own limits (fnkit-script-time-limit, fnkit-script-memory-limit).
// Other common parameters are accepted and remembered so that tools that
// set them keep working; they have no effect.

type configParam struct {
	name  string
	alias string
	kind  string // "int", "memory", "bool", "enum", "string"
	enum  []string
	get   func(s *settings) string
	set   func(s *Server, st *settings, v string) error
	// immutable parameters cannot be set at run time
	immutable bool
}

func memoryValue(v string) (int64, bool) {
	v = strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mul = strings.TrimSuffix(v, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * mul, true
}

var configParams []*configParam

func init() {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	intMs := func(dst func(st *settings) *time.Duration) func(s *Server, st *settings, v string) error {
		return func(s *Server, st *settings, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("argument couldn't be parsed into an integer")
			}
			if n < 0 {
				return fmt.Errorf("argument must be between 0 and 9223372036854775807 inclusive")
			}
			*dst(st) = time.Duration(n) * time.Millisecond
			return nil
		}
	}
	// an int config of Redis's with the range 0 to INT_MAX
	intRange := func(dst func(st *settings) *int64) func(s *Server, st *settings, v string) error {
		return func(s *Server, st *settings, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("argument couldn't be parsed into an integer")
			}
			if n < 0 || n > math.MaxInt32 {
				return fmt.Errorf("argument must be between 0 and 2147483647 inclusive")
			}
			*dst(st) = n
			return nil
		}
	}
	configParams = []*configParam{
		{name: "busy-reply-threshold", alias: "lua-time-limit", kind: "int",
			get: func(st *settings) string { return ms(st.busyReplyThreshold) },
			set: intMs(func(st *settings) *time.Duration { return &st.busyReplyThreshold })},
		{name: "maxmemory", kind: "memory",
			get: func(st *settings) string { return strconv.FormatInt(st.maxmemory, 10) },
			set: func(s *Server, st *settings, v string) error {
				n, ok := memoryValue(v)
				if !ok {
					return fmt.Errorf("argument must be a memory value")
				}
				st.maxmemory = n
				return nil
			}},
		{name: "maxmemory-policy", kind: "enum",
			enum: []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"},
			get:  func(st *settings) string { return st.maxmemoryPolicy },
			set:  func(s *Server, st *settings, v string) error { st.maxmemoryPolicy = strings.ToLower(v); return nil }},
		{name: "requirepass", kind: "string",
			get: func(st *settings) string { return st.requirepass },
			set: func(s *Server, st *settings, v string) error {
				st.requirepass = v
				s.acl.setDefaultPassword(v)
				return nil
			}},
		{name: "loglevel", kind: "enum", enum: []string{"debug", "verbose", "notice", "warning"},
			get: func(st *settings) string { return st.loglevel },
			set: func(s *Server, st *settings, v string) error { st.loglevel = strings.ToLower(v); return nil }},
		{name: "lazyfree-lazy-user-flush", kind: "bool",
			get: func(st *settings) string { return yesNo(st.lazyfreeUserFlush) },
			set: func(s *Server, st *settings, v string) error {
				st.lazyfreeUserFlush = strings.EqualFold(v, "yes")
				return nil
			}},
		{name: "min-replicas-to-write", alias: "min-slaves-to-write", kind: "int",
			get: func(st *settings) string { return strconv.FormatInt(st.minReplicasToWrite, 10) },
			set: intRange(func(st *settings) *int64 { return &st.minReplicasToWrite })},
		{name: "min-replicas-max-lag", alias: "min-slaves-max-lag", kind: "int",
			get: func(st *settings) string { return strconv.FormatInt(st.minReplicasMaxLag, 10) },
			set: intRange(func(st *settings) *int64 { return &st.minReplicasMaxLag })},
		{name: "databases", kind: "int", immutable: true,
			get: func(st *settings) string { return strconv.Itoa(st.databases) }},
		{name: "fnkit-script-time-limit", kind: "int",
			get: func(st *settings) string { return ms(st.scriptTimeLimit) },
			set: intMs(func(st *settings) *time.Duration { return &st.scriptTimeLimit })},
		{name: "fnkit-script-memory-limit", kind: "memory",
			get: func(st *settings) string { return strconv.FormatInt(st.scriptMemoryLimit, 10) },
			set: func(s *Server, st *settings, v string) error {
				n, ok := memoryValue(v)
				if !ok {
					return fmt.Errorf("argument must be a memory value")
				}
				st.scriptMemoryLimit = n
				return nil
			}},
	}
	for name, def := range map[string]string{
		"appendonly": "no", "save": "", "timeout": "0", "maxclients": "10000", "hz": "10",
		"notify-keyspace-events": "", "slowlog-log-slower-than": "10000", "slowlog-max-len": "128",
		"latency-monitor-threshold": "0", "lua-replicate-commands": "yes", "protected-mode": "no",
		"replica-serve-stale-data": "yes", "replica-read-only": "yes", "maxmemory-samples": "5",
		"proto-max-bulk-len": "536870912", "client-query-buffer-limit": "1073741824",
		"active-expire-effort": "1", "activedefrag": "no", "lazyfree-lazy-eviction": "no",
		"lazyfree-lazy-expire": "no", "lazyfree-lazy-server-del": "no", "appendfsync": "everysec",
		"rdbcompression": "yes", "rdbchecksum": "yes", "dbfilename": "dump.rdb", "dir": ".",
		"enable-debug-command": "local", "list-max-listpack-size": "-2", "set-max-intset-entries": "512",
		"hash-max-listpack-entries": "128", "zset-max-listpack-entries": "128",
	} {
		name, def := name, def
		configParams = append(configParams, &configParam{name: name, kind: "string",
			get: func(st *settings) string {
				if v, ok := st.extra[name]; ok {
					return v
				}
				return def
			},
			set: func(s *Server, st *settings, v string) error { st.extra[name] = v; return nil }})
	}
	sort.Slice(configParams, func(i, j int) bool { return configParams[i].name < configParams[j].name })
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func lookupConfig(name string) *configParam {
	for _, p := range configParams {
		if strings.EqualFold(p.name, name) || p.alias != "" && strings.EqualFold(p.alias, name) {
			return p
		}
	}
	return nil
}

func cmdConfigGet(s *Server, c *client, argv []string) {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	out := resp.Value{Kind: resp.Map}
	seen := map[string]bool{}
	for _, pat := range argv[2:] {
		if !strings.ContainsAny(pat, "[*?") {
			if seen[pat] {
				continue
			}
			if p := lookupConfig(pat); p != nil {
				seen[pat] = true
				out.Elems = append(out.Elems, resp.Bulk(pat), resp.Bulk(p.get(&s.conf)))
			}
			continue
		}
		for _, p := range configParams {
			for _, n := range []string{p.name, p.alias} {
				if n != "" && !seen[n] && glob.Match(pat, n, true) {
					seen[n] = true
					out.Elems = append(out.Elems, resp.Bulk(n), resp.Bulk(p.get(&s.conf)))
				}
			}
		}
	}
	c.writeValue(out)
}

func cmdConfigSet(s *Server, c *client, argv []string) {
	if (len(argv)-2)%2 != 0 {
		c.writeError(fmt.Sprintf("Unknown option or number of arguments for CONFIG SET - '%s'", argv[len(argv)-1]))
		return
	}
	s.cfgMu.Lock()
	next := s.conf
	next.extra = map[string]string{}
	for k, v := range s.conf.extra {
		next.extra[k] = v
	}
	for i := 2; i < len(argv); i += 2 {
		p := lookupConfig(argv[i])
		if p == nil {
			s.cfgMu.Unlock()
			c.writeError(fmt.Sprintf("Unknown option or number of arguments for CONFIG SET - '%s'", argv[i]))
			return
		}
		if p.immutable || p.set == nil {
			s.cfgMu.Unlock()
			c.writeError(fmt.Sprintf("CONFIG SET failed (possibly related to argument '%s') - can't set immutable config", argv[i]))
			return
		}
		v := argv[i+1]
		if p.kind == "enum" {
			ok := false
			for _, e := range p.enum {
				if strings.EqualFold(e, v) {
					ok = true
				}
			}
			if !ok {
				s.cfgMu.Unlock()
				c.writeError(fmt.Sprintf("CONFIG SET failed (possibly related to argument '%s') - argument(s) must be one of the following: %s", argv[i], strings.Join(p.enum, ", ")))
				return
			}
		}
		if p.kind == "bool" && !strings.EqualFold(v, "yes") && !strings.EqualFold(v, "no") {
			s.cfgMu.Unlock()
			c.writeError(fmt.Sprintf("CONFIG SET failed (possibly related to argument '%s') - argument must be 'yes' or 'no'", argv[i]))
			return
		}
		if err := p.set(s, &next, v); err != nil {
			s.cfgMu.Unlock()
			c.writeError(fmt.Sprintf("CONFIG SET failed (possibly related to argument '%s') - %s", argv[i], err))
			return
		}
	}
	s.conf = next
	s.noReplicas.Store(next.minReplicasToWrite > 0 && next.minReplicasMaxLag > 0)
	s.cfgMu.Unlock()
	s.eng.SetLimits(next.scriptTimeLimit, next.scriptMemoryLimit)
	s.floor.set(next.maxmemory == 0 && !s.closed.Load())
	c.writeOK()
}

func cmdConfigResetStat(s *Server, c *client, argv []string) {
	s.statsMu.Lock()
	s.errStats = map[string]int64{}
	s.statsMu.Unlock()
	for _, st := range s.stats {
		st.calls.Store(0)
		st.usec.Store(0)
		st.rejected.Store(0)
		st.failed.Store(0)
	}
	s.rejected.Store(0)
	s.failed.Store(0)
	s.errTotal.Store(0)
	c.writeOK()
}

func cmdConfigRewrite(s *Server, c *client, argv []string) {
	c.writeError("The server is running without a config file")
}

func cmdConfigHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "CONFIG", []string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}
