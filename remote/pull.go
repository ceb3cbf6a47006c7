package remote

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

// ErrMismatch: a server's FUNCTION DUMP and FUNCTION LIST WITHCODE disagree,
// or the primaries of a cluster hold different libraries.
var ErrMismatch = errors.New("libraries differ")

// Pulled is what Pull read from one server.
type Pulled struct {
	// Addr is host:port; URL the address with the password hidden.
	Addr string `json:"addr"`
	URL  string `json:"url"`
	// Server is what INFO said.
	Server ServerInfo `json:"server"`
	// Payload is FUNCTION DUMP, byte for byte.
	Payload []byte `json:"-"`
	// PayloadVersion is the payload's RDB version (its footer).
	PayloadVersion int `json:"payload_rdb_version"`
	// Libraries are decoded from the payload (origin: the server address,
	// format "server") and equal FUNCTION LIST WITHCODE.
	Libraries *library.Set `json:"-"`
	// Functions are each library's functions as FUNCTION LIST reports them.
	Functions map[string][]Function `json:"functions"`
}

// Pull reads the server's libraries: FUNCTION DUMP and FUNCTION LIST
// WITHCODE in one MULTI, the payload decoded and verified as FUNCTION
// RESTORE would, and the two cross-checked library by library.
func Pull(ctx context.Context, u *URL, opts Options) (*Pulled, error) {
	n, err := Dial(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	return n.Pull(ctx)
}

// Pull reads the node's libraries; see the package-level Pull.
func (n *Node) Pull(ctx context.Context) (*Pulled, error) {
	snap, err := n.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	p, err := dumpfmt.Decode(snap.Payload, "FUNCTION DUMP from "+n.Addr())
	if err != nil {
		kind := ErrMismatch
		if errors.Is(err, dumpfmt.ErrVersion) {
			kind = ErrUnsupported
		}
		return nil, &NodeError{Addr: n.Addr(), Op: "FUNCTION DUMP", Kind: kind, Err: err}
	}
	if !p.Libraries.Equal(snap.Libraries) {
		return nil, &NodeError{Addr: n.Addr(), Op: "FUNCTION DUMP", Kind: ErrMismatch,
			Err: fmt.Errorf("the payload holds %s but FUNCTION LIST WITHCODE reports %s", p.Libraries, snap.Libraries)}
	}
	return &Pulled{
		Addr: n.Addr(), URL: n.URL.String(), Server: n.Info,
		Payload: snap.Payload, PayloadVersion: p.Version,
		// The listed copies carry the server as origin.
		Libraries: snap.Libraries, Functions: snap.Functions,
	}, nil
}

// ClusterPull is a pull from every primary of a Redis Cluster.
type ClusterPull struct {
	// Topology is the cluster as the seed described it.
	Topology *Topology `json:"topology"`
	// Nodes holds one pull per primary that answered, in address order.
	Nodes []*Pulled `json:"nodes"`
	// Failed lists the primaries that could not be read.
	Failed []NodeFailure `json:"failed,omitempty"`
	// Agree is true when every primary answered with the same libraries.
	Agree bool `json:"agree"`
	// Differences describe, library by library, where the primaries
	// differ: which hold which version, which lack it.
	Differences []string `json:"differences,omitempty"`

	differing []string // names of the libraries that differ
}

// NodeFailure is a node that could not be read.
type NodeFailure struct {
	Addr  string `json:"addr"`
	Error string `json:"error"`
}

// PullCluster pulls from every primary of the cluster the seed belongs to and
// compares them. It returns an error wrapping ErrMismatch when primaries
// differ, and the first node error when a primary cannot be read; the
// ClusterPull is returned in both cases for the report.
func PullCluster(ctx context.Context, seed *URL, opts Options) (*ClusterPull, error) {
	topo, err := Discover(ctx, seed, opts)
	if err != nil {
		return nil, err
	}
	cp := &ClusterPull{Topology: topo}
	prim := topo.Primaries()
	pulls := make([]*Pulled, len(prim))
	errs := make([]error, len(prim))
	done := make(chan struct{})
	for i, p := range prim {
		go func(i int, u *URL) {
			defer func() { done <- struct{}{} }()
			pulls[i], errs[i] = Pull(ctx, u, opts)
		}(i, seed.WithAddr(p.Host, p.Port))
	}
	for range prim {
		<-done
	}
	var firstErr error
	for i := range prim {
		if errs[i] != nil {
			cp.Failed = append(cp.Failed, NodeFailure{Addr: prim[i].Addr(), Error: errText(errs[i])})
			if firstErr == nil {
				firstErr = errs[i]
			}
			continue
		}
		cp.Nodes = append(cp.Nodes, pulls[i])
	}
	cp.Agree = len(cp.Failed) == 0
	cp.Differences, cp.differing = differences(cp.Nodes)
	if len(cp.Differences) > 0 {
		cp.Agree = false
	}
	if firstErr != nil {
		return cp, firstErr
	}
	if !cp.Agree {
		return cp, fmt.Errorf("%w: the primaries of the cluster hold different libraries (%s)", ErrMismatch, strings.Join(cp.differing, ", "))
	}
	return cp, nil
}

// differences describes, library by library, how the nodes' sets differ:
// which nodes hold which version (by SHA-1) and which lack it.
func differences(nodes []*Pulled) ([]string, []string) {
	names := map[string]bool{}
	for _, n := range nodes {
		for _, name := range n.Libraries.Names() {
			names[name] = true
		}
	}
	var sorted []string
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	var out, differing []string
	for _, name := range sorted {
		var order []string
		groups := map[string][]string{}
		for _, n := range nodes {
			key := "absent"
			if l, ok := n.Libraries.Get(name); ok {
				key = "sha1 " + l.SHA1()[:12]
			}
			if _, seen := groups[key]; !seen {
				order = append(order, key)
			}
			groups[key] = append(groups[key], n.Addr)
		}
		if len(groups) < 2 {
			continue
		}
		var parts []string
		for _, key := range order {
			parts = append(parts, fmt.Sprintf("%s on %s", key, strings.Join(groups[key], ", ")))
		}
		out = append(out, fmt.Sprintf("library %s: %s", name, strings.Join(parts, "; ")))
		differing = append(differing, name)
	}
	return out, differing
}
