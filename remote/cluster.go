package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// ErrClusterNodes is wrapped by ParseClusterNodes errors.
var ErrClusterNodes = errors.New("malformed CLUSTER NODES reply")

// ClusterNode is one line of CLUSTER NODES.
type ClusterNode struct {
	// ID is the 40-character node id.
	ID string `json:"id"`
	// Host and Port are the client address ("" and 0 for a node without
	// an address yet).
	Host string `json:"host"`
	Port int    `json:"port"`
	// Flags are the node's flags (myself, master, slave, fail?, fail,
	// handshake, noaddr, nofailover, noflags).
	Flags []string `json:"flags"`
	// PrimaryID is the id of the primary a replica follows, "" for a
	// primary.
	PrimaryID string `json:"primary_id,omitempty"`
	// LinkState is "connected" or "disconnected".
	LinkState string `json:"link_state"`
	// Slots are the slot ranges the node serves, as written by Redis
	// ("0-5460", "7000"); importing/migrating markers are left out.
	Slots []string `json:"slots,omitempty"`
}

// Addr returns host:port.
func (c ClusterNode) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Has reports whether the node carries flag.
func (c ClusterNode) Has(flag string) bool {
	for _, f := range c.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// Primary reports whether the node is a primary.
func (c ClusterNode) Primary() bool { return c.Has("master") }

// Failing reports whether the cluster considers the node down ("fail" or
// "fail?").
func (c ClusterNode) Failing() bool { return c.Has("fail") || c.Has("fail?") }

// ParseClusterNodes parses the text of CLUSTER NODES. Errors wrap
// ErrClusterNodes and give the line number and what was expected.
func ParseClusterNodes(text string) ([]ClusterNode, error) {
	var out []ClusterNode
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("%w: line %d: %d fields, expected at least 8 (id addr flags primary ping pong epoch link)", ErrClusterNodes, i+1, len(f))
		}
		n := ClusterNode{ID: f[0], LinkState: f[7]}
		// addr: ip:port@cport[,hostname]
		addr := f[1]
		if j := strings.IndexByte(addr, ','); j >= 0 {
			addr = addr[:j]
		}
		if j := strings.IndexByte(addr, '@'); j >= 0 {
			addr = addr[:j]
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: address %q: expected ip:port@cport", ErrClusterNodes, i+1, f[1])
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("%w: line %d: port %q is not a number from 0 to 65535", ErrClusterNodes, i+1, port)
		}
		n.Host, n.Port = host, p
		n.Flags = strings.Split(f[2], ",")
		if f[3] != "-" {
			n.PrimaryID = f[3]
		}
		for _, s := range f[8:] {
			if strings.HasPrefix(s, "[") {
				continue // [slot->-id] / [slot-<-id]: migration in progress
			}
			n.Slots = append(n.Slots, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// Topology is a Redis Cluster as one node sees it.
type Topology struct {
	// Seed is the address asked.
	Seed string `json:"seed"`
	// Nodes are all nodes, primaries first, each group by address.
	Nodes []ClusterNode `json:"nodes"`
}

// Primaries returns the primaries (nodes flagged master that have an
// address), failing ones included, so that a down primary is reported
// rather than silently skipped.
func (t *Topology) Primaries() []ClusterNode {
	var out []ClusterNode
	for _, n := range t.Nodes {
		if n.Primary() && !n.Has("noaddr") && !n.Has("handshake") {
			out = append(out, n)
		}
	}
	return out
}

// Replicas returns the replicas of the primary with the given id.
func (t *Topology) Replicas(primaryID string) []ClusterNode {
	var out []ClusterNode
	for _, n := range t.Nodes {
		if n.PrimaryID == primaryID && !n.Primary() && !n.Has("noaddr") && !n.Has("handshake") {
			out = append(out, n)
		}
	}
	return out
}

// Discover asks the server at seed for the cluster's nodes (CLUSTER NODES).
// A node answering "ERR This instance has cluster support disabled" is not
// part of a cluster.
func Discover(ctx context.Context, seed *URL, opts Options) (*Topology, error) {
	if seed.DB != 0 {
		return nil, fmt.Errorf("%s: a Redis Cluster has only database 0; drop /%d from the URL", seed.Addr(), seed.DB)
	}
	n, err := Dial(ctx, seed, opts)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	return n.Topology(ctx)
}

// Topology runs CLUSTER NODES on the node.
func (n *Node) Topology(ctx context.Context) (*Topology, error) {
	v, err := n.do(ctx, "CLUSTER NODES", "CLUSTER", "NODES")
	if err != nil {
		return nil, err
	}
	text, ok := v.(string)
	if !ok {
		return nil, n.nodeErr("CLUSTER NODES", fmt.Errorf("unexpected reply %T", v))
	}
	nodes, err := ParseClusterNodes(text)
	if err != nil {
		return nil, n.nodeErr("CLUSTER NODES", err)
	}
	// A node may list itself as ":port" before it learnt its own IP; it is
	// reachable at the address we used.
	for i := range nodes {
		if nodes[i].Has("myself") && nodes[i].Host == "" {
			nodes[i].Host = n.URL.Host
		}
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].Primary() != nodes[j].Primary() {
			return nodes[i].Primary()
		}
		return lessAddr(nodes[i].Host, nodes[i].Port, nodes[j].Host, nodes[j].Port)
	})
	return &Topology{Seed: n.Addr(), Nodes: nodes}, nil
}

func lessAddr(h1 string, p1 int, h2 string, p2 int) bool {
	if h1 != h2 {
		return h1 < h2
	}
	return p1 < p2
}
