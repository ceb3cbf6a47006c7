package runtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	goruntime "runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/internal/gcfloor"
)

// INFO: the sections and fields of Redis 7.0.15, in its order and formats,
// with fnkit's values. Fields about machinery fnkit does not have (forks,
// replication backlogs, the allocator, defragmentation, AOF rewrites) hold
// the values an idle Redis without that machinery reports; the README lists
// which fields are measured.

// infoState is what INFO remembers between calls.
type infoState struct {
	once     sync.Once
	runID    string
	replID   string
	peak     atomic.Int64
	lastSave atomic.Int64 // unix seconds of the last save (DEBUG RELOAD) or start
	saves    atomic.Int64
	loaded   atomic.Int64 // keys loaded by the last RDB load
	expired  atomic.Int64 // expired keys skipped by the last RDB load
}

func (st *infoState) init(s *Server) {
	st.once.Do(func() {
		st.runID = randomHex(20)
		st.replID = randomHex(20)
		st.lastSave.CompareAndSwap(0, s.started.Unix())
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return strings.Repeat("0", 2*n)
	}
	return hex.EncodeToString(b)
}

// The sections: default is what INFO (and INFO default) prints, all adds
// commandstats and latencystats, everything adds module-generated ones
// (fnkit has none).
var infoSectionOrder = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}

var infoDefault = map[string]bool{"server": true, "clients": true, "memory": true, "persistence": true, "stats": true, "replication": true, "cpu": true, "modules": true, "errorstats": true, "cluster": true, "keyspace": true}

func cmdInfo(s *Server, c *client, argv []string) {
	want := map[string]bool{}
	if len(argv) == 1 {
		want = infoDefault
	}
	for _, a := range argv[1:] {
		switch a = strings.ToLower(a); a {
		case "all", "everything":
			for _, n := range infoSectionOrder {
				want[n] = true
			}
		case "default":
			for n := range infoDefault {
				want[n] = true
			}
		default:
			want[a] = true
		}
	}
	c.writeValue(resp.Value{Kind: resp.Verbatim, Format: "txt", Str: s.infoText(want)})
}

// infoText renders the wanted sections.
func (s *Server) infoText(want map[string]bool) string {
	s.info.init(s)
	var b strings.Builder
	for _, sec := range infoSectionOrder {
		if !want[sec] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		s.infoSection(&b, sec)
	}
	return b.String()
}

// memStats reads the Go runtime's memory figures: the live heap (fnkit's
// used_memory), the heap's mapped memory (allocator_active) and the
// memory obtained from the OS (allocator_resident, used_memory_rss); all
// three without the collector's floor (package gcfloor), which holds no
// data and is never written.
func memStats() (heap, active, total int64) {
	sm := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}
	metrics.Read(sm)
	heap = int64(sm[0].Value.Uint64())
	active = heap + int64(sm[1].Value.Uint64())
	total = int64(sm[2].Value.Uint64())
	floor := gcfloor.Size()
	return max(heap-floor, 0), max(active-floor, 0), max(total-floor, 0)
}

// totalSystemMemory reads MemTotal from /proc/meminfo (0 elsewhere).
func totalSystemMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// osName is Redis's "os" field: kernel name, release and machine.
func osName() string {
	name := goruntime.GOOS
	if len(name) > 0 {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	release := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		release = strings.TrimSpace(string(b))
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[goruntime.GOARCH]
	if arch == "" {
		arch = goruntime.GOARCH
	}
	return strings.Join(strings.Fields(name+" "+release+" "+arch), " ")
}

func pct(a, b int64) string {
	if b == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(b))
}

func ratio(a, b int64) string {
	if b == 0 {
		return "0.00"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

func (s *Server) infoSection(b *strings.Builder, sec string) {
	line := func(k string, v any) {
		b.WriteString(k)
		b.WriteByte(':')
		fmt.Fprint(b, v)
		b.WriteString("\r\n")
	}
	switch sec {
	case "server":
		b.WriteString("# Server\r\n")
		up := time.Since(s.started)
		exe, _ := os.Executable()
		line("redis_version", Version)
		line("redis_git_sha1", "00000000")
		line("redis_git_dirty", 0)
		line("redis_build_id", "fnkit")
		line("redis_mode", "standalone")
		line("os", osName())
		line("arch_bits", strconv.IntSize)
		line("monotonic_clock", "POSIX clock_gettime")
		line("multiplexing_api", "go")
		line("atomicvar_api", "c11-builtin")
		line("gcc_version", "0.0.0")
		line("process_id", os.Getpid())
		line("process_supervised", "no")
		line("run_id", s.info.runID)
		line("tcp_port", s.port)
		line("server_time_usec", time.Now().UnixMicro())
		line("uptime_in_seconds", int64(up.Seconds()))
		line("uptime_in_days", int64(up.Hours()/24))
		line("hz", 10)
		line("configured_hz", 10)
		line("lru_clock", (time.Now().UnixMilli()/1000)&(1<<24-1))
		line("executable", exe)
		line("config_file", "")
		line("io_threads_active", 0)
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
		used, active, total := memStats()
		peak := s.info.peak.Load()
		for used > peak && !s.info.peak.CompareAndSwap(peak, used) {
			peak = s.info.peak.Load()
		}
		if used > peak {
			peak = used
		}
		lua := s.eng.UsedMemory()
		s.cfgMu.RLock()
		max, policy := s.conf.maxmemory, s.conf.maxmemoryPolicy
		s.cfgMu.RUnlock()
		sys := totalSystemMemory()
		b.WriteString("# Memory\r\n")
		line("used_memory", used)
		line("used_memory_human", humanBytes(used))
		line("used_memory_rss", total)
		line("used_memory_rss_human", humanBytes(total))
		line("used_memory_peak", peak)
		line("used_memory_peak_human", humanBytes(peak))
		line("used_memory_peak_perc", pct(used, peak))
		line("used_memory_overhead", 0)
		line("used_memory_startup", 0)
		line("used_memory_dataset", used)
		line("used_memory_dataset_perc", pct(used, used))
		line("allocator_allocated", used)
		line("allocator_active", active)
		line("allocator_resident", total)
		line("total_system_memory", sys)
		line("total_system_memory_human", humanBytes(sys))
		line("used_memory_lua", lua)
		line("used_memory_vm_eval", lua)
		line("used_memory_lua_human", humanBytes(lua))
		line("used_memory_scripts_eval", s.scripts.memory())
		line("number_of_cached_scripts", s.scripts.count())
		line("number_of_functions", s.funcCount.Load())
		line("number_of_libraries", s.libCount.Load())
		line("used_memory_vm_functions", lua)
		line("used_memory_vm_total", 2*lua)
		line("used_memory_vm_total_human", humanBytes(2*lua))
		line("used_memory_functions", 0)
		line("used_memory_scripts", s.scripts.memory())
		line("used_memory_scripts_human", humanBytes(s.scripts.memory()))
		line("maxmemory", max)
		line("maxmemory_human", humanBytes(max))
		line("maxmemory_policy", policy)
		line("allocator_frag_ratio", ratio(active, used))
		line("allocator_frag_bytes", active-used)
		line("allocator_rss_ratio", ratio(total, active))
		line("allocator_rss_bytes", total-active)
		line("rss_overhead_ratio", "1.00")
		line("rss_overhead_bytes", 0)
		line("mem_fragmentation_ratio", ratio(total, used))
		line("mem_fragmentation_bytes", total-used)
		line("mem_not_counted_for_evict", 0)
		line("mem_replication_backlog", 0)
		line("mem_total_replication_buffers", 0)
		line("mem_clients_slaves", 0)
		line("mem_clients_normal", 0)
		line("mem_cluster_links", 0)
		line("mem_aof_buffer", 0)
		line("mem_allocator", "go-"+strings.TrimPrefix(goruntime.Version(), "go"))
		line("active_defrag_running", 0)
		line("lazyfree_pending_objects", 0)
		line("lazyfreed_objects", 0)
	case "persistence":
		b.WriteString("# Persistence\r\n")
		line("loading", 0)
		line("async_loading", 0)
		line("current_cow_peak", 0)
		line("current_cow_size", 0)
		line("current_cow_size_age", 0)
		line("current_fork_perc", "0.00")
		line("current_save_keys_processed", 0)
		line("current_save_keys_total", 0)
		line("rdb_changes_since_last_save", 0)
		line("rdb_bgsave_in_progress", 0)
		line("rdb_last_save_time", s.info.lastSave.Load())
		line("rdb_last_bgsave_status", "ok")
		line("rdb_last_bgsave_time_sec", -1)
		line("rdb_current_bgsave_time_sec", -1)
		line("rdb_saves", s.info.saves.Load())
		line("rdb_last_cow_size", 0)
		line("rdb_last_load_keys_expired", s.info.expired.Load())
		line("rdb_last_load_keys_loaded", s.info.loaded.Load())
		line("aof_enabled", 0)
		line("aof_rewrite_in_progress", 0)
		line("aof_rewrite_scheduled", 0)
		line("aof_last_rewrite_time_sec", -1)
		line("aof_current_rewrite_time_sec", -1)
		line("aof_last_bgrewrite_status", "ok")
		line("aof_rewrites", 0)
		line("aof_rewrites_consecutive_failures", 0)
		line("aof_last_write_status", "ok")
		line("aof_last_cow_size", 0)
		line("module_fork_in_progress", 0)
		line("module_fork_last_cow_size", 0)
	case "stats":
		b.WriteString("# Stats\r\n")
		line("total_connections_received", s.totalConns.Load())
		line("total_commands_processed", s.totalCmds.Load())
		line("instantaneous_ops_per_sec", 0)
		line("total_net_input_bytes", 0)
		line("total_net_output_bytes", 0)
		line("total_net_repl_input_bytes", 0)
		line("total_net_repl_output_bytes", 0)
		line("instantaneous_input_kbps", "0.00")
		line("instantaneous_output_kbps", "0.00")
		line("instantaneous_input_repl_kbps", "0.00")
		line("instantaneous_output_repl_kbps", "0.00")
		line("rejected_connections", 0)
		line("sync_full", 0)
		line("sync_partial_ok", 0)
		line("sync_partial_err", 0)
		line("expired_keys", 0)
		line("expired_stale_perc", "0.00")
		line("expired_time_cap_reached_count", 0)
		line("expire_cycle_cpu_milliseconds", 0)
		line("evicted_keys", 0)
		line("evicted_clients", 0)
		line("total_eviction_exceeded_time", 0)
		line("current_eviction_exceeded_time", 0)
		line("keyspace_hits", 0)
		line("keyspace_misses", 0)
		line("pubsub_channels", 0)
		line("pubsub_patterns", 0)
		line("pubsubshard_channels", 0)
		line("latest_fork_usec", 0)
		line("total_forks", 0)
		line("migrate_cached_sockets", 0)
		line("slave_expires_tracked_keys", 0)
		line("active_defrag_hits", 0)
		line("active_defrag_misses", 0)
		line("active_defrag_key_hits", 0)
		line("active_defrag_key_misses", 0)
		line("total_active_defrag_time", 0)
		line("current_active_defrag_time", 0)
		line("tracking_total_keys", 0)
		line("tracking_total_items", 0)
		line("tracking_total_prefixes", 0)
		line("unexpected_error_replies", 0)
		line("total_error_replies", s.errTotal.Load())
		line("dump_payload_sanitizations", 0)
		line("total_reads_processed", 0)
		line("total_writes_processed", 0)
		line("io_threaded_reads_processed", 0)
		line("io_threaded_writes_processed", 0)
		line("reply_buffer_shrinks", 0)
		line("reply_buffer_expands", 0)
	case "replication":
		b.WriteString("# Replication\r\n")
		line("role", "master")
		line("connected_slaves", 0)
		line("master_failover_state", "no-failover")
		line("master_replid", s.info.replID)
		line("master_replid2", strings.Repeat("0", 40))
		line("master_repl_offset", 0)
		line("second_repl_offset", -1)
		line("repl_backlog_active", 0)
		line("repl_backlog_size", 1048576)
		line("repl_backlog_first_byte_offset", 0)
		line("repl_backlog_histlen", 0)
	case "cpu":
		sys, user := cpuTimes()
		b.WriteString("# CPU\r\n")
		line("used_cpu_sys", fmt.Sprintf("%.6f", sys))
		line("used_cpu_user", fmt.Sprintf("%.6f", user))
		line("used_cpu_sys_children", "0.000000")
		line("used_cpu_user_children", "0.000000")
		line("used_cpu_sys_main_thread", fmt.Sprintf("%.6f", sys))
		line("used_cpu_user_main_thread", fmt.Sprintf("%.6f", user))
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
			line("errorstat_"+k, "count="+strconv.FormatInt(s.errStats[k], 10))
		}
		s.statsMu.Unlock()
	case "cluster":
		b.WriteString("# Cluster\r\n")
		line("cluster_enabled", 0)
	case "keyspace":
		b.WriteString("# Keyspace\r\n")
		for db := 0; db < s.ks.Databases(); db++ {
			keys, expires, avg := s.ks.TTLStats(db)
			if keys > 0 {
				line(fmt.Sprintf("db%d", db), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", keys, expires, avg.Milliseconds()))
			}
		}
	case "commandstats", "latencystats":
		title := "# Commandstats\r\n"
		if sec == "latencystats" {
			title = "# Latencystats\r\n"
		}
		b.WriteString(title)
		type row struct {
			name string
			st   *cmdStat
		}
		var rows []row
		for cmd, st := range s.stats {
			if st.calls.Load() > 0 || st.rejected.Load() > 0 || st.failed.Load() > 0 {
				rows = append(rows, row{cmd.Name, st})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
		for _, r := range rows {
			calls, usec := r.st.calls.Load(), r.st.usec.Load()
			if sec == "latencystats" {
				if calls == 0 {
					continue
				}
				// fnkit keeps no latency histogram: every percentile is
				// the mean call time, in Redis's format
				per := float64(usec) / float64(calls)
				line("latency_percentiles_usec_"+r.name, fmt.Sprintf("p50=%.3f,p99=%.3f,p99.9=%.3f", per, per, per))
				continue
			}
			per := 0.0
			if calls > 0 {
				per = float64(usec) / float64(calls)
			}
			line("cmdstat_"+r.name, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d", calls, usec, per, r.st.rejected.Load(), r.st.failed.Load()))
		}
	}
}

// writeKeyspaceReply writes a reply of the keyspace, counting an error
// reply in errorstats (and so in failed_calls) as Redis's afterErrorReply,
// for a script's command too (the script's own error reply then carries
// the ignore_error_stats_update mark and is not counted again).
func (s *Server) writeKeyspaceReply(c *client, out []byte) {
	c.writeRaw(out)
	if len(out) > 0 && out[0] == '-' {
		end := bytes.IndexByte(out, '\r')
		if end < 0 {
			end = len(out)
		}
		s.countError(string(out[:end]))
	}
}

// humanBytes is Redis's bytesToHuman.
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
	case n < 1<<50:
		return fmt.Sprintf("%.2fT", f/(1<<40))
	case n < 1<<60:
		return fmt.Sprintf("%.2fP", f/(1<<50))
	}
	return fmt.Sprintf("%.2fE", f/math.Pow(2, 60))
}

// usedMemory is fnkit's used_memory: the live Go heap.
func (s *Server) usedMemory() int64 {
	heap, _, _ := memStats()
	return heap
}
