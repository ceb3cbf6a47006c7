// Package functions is fnkit's Redis Functions registry, the counterpart of
// Redis's functions.c: libraries and their functions, the engines that run
// them, and the rules of FUNCTION LOAD, DELETE, FLUSH, LIST, STATS and
// RESTORE with Redis 7.0.15's checks, order and words.
//
// The package knows nothing about Lua. An Engine (package luaengine is the
// only one, as in Redis) compiles a library body and registers its
// functions through Library.AddFunction; a Run carries one FCALL to the
// engine, and the engine reaches the server through the Host interface
// (Redis's script.c: redis.call and the checks around it).
//
// Nothing here is safe for concurrent use: like Redis, the caller runs one
// command at a time.
package functions
