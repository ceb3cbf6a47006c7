package runtime

import (
	"fmt"
	"os"
	goruntime "runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/internal/glob"
)

// Server commands: INFO, CONFIG, COMMAND, FLUSHALL/FLUSHDB, SHUTDOWN, DEBUG,
// SCRIPT KILL.

func timeSinceMs(t time.Time) int64 { return time.Since(t).Milliseconds() }

// usedMemory is fnkit's used_memory: the live Go heap.
func (s *Server) usedMemory() int64 {
	sm := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sm)
	return int64(sm[0].Value.Uint64())
}

func cmdFlushAll(s *Server, c *client, argv []string) {
	if len(argv) > 2 || len(argv) == 2 && !strings.EqualFold(argv[1], "sync") && !strings.EqualFold(argv[1], "async") {
		c.writeError("syntax error")
		return
	}
	s.ks.FlushAll()
	s.touchDB(-1)
	c.writeOK()
}

func cmdFlushDB(s *Server, c *client, argv []string) {
	if len(argv) > 2 || len(argv) == 2 && !strings.EqualFold(argv[1], "sync") && !strings.EqualFold(argv[1], "async") {
		c.writeError("syntax error")
		return
	}
	c.writeRaw(c.ks.Do([]string{"FLUSHDB"}))
	s.touchDB(c.db())
}

func cmdShutdown(s *Server, c *client, argv []string) {
	s.smu.Lock()
	if r := s.running; r != nil {
		r.frun.Stop(functions.ErrShutdown)
	}
	s.smu.Unlock()
	select {
	case <-s.shutdownReq:
	default:
		close(s.shutdownReq)
	}
	c.closing = true
}

func cmdScriptKill(s *Server, c *client, argv []string) {
	s.smu.Lock()
	run := s.running
	s.smu.Unlock()
	if run == nil {
		c.writeError("-NOTBUSY No scripts in execution right now.")
		return
	}
	s.functionKill(c, true)
}

func cmdDebug(s *Server, c *client, argv []string) {
	switch strings.ToLower(argv[1]) {
	case "sleep":
		f, err := strconv.ParseFloat(argv[2], 64)
		if err != nil || len(argv) != 3 {
			c.writeError("syntax error")
			return
		}
		time.Sleep(time.Duration(f * float64(time.Second)))
		c.writeOK()
	case "log":
		if len(argv) != 3 {
			c.writeError("syntax error")
			return
		}
		s.logf(levelWarning, "DEBUG LOG: %s", argv[2])
		c.writeOK()
	case "set-active-expire":
		c.writeOK()
	default:
		c.writeError(fmt.Sprintf("fnkit does not implement DEBUG %s", strings.ToUpper(argv[1])))
	}
}

// INFO.

var defaultInfoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}
var allInfoSections = append(append([]string{}, defaultInfoSections...), "commandstats")

func cmdInfo(s *Server, c *client, argv []string) {
	want := map[string]bool{}
	if len(argv) == 1 {
		for _, n := range defaultInfoSections {
			want[n] = true
		}
	}
	for _, a := range argv[1:] {
		switch a = strings.ToLower(a); a {
		case "all", "everything":
			for _, n := range allInfoSections {
				want[n] = true
			}
		case "default":
			for _, n := range defaultInfoSections {
				want[n] = true
			}
		default:
			want[a] = true
		}
	}
	var b strings.Builder
	for _, sec := range allInfoSections {
		if !want[sec] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		s.infoSection(&b, sec)
	}
	c.writeValue(resp.Value{Kind: resp.Verbatim, Format: "txt", Str: b.String()})
}

func (s *Server) infoSection(b *strings.Builder, sec string) {
	line := func(k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }
	switch sec {
	case "server":
		b.WriteString("# Server\r\n")
		line("redis_version", Version)
		line("redis_git_sha1", "00000000")
		line("redis_git_dirty", 0)
		line("redis_build_id", "fnkit")
		line("redis_mode", "standalone")
		line("os", goruntime.GOOS+" "+goruntime.GOARCH)
		line("arch_bits", 64)
		line("multiplexing_api", "go")
		line("gcc_version", "0.0.0")
		line("process_id", os.Getpid())
		line("process_supervised", "no")
		line("run_id", fmt.Sprintf("%040x", s.started.UnixNano()))
		line("tcp_port", s.port)
		line("server_time_usec", time.Now().UnixMicro())
		up := time.Since(s.started)
		line("uptime_in_seconds", int64(up.Seconds()))
		line("uptime_in_days", int64(up.Hours()/24))
		line("hz", 10)
		line("configured_hz", 10)
		line("executable", os.Args[0])
		line("config_file", "")
		line("io_threads_active", 0)
		line("fnkit", "1")
	case "clients":
		s.clientsMu.Lock()
		n := len(s.clients)
		s.clientsMu.Unlock()
		b.WriteString("# Clients\r\n")
		line("connected_clients", n)
		line("cluster_connections", 0)
		line("maxclients", 10000)
		line("client_recent_max_input_buffer", 0)
		line("client_recent_max_output_buffer", 0)
		line("blocked_clients", 0)
		line("tracking_clients", 0)
		line("clients_in_timeout_table", 0)
	case "memory":
		used := s.usedMemory()
		lua := s.eng.UsedMemory()
		s.cfgMu.RLock()
		max, policy := s.conf.maxmemory, s.conf.maxmemoryPolicy
		s.cfgMu.RUnlock()
		b.WriteString("# Memory\r\n")
		line("used_memory", used)
		line("used_memory_human", humanBytes(used))
		line("used_memory_peak", used)
		line("used_memory_peak_human", humanBytes(used))
		line("used_memory_lua", lua)
		line("used_memory_vm_eval", 0)
		line("used_memory_lua_human", humanBytes(lua))
		line("used_memory_scripts_eval", 0)
		line("number_of_cached_scripts", 0)
		line("number_of_functions", s.funcCount.Load())
		line("number_of_libraries", s.libCount.Load())
		line("used_memory_vm_functions", lua)
		line("used_memory_vm_total", lua)
		line("used_memory_vm_total_human", humanBytes(lua))
		line("used_memory_functions", 0)
		line("used_memory_scripts", 0)
		line("used_memory_scripts_human", "0B")
		line("maxmemory", max)
		line("maxmemory_human", humanBytes(max))
		line("maxmemory_policy", policy)
		line("mem_allocator", "go")
	case "persistence":
		b.WriteString("# Persistence\r\n")
		line("loading", 0)
		line("async_loading", 0)
		line("rdb_changes_since_last_save", 0)
		line("rdb_bgsave_in_progress", 0)
		line("rdb_last_bgsave_status", "ok")
		line("aof_enabled", 0)
		line("aof_rewrite_in_progress", 0)
		line("aof_last_write_status", "ok")
	case "stats":
		rejected, failed := s.rejected.Load(), s.failed.Load()
		b.WriteString("# Stats\r\n")
		line("total_connections_received", s.totalConns.Load())
		line("total_commands_processed", s.totalCmds.Load())
		line("instantaneous_ops_per_sec", 0)
		line("rejected_connections", 0)
		line("expired_keys", 0)
		line("evicted_keys", 0)
		line("keyspace_hits", 0)
		line("keyspace_misses", 0)
		line("pubsub_channels", 0)
		line("pubsub_patterns", 0)
		line("total_error_replies", s.errTotal.Load())
		line("total_rejected_calls", rejected)
		line("total_failed_calls", failed)
	case "replication":
		b.WriteString("# Replication\r\n")
		line("role", "master")
		line("connected_slaves", 0)
		line("master_failover_state", "no-failover")
		line("master_repl_offset", 0)
	case "cpu":
		b.WriteString("# CPU\r\n")
		line("used_cpu_sys", "0.000000")
		line("used_cpu_user", "0.000000")
	case "modules":
		b.WriteString("# Modules\r\n")
	case "errorstats":
		b.WriteString("# Errorstats\r\n")
		s.statsMu.Lock()
		codes := make([]string, 0, len(s.errStats))
		for k := range s.errStats {
			codes = append(codes, k)
		}
		sort.Strings(codes)
		for _, k := range codes {
			line("errorstat_"+k, fmt.Sprintf("count=%d", s.errStats[k]))
		}
		s.statsMu.Unlock()
	case "cluster":
		b.WriteString("# Cluster\r\n")
		line("cluster_enabled", 0)
	case "keyspace":
		b.WriteString("# Keyspace\r\n")
		for db := 0; db < s.ks.Databases(); db++ {
			keys, expires := s.ks.Stats(db)
			if keys > 0 {
				line(fmt.Sprintf("db%d", db), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", keys, expires))
			}
		}
	case "commandstats":
		b.WriteString("# Commandstats\r\n")
		type row struct {
			name string
			st   *cmdStat
		}
		var rows []row
		for cmd, st := range s.stats {
			if st.calls.Load() > 0 || st.rejected.Load() > 0 {
				rows = append(rows, row{cmd.Name, st})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
		for _, r := range rows {
			calls, usec := r.st.calls.Load(), r.st.usec.Load()
			per := 0.0
			if calls > 0 {
				per = float64(usec) / float64(calls)
			}
			line("cmdstat_"+r.name, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d", calls, usec, per, r.st.rejected.Load(), r.st.failed.Load()))
		}
	}
}

func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
	return fmt.Sprintf("%.2fT", f/(1<<40))
}

// COMMAND.

func cmdCommand(s *Server, c *client, argv []string) {
	out := resp.Value{Kind: resp.Array}
	for _, cmd := range cmdtable.All() {
		out.Elems = append(out.Elems, cmd.Info)
	}
	c.writeValue(out)
}

func cmdCommandCount(s *Server, c *client, argv []string) {
	c.writeInt(int64(len(cmdtable.All())))
}

func lookupFullName(name string) *cmdtable.Command {
	top, sub, hasSub := strings.Cut(strings.ToLower(name), "|")
	cmd := cmdtable.Lookup(top)
	if cmd == nil || !hasSub {
		return cmd
	}
	if cmd.Subcommands == nil {
		return nil
	}
	return cmd.Subcommands[sub]
}

func cmdCommandInfo(s *Server, c *client, argv []string) {
	if len(argv) == 2 {
		cmdCommand(s, c, argv)
		return
	}
	out := resp.Value{Kind: resp.Array}
	for _, n := range argv[2:] {
		if cmd := lookupFullName(n); cmd != nil {
			out.Elems = append(out.Elems, cmd.Info)
		} else {
			out.Elems = append(out.Elems, resp.NullBulk())
		}
	}
	c.writeValue(out)
}

func cmdCommandDocs(s *Server, c *client, argv []string) {
	docs, order := cmdtable.Docs()
	out := resp.Value{Kind: resp.Map}
	if len(argv) == 2 {
		for _, n := range order {
			out.Elems = append(out.Elems, resp.Bulk(n), docs[n])
		}
	} else {
		for _, n := range argv[2:] {
			name := strings.ToLower(n)
			if d, ok := docs[name]; ok {
				out.Elems = append(out.Elems, resp.Bulk(name), d)
			}
		}
	}
	c.writeValue(out)
}

func cmdCommandList(s *Server, c *client, argv []string) {
	filter := func(*cmdtable.Command) bool { return true }
	if len(argv) > 2 {
		if len(argv) != 5 || !strings.EqualFold(argv[2], "filterby") {
			c.writeError("syntax error")
			return
		}
		arg := argv[4]
		switch strings.ToLower(argv[3]) {
		case "module":
			filter = func(*cmdtable.Command) bool { return false }
		case "aclcat":
			filter = func(cmd *cmdtable.Command) bool {
				for _, a := range cmd.ACLCategories {
					if strings.EqualFold(strings.TrimPrefix(a, "@"), arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			filter = func(cmd *cmdtable.Command) bool { return glob.Match(arg, cmd.Name, true) }
		default:
			c.writeError("syntax error")
			return
		}
	}
	out := resp.Value{Kind: resp.Array}
	for _, cmd := range cmdtable.All() {
		if filter(cmd) {
			out.Elems = append(out.Elems, resp.Bulk(cmd.Name))
		}
		names := make([]string, 0, len(cmd.Subcommands))
		for n := range cmd.Subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if sc := cmd.Subcommands[n]; filter(sc) {
				out.Elems = append(out.Elems, resp.Bulk(sc.Name))
			}
		}
	}
	c.writeValue(out)
}

func getKeys(c *client, argv []string) ([]int, *cmdtable.Command, bool) {
	cmd := cmdtable.LookupArgv(argv[2:])
	if cmd == nil {
		c.writeError("Invalid command specified")
		return nil, nil, false
	}
	if !cmd.ArityOK(len(argv) - 2) {
		c.writeError("Invalid number of arguments specified for command")
		return nil, nil, false
	}
	keys := cmd.KeyPositions(argv[2:])
	if len(keys) == 0 {
		if len(cmd.KeySpecs) == 0 {
			c.writeError("The command has no key arguments")
		} else if cmd.Has(cmdtable.NoMandatoryKeys) {
			// EVAL s 0, FCALL f 0: no keys is a valid answer
			return keys, cmd, true
		} else {
			c.writeError("Invalid arguments specified for command")
		}
		return nil, nil, false
	}
	return keys, cmd, true
}

func cmdCommandGetKeys(s *Server, c *client, argv []string) {
	keys, _, ok := getKeys(c, argv)
	if !ok {
		return
	}
	out := resp.Value{Kind: resp.Array}
	for _, i := range keys {
		out.Elems = append(out.Elems, resp.Bulk(argv[2+i]))
	}
	c.writeValue(out)
}

func cmdCommandHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}

// cmdTTL is TTL with Redis's rounding ((ms+500)/1000), from the keyspace's
// PTTL.
func cmdTTL(s *Server, c *client, argv []string) {
	out := c.ks.Do([]string{"PTTL", argv[1]})
	v, _, err := parseReply(out)
	if err != nil || v.Kind != resp.Integer || v.Int < 0 {
		c.writeRaw(out)
		return
	}
	c.writeInt((v.Int + 500) / 1000)
}
