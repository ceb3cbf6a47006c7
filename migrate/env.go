package migrate

// The Lua environments of Redis 7.0.15, as `pairs(_G)` and `pairs(redis)`
// list them on the real server (env_test.go asks a real redis-server and
// fails when these tables drift from it).

// functionGlobals are the globals a function callback can read at run time.
var functionGlobals = set(
	"_G", "_VERSION", "assert", "bit", "cjson", "cmsgpack", "collectgarbage",
	"coroutine", "error", "gcinfo", "getmetatable", "ipairs", "load",
	"loadstring", "math", "next", "pairs", "pcall", "rawequal", "rawget",
	"rawset", "redis", "select", "setmetatable", "string", "struct", "table",
	"tonumber", "tostring", "type", "unpack", "xpcall",
)

// evalOnlyGlobals are the globals EVAL scripts see and functions do not.
var evalOnlyGlobals = set("KEYS", "ARGV", "__redis__err__handler")

// versionGlobals exist in some Redis builds only: upstream Redis has getfenv,
// setfenv and newproxy (removed by the CVE-2025-46818 hardening, absent from
// the Debian 7.0.15 build), and os (with os.clock only) from Redis 7.4 on.
var versionGlobals = map[string]string{
	"getfenv":  "getfenv is absent from Redis builds with the CVE-2025-46818 hardening (Redis 7.0.15 as shipped by Debian, 7.2.11+, 7.4.6+, 8.0.4+)",
	"setfenv":  "setfenv is absent from Redis builds with the CVE-2025-46818 hardening (Redis 7.0.15 as shipped by Debian, 7.2.11+, 7.4.6+, 8.0.4+)",
	"newproxy": "newproxy is absent from Redis builds with the CVE-2025-46818 hardening (Redis 7.0.15 as shipped by Debian, 7.2.11+, 7.4.6+, 8.0.4+)",
	"os":       "os (only os.clock) exists in Redis 7.4 and later, not in 7.0 or 7.2",
}

// builtinTables are the global tables whose fields are read-only in both
// EVAL and functions (`string.x = 1` raises "Attempt to modify a readonly
// table").
var builtinTables = set("_G", "bit", "cjson", "cmsgpack", "coroutine", "math", "redis", "string", "struct", "table", "os")

// redisMembers are the fields of the run-time `redis` table of functions.
var redisMembers = set(
	"LOG_DEBUG", "LOG_NOTICE", "LOG_VERBOSE", "LOG_WARNING", "REDIS_VERSION",
	"REDIS_VERSION_NUM", "REPL_ALL", "REPL_AOF", "REPL_NONE", "REPL_REPLICA",
	"REPL_SLAVE", "acl_check_cmd", "call", "error_reply", "log", "pcall",
	"set_repl", "setresp", "sha1hex", "status_reply",
)

// redisEvalOnly are the fields of `redis` that only EVAL scripts have. All
// three are no-ops outside a debugging session (replicate_commands returns
// true, breakpoint returns false, debug returns nothing).
var redisEvalOnly = set("breakpoint", "debug", "replicate_commands")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
