// Package gcfloor keeps the Go heap's collection target from falling to a
// few megabytes while a server runs.
//
// The Go collector starts a cycle when the heap has grown by GOGC percent
// (100) of what was live after the last one. fnkit's live heap is small
// (the Lua state, the command table, a small keyspace: 2 to 3 MB) and every
// FCALL leaves garbage behind (gopher-lua's tables, argv strings,
// miniredis's replies), so a pipelined stream of FCALLs collected every few
// milliseconds and spent about a fifth of its CPU time collecting, mostly
// with the write barrier on. A floor is one pointer-free block that counts
// as live heap but costs the collector nothing to mark (it is never
// scanned) and is never written (its pages come zeroed from the OS and stay
// untouched): it raises the target by twice its size, so cycles are that
// much rarer. The price is up to that much more garbage between cycles.
//
// The servers of a process share one floor: a server Acquires it while its
// maxmemory is 0 (the default; with a maxmemory, the garbage would count
// in used_memory) and Releases it when that changes or it closes. Size is
// what memory figures subtract so that they report fnkit's own memory.
package gcfloor

import (
	"sync"
	"weak"
)

// Bytes is the size of the floor.
const Bytes = 16 << 20

var (
	mu    sync.Mutex
	users int
	block *[Bytes]byte
	// released is the block after the last Release: the heap figures
	// count it until a collection finds it unreachable, which is also when
	// the weak pointer turns nil. Size reports it until then, so that
	// figures taken before and after a Release (the script memory
	// watchdog's) stay comparable.
	released weak.Pointer[[Bytes]byte]
)

// Acquire makes sure the floor is in place until the matching Release.
func Acquire() {
	mu.Lock()
	defer mu.Unlock()
	if users == 0 {
		if block = released.Value(); block == nil {
			block = new([Bytes]byte)
		}
		released = weak.Pointer[[Bytes]byte]{}
	}
	users++
}

// Release gives up one Acquire's hold; after the last one the collector
// frees the floor.
func Release() {
	mu.Lock()
	defer mu.Unlock()
	if users == 0 {
		return
	}
	users--
	if users == 0 {
		released = weak.Make(block)
		block = nil
	}
}

// Size returns the bytes of the floor the heap figures now count (0 or
// Bytes): the floor in place, or one released and not yet collected.
func Size() int64 {
	mu.Lock()
	defer mu.Unlock()
	if block != nil || released.Value() != nil {
		return Bytes
	}
	return 0
}
