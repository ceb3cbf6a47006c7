package runtime

import (
	"sync"

	"github.com/fnkit/fnkit/runtime/internal/gcfloor"
)

// floorHold is a server's hold on the process's GC floor (package
// gcfloor). A server holds it while its maxmemory is 0 (the default):
// with a maxmemory, used_memory decides which commands are refused, and
// the garbage the floor lets pile up between collections would count.
type floorHold struct {
	mu   sync.Mutex
	held bool
}

// set takes (want) or gives up the hold.
func (h *floorHold) set(want bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if want == h.held {
		return
	}
	if want {
		gcfloor.Acquire()
	} else {
		gcfloor.Release()
	}
	h.held = want
}
