// Package aof reads, replays, writes and repairs Redis append-only files in
// every layout Redis 7 uses: a single RESP file, a file that starts with an
// RDB preamble, and a multi-part directory (appendonlydir/) described by a
// manifest with a base file, incremental files and history files.
//
// The pieces, bottom up:
//
//   - ParseManifest and AppendManifest read and write manifests exactly as
//     Redis does (tokenizer, quoting, every error with Redis's words).
//   - Reader is a streaming iterator over the RESP commands of one file,
//     with each command's byte offset, index and the #TS: time in force. It
//     validates like redis-check-aof and holds only a bounded buffer: bulk
//     arguments of commands that cannot change functions are skipped by
//     length without being copied.
//   - Open describes an AOF (file, directory or manifest) and Scan walks its
//     files in load order, reading an RDB base or preamble with rdbfmt.
//   - Replay applies the function records of the base and every FUNCTION
//     command (LOAD, DELETE, FLUSH, RESTORE) as Redis's loader would, with
//     MULTI/EXEC applied as a unit, and yields the final library set, the set
//     at a command or a time, and a timeline of library events.
//   - Writer writes RESP AOF files; RestoreInto and Repair write new AOF
//     directories and files, never over an input.
//
// Errors on bad input are *Error (RESP data), *ManifestError (manifests) or
// *rdbfmt.Error (RDB parts): they name the file and the byte offset and wrap
// a sentinel (ErrTruncated, ErrCorrupt, ErrManifest).
package aof
