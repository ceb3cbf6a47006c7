// Package remote moves Functions libraries to and from live servers and
// Redis Clusters over the network (github.com/redis/go-redis/v9).
//
// URLs are redis://[[user]:password@]host[:port][/db] and rediss://… for
// TLS (TLSOptions: CA file, client certificate, skip-verify). Errors name
// the server's address and carry Redis's own words (WRONGPASS, NOAUTH,
// READONLY, "ERR Library x already exists"); they wrap ErrUnreachable,
// ErrAuth, ErrTimeout, ErrTLS or ErrServer for errors.Is.
//
// Pull reads FUNCTION DUMP and FUNCTION LIST WITHCODE atomically and
// cross-checks them. Push restores a library set on one or many servers, or
// on every primary of a cluster, with a plan → restore → verify protocol:
// nothing is restored unless every node's plan is clean, a node that
// refuses the restore makes the others roll back to their saved dump, and
// every node is checked afterwards (replicas included).
package remote
