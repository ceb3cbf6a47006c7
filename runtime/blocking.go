package runtime

import (
	"math"
	"strconv"
	"strings"
)

// Blocking commands. The keyspace blocks inside the command while this
// client holds the execution lock, so no other client could ever serve
// it: fnkit treats every client as Redis treats one that may not block
// (CLIENT_DENY_BLOCKING, as in MULTI or a script): the command runs, and
// when it would block it replies as if it had timed out. From scripts,
// XREAD and XREADGROUP with BLOCK are refused with Redis's error.

// nonBlockingHandler runs a blocking keyspace command without blocking.
func nonBlockingHandler(s *Server, c *client, argv []string) {
	name := strings.ToLower(argv[0])
	out := append([]string(nil), argv...)
	// the smallest wait the keyspace accepts: it then replies as on a
	// timeout
	short := func(i int) {
		if f, err := strconv.ParseFloat(out[i], 64); err == nil && f >= 0 && !math.IsInf(f, 0) {
			out[i] = "0.001"
		}
	}
	switch name {
	case "xread", "xreadgroup":
		for i := 1; i < len(out)-1; i++ {
			a := strings.ToLower(out[i])
			if a == "streams" {
				break
			}
			if a != "block" {
				continue
			}
			if c.isScript {
				c.writeError(argv[0] + " command is not allowed with BLOCK option from scripts")
				return
			}
			if n, err := strconv.ParseInt(out[i+1], 10, 64); err == nil && n >= 0 {
				out[i+1] = "1"
			}
			i++
		}
	case "blmpop", "bzmpop":
		if len(out) > 1 {
			short(1)
		}
	default:
		short(len(out) - 1)
	}
	s.writeKeyspaceReply(c, c.ks.Do(out))
}
