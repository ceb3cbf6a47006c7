// Package runtime is fnkit's Redis-compatible Functions server: a RESP2 and
// RESP3 server with Redis 7.0.15's FUNCTION family, FCALL and FCALL_RO on
// a gopher-lua engine, and an in-memory keyspace that redis.call reaches.
// It lets a library set prove itself before it reaches production, and
// lets a Go test exercise Redis Functions without a real server:
//
//	srv, err := runtime.Start(runtime.Config{})
//	defer srv.Close()
//	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//
// The pieces, each a package of its own with one job:
//
//   - runtime/functions: the registry of libraries and functions and the
//     rules of FUNCTION LOAD/DELETE/FLUSH/RESTORE (Redis's functions.c),
//     independent of Lua;
//   - runtime/luaengine: the Lua engine and sandbox (function_lua.c and
//     script_lua.c), also the separate Lua state of EVAL scripts (eval.c:
//     KEYS and ARGV globals, @user_script);
//   - runtime/lualib: cjson, cmsgpack, bit and struct for gopher-lua;
//   - runtime/keyspace: the keyspace (miniredis behind a narrow interface);
//   - runtime/cmdtable: the command table, generated from a real server's
//     COMMAND INFO and COMMAND DOCS.
//
// This package is the server around them (Redis's server.c, networking.c,
// eval.c and script.c): connections and the protocol, the order in which
// Redis checks a command (existence, arity, authentication, memory, busy
// script, MULTI), the script run (busy-reply-threshold, FUNCTION KILL and
// SCRIPT KILL) and redis.call's checks, the EVAL script cache (EVAL,
// EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT), and the server-level commands.
//
// Like Redis, the server runs one command at a time: a function runs
// atomically, and while one runs longer than busy-reply-threshold other
// clients get BUSY, except for FUNCTION KILL, FUNCTION STATS and the other
// commands Redis allows then.
package runtime
