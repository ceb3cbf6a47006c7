// Command fnkit inspects, extracts, merges and restores the Redis Functions
// libraries inside RDB files, AOF logs and FUNCTION DUMP payloads, offline.
//
// Exit status: 0 on success, 1 when an input or the operation failed, 2 on a
// usage error (unknown command or flag, missing argument, bad flag value).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
