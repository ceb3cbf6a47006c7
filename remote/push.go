package remote

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

// Sentinel errors Push returns; the report says which node failed and why.
var (
	// ErrPlan: the plan failed on at least one node; no node was touched.
	ErrPlan = errors.New("push plan failed")
	// ErrRestore: FUNCTION RESTORE failed on a node; the nodes already
	// restored were rolled back.
	ErrRestore = errors.New("push failed")
	// ErrVerify: after the restore, a node does not hold the expected
	// libraries.
	ErrVerify = errors.New("push verification failed")
)

// Results a node can end a push with (NodeReport.Result).
const (
	ResultWouldChange   = "would change"    // dry run: the restore would change the node
	ResultUnchanged     = "unchanged"       // the node already holds the result; not restored
	ResultRestored      = "restored"        // restored and verified
	ResultFailed        = "failed"          // this node failed (see Error)
	ResultUntouched     = "untouched"       // another node failed before this one was changed
	ResultRolledBack    = "rolled back"     // restored, then put back to its saved dump
	ResultRollbackFail  = "rollback failed" // restored, and the rollback failed: needs a person
	ResultInSync        = "in sync"         // replica: holds its primary's new libraries
	ResultNotVerified   = "not verified"    // restored, but verification failed (see Error)
	ResultReplicaBehind = "out of sync"     // replica: did not catch up within the wait
)

// PushOptions configure Push.
type PushOptions struct {
	Options
	// Mode is the FUNCTION RESTORE policy.
	Mode library.RestoreMode
	// DryRun stops after the plan.
	DryRun bool
	// Cluster treats every target as the seed of a Redis Cluster and
	// pushes to all its primaries; its replicas are checked too.
	Cluster bool
	// PayloadVersion forces the payload's RDB version; 0 picks the lowest
	// version the targets write, so that every target accepts it.
	PayloadVersion int
	// Encode builds the FUNCTION DUMP payload of a set for an RDB version
	// (default dumpfmt.Encode).
	Encode func(set *library.Set, rdbVersion int) ([]byte, error)
	// FunctionNames, when set, returns the names of the functions each
	// incoming library registers (by library name), or the error Redis
	// would give loading them; the plan then predicts function-name
	// conflicts too. The runtime package provides it.
	FunctionNames func(set *library.Set) (map[string][]string, error)
	// ReplicaWait bounds how long replicas may take to catch up (default
	// 10s).
	ReplicaWait time.Duration
}

// replicaWait is ReplicaWait, or its default of 10s when unset.
func (o PushOptions) replicaWait() time.Duration {
	if o.ReplicaWait <= 0 {
		return 10 * time.Second
	}
	return o.ReplicaWait
}

// Report is the outcome of a push, for people (String) and programs (JSON).
type Report struct {
	// Mode is append, replace or flush.
	Mode string `json:"mode"`
	// DryRun is true when nothing was restored by design.
	DryRun bool `json:"dry_run"`
	// Cluster is true for --cluster pushes.
	Cluster bool `json:"cluster"`
	// Libraries are the incoming libraries.
	Libraries []string `json:"libraries"`
	// PayloadVersion and PayloadBytes describe the payload restored.
	PayloadVersion int `json:"payload_rdb_version"`
	PayloadBytes   int `json:"payload_bytes"`
	// Phase is where the push stopped: "plan", "restore", "verify" or
	// "done".
	Phase string `json:"phase"`
	// OK is true when every node ended as planned.
	OK bool `json:"ok"`
	// Error summarises the failure, if any.
	Error string `json:"error,omitempty"`
	// Notes are warnings about the whole push.
	Notes []string `json:"notes,omitempty"`
	// Nodes are the targets (cluster: every node): primaries, then
	// replicas, each by address.
	Nodes []*NodeReport `json:"nodes"`
}

// NodeReport is one node's part of a push.
type NodeReport struct {
	// Addr is host:port; URL is the address with the password hidden.
	Addr string `json:"addr"`
	URL  string `json:"url"`
	// Role is "primary" or "replica" ("" when the node was unreachable).
	Role string `json:"role"`
	// Primary is a replica's primary.
	Primary string `json:"primary,omitempty"`
	// Server is the node's product and version, e.g. "redis 7.0.15".
	Server string `json:"server,omitempty"`
	// RDBVersion is the payload version the node writes.
	RDBVersion int `json:"rdb_version,omitempty"`
	// Result is one of the Result* constants.
	Result string `json:"result"`
	// Error is the node's error, in Redis's words when Redis said it.
	Error string `json:"error,omitempty"`
	// Notes are warnings that did not stop the push.
	Notes []string `json:"notes,omitempty"`
	// Change is what the push did to the node's libraries (in a dry run,
	// what it would do); empty for a node left as it was.
	Change
	// Libraries are the library names the node holds at the end.
	Libraries []string `json:"libraries"`
	// Target is true for nodes the payload is restored on (primaries);
	// replicas are only checked.
	Target bool `json:"target"`

	url      *URL
	node     *Node
	before   *Snapshot
	expected *library.Set
	after    *library.Set
	err      error
}

// Push restores incoming on every target with the plan → restore → verify
// protocol:
//
//  1. plan, on every node at once: connect and authenticate, read the
//     server version (is the payload version acceptable?), the role (only
//     primaries take writes), and FUNCTION DUMP + FUNCTION LIST WITHCODE
//     (saved for rollback); compute what the mode changes per library and
//     the error FUNCTION RESTORE would give. Any failure, on any node,
//     stops the push here with every node untouched.
//  2. restore, node by node: FUNCTION RESTORE payload <mode>. If a node
//     refuses, the nodes already restored are put back with FUNCTION
//     RESTORE <saved dump> FLUSH, so no node is left half-updated.
//  3. verify: FUNCTION LIST WITHCODE on every node must equal the plan;
//     replicas must catch up with their primary.
//
// The report is always returned; the error (ErrPlan, ErrRestore, ErrVerify)
// says that the push did not complete.
func Push(ctx context.Context, incoming *library.Set, targets []*URL, opts PushOptions) (*Report, error) {
	rep := &Report{Mode: opts.Mode.String(), DryRun: opts.DryRun, Cluster: opts.Cluster, Libraries: incoming.Names(), Phase: "plan"}
	if len(targets) == 0 {
		return rep, fail(rep, ErrPlan, "no target server")
	}
	if opts.Encode == nil {
		opts.Encode = dumpfmt.Encode
	}
	defer func() {
		for _, n := range rep.Nodes {
			if n.node != nil {
				n.node.Close()
			}
		}
	}()

	// Which nodes.
	var setupErrs []string
	if opts.Cluster {
		for _, seed := range targets {
			topo, err := Discover(ctx, seed, opts.Options)
			if err != nil {
				rep.Nodes = append(rep.Nodes, &NodeReport{Addr: seed.Addr(), URL: seed.String(), Result: ResultFailed, Error: errText(err), Target: true})
				setupErrs = append(setupErrs, err.Error())
				continue
			}
			for _, p := range topo.Primaries() {
				nr := newNodeReport(seed.WithAddr(p.Host, p.Port), true)
				nr.Role = "primary"
				if p.Failing() {
					nr.Notes = append(nr.Notes, "the cluster flags this node "+strings.Join(p.Flags, ","))
				}
				rep.Nodes = append(rep.Nodes, nr)
				for _, r := range topo.Replicas(p.ID) {
					rr := newNodeReport(seed.WithAddr(r.Host, r.Port), false)
					rr.Role, rr.Primary = "replica", p.Addr()
					rep.Nodes = append(rep.Nodes, rr)
				}
			}
		}
	} else {
		for _, u := range targets {
			rep.Nodes = append(rep.Nodes, newNodeReport(u, true))
		}
	}
	rep.Nodes = dedupe(rep.Nodes)
	sort.SliceStable(rep.Nodes, func(i, j int) bool {
		if rep.Nodes[i].Target != rep.Nodes[j].Target {
			return rep.Nodes[i].Target
		}
		return rep.Nodes[i].Addr < rep.Nodes[j].Addr
	})

	// Names of the incoming functions, for conflict prediction.
	var incomingFns map[string][]string
	if opts.FunctionNames != nil {
		fns, err := opts.FunctionNames(incoming)
		if err != nil {
			return rep, fail(rep, ErrPlan, "the libraries do not load: "+err.Error())
		}
		incomingFns = fns
	} else {
		rep.Notes = append(rep.Notes, "function-name conflicts were not predicted; FUNCTION RESTORE checks them on each node, and a refusal rolls the others back")
	}

	// Plan, stage 1: connect and snapshot every node at once.
	var wg sync.WaitGroup
	for _, n := range rep.Nodes {
		if n.url == nil {
			continue
		}
		wg.Add(1)
		go func(n *NodeReport) {
			defer wg.Done()
			n.connect(ctx, opts.Options)
		}(n)
	}
	wg.Wait()

	// Payload version: forced, or the lowest the targets write.
	version := opts.PayloadVersion
	if version == 0 {
		for _, n := range rep.Nodes {
			if n.node == nil || n.err != nil || !n.Target {
				continue
			}
			// The newest version fnkit writes that the server restores:
			// its own, at most 12; 11 for Valkey 9 (which refuses 12..79);
			// 10, which every server with Functions takes, when its
			// version is unknown.
			v := n.node.Info.RDBVersion
			switch {
			case v == 0 || v < 10:
				v = 10
			case v >= 80:
				v = 11
			case v > 12:
				v = 12
			}
			if version == 0 || v < version {
				version = v
			}
		}
		if version == 0 {
			version = 10
		}
	}
	rep.PayloadVersion = version
	payload, err := opts.Encode(incoming, version)
	if err != nil {
		return rep, fail(rep, ErrPlan, fmt.Sprintf("cannot encode the payload for RDB version %d: %v", version, err))
	}
	rep.PayloadBytes = len(payload)

	// Plan, stage 2: per node checks and the change each would see.
	primaries := map[string]*NodeReport{}
	for _, n := range rep.Nodes {
		if n.Target {
			primaries[n.Addr] = n
		}
	}
	for _, n := range rep.Nodes {
		if n.err != nil || n.node == nil {
			continue
		}
		info := n.node.Info
		if !n.Target {
			continue
		}
		if info.Role == "slave" {
			n.setErr(serverErr("READONLY You can't write against a read only replica. (push to its primary %s)", info.MasterAddr))
			continue
		}
		if !info.AcceptsPayload(version) {
			n.setErr(fmt.Errorf("ERR DUMP payload version or checksum are wrong (payload RDB version %d; %s %s restores versions up to %d)", version, info.Product, info.Version, info.RDBVersion))
			continue
		}
		if info.ClusterEnabled && !opts.Cluster {
			n.Notes = append(n.Notes, "this node is part of a Redis Cluster; --cluster pushes to every primary")
		}
		expected, ch, err := PlanRestore(n.before.Libraries, incoming, opts.Mode, n.before.Functions, incomingFns)
		if err != nil {
			n.setErr(err)
			continue
		}
		n.expected, n.Change = expected, ch
	}
	// Replicas: reachable, and in step with their primary; they change as
	// their primary does, through replication.
	for _, n := range rep.Nodes {
		if n.Target || n.err != nil || n.node == nil {
			continue
		}
		p := primaries[n.Primary]
		if p == nil {
			continue
		}
		if p.before != nil && !p.before.Libraries.Equal(n.before.Libraries) {
			n.Notes = append(n.Notes, "holds different libraries than its primary before the push")
		}
		n.Change = p.Change
	}
	// A cluster must end with the same libraries on every primary.
	if opts.Cluster && len(setupErrs) == 0 {
		var first *NodeReport
		for _, n := range rep.Nodes {
			if !n.Target || n.expected == nil {
				continue
			}
			if first == nil {
				first = n
				continue
			}
			if !first.expected.Equal(n.expected) {
				n.setErr(fmt.Errorf("the primaries differ today: this one would end with %s, %s with %s (--mode flush makes them identical)",
					n.expected, first.Addr, first.expected))
			}
		}
	}
	var failed []string
	failed = append(failed, setupErrs...)
	for _, n := range rep.Nodes {
		if n.err != nil {
			failed = append(failed, n.Addr+": "+n.Error)
		}
	}
	if len(failed) > 0 {
		for _, n := range rep.Nodes {
			if n.Result == "" {
				n.Result = ResultUntouched
			}
			n.Libraries = n.currentNames()
		}
		more := ""
		if len(failed) > 1 {
			more = fmt.Sprintf(" and %d more", len(failed)-1)
		}
		return rep, fail(rep, ErrPlan, fmt.Sprintf("%d of %d nodes failed the plan (%s%s); no node was changed", max(countFailed(rep), 1), len(rep.Nodes), failed[0], more))
	}
	if opts.DryRun {
		for _, n := range rep.Nodes {
			switch {
			case !n.Target:
				n.Result = ResultUnchanged
				if p := primaries[n.Primary]; p != nil && !p.Change.Empty() {
					n.Result = ResultWouldChange
				}
				n.Libraries = n.currentNames()
			case n.Change.Empty():
				n.Result, n.Libraries = ResultUnchanged, n.currentNames()
			default:
				n.Result, n.Libraries = ResultWouldChange, n.expected.Names()
			}
		}
		rep.Phase, rep.OK = "done", true
		return rep, nil
	}

	// Restore, one target at a time.
	rep.Phase = "restore"
	var restored []*NodeReport
	var restoreErr error
	for _, n := range rep.Nodes {
		if !n.Target {
			continue
		}
		if restoreErr != nil {
			n.Result = ResultUntouched
			continue
		}
		if n.Change.Empty() {
			n.Result = ResultUnchanged
			continue
		}
		// Refuse to overwrite a change made since the plan: the rollback
		// dump would no longer be the node's state.
		now, err := n.node.Dump(ctx)
		if err == nil && string(now) != string(n.before.Payload) {
			err = &NodeError{Addr: n.Addr, Op: "FUNCTION DUMP", Kind: ErrServer, Err: errors.New("the node's libraries changed since the plan; not restoring")}
		}
		if err == nil {
			err = n.node.Restore(ctx, payload, opts.Mode)
		}
		if err != nil {
			n.setErr(err)
			restoreErr = err
			continue
		}
		restored = append(restored, n)
	}
	if restoreErr != nil {
		// Put back, newest first, every node already restored.
		for i := len(restored) - 1; i >= 0; i-- {
			n := restored[i]
			if err := n.node.Restore(ctx, n.before.Payload, library.RestoreFlush); err != nil {
				n.Result, n.Error = ResultRollbackFail, errText(err)
				continue
			}
			after, _, err := n.node.List(ctx)
			switch {
			case err != nil:
				n.Result, n.Error = ResultRollbackFail, "rollback not verified: "+errText(err)
			case !after.Equal(n.before.Libraries):
				n.Result, n.Error = ResultRollbackFail, fmt.Sprintf("after rollback the node holds %s, not %s", after, n.before.Libraries)
			default:
				n.Result = ResultRolledBack
			}
		}
		// Replicas of a rolled-back primary replicated the restore and the
		// rollback: check that they are back where they were.
		wait := opts.replicaWait()
		for _, n := range rep.Nodes {
			p := primaries[n.Primary]
			if n.Target || p == nil || p.Result != ResultRolledBack || n.node == nil {
				continue
			}
			if _, err := waitFor(ctx, n.node, p.before.Libraries, wait); err != nil {
				n.Result, n.Error = ResultReplicaBehind, errText(err)
			} else {
				n.Result = ResultRolledBack
			}
		}
		for _, n := range rep.Nodes {
			if n.Result == "" {
				n.Result = ResultUntouched
			}
			if n.Libraries == nil {
				n.Libraries = n.currentNames()
			}
		}
		msg := restoreErr.Error()
		switch len(restored) {
		case 0:
		case 1:
			msg += "; rolled back the node already restored"
		default:
			msg += fmt.Sprintf("; rolled back the %d nodes already restored", len(restored))
		}
		if countResult(rep, ResultRollbackFail) > 0 {
			msg += fmt.Sprintf("; ROLLBACK FAILED on %d node(s) — check them by hand", countResult(rep, ResultRollbackFail))
		}
		return rep, fail(rep, ErrRestore, msg)
	}

	// Verify.
	rep.Phase = "verify"
	var verifyFailed []string
	for _, n := range rep.Nodes {
		if !n.Target {
			continue
		}
		after, _, err := n.node.List(ctx)
		if err != nil {
			n.Result, n.Error = ResultNotVerified, errText(err)
			verifyFailed = append(verifyFailed, n.Addr)
			continue
		}
		n.Libraries, n.after = after.Names(), after
		if !after.Equal(n.expected) {
			n.Result, n.Error = ResultNotVerified, describeMismatch(n.expected, after)
			verifyFailed = append(verifyFailed, n.Addr)
			continue
		}
		if n.Result == "" {
			n.Result = ResultRestored
		}
	}
	wait := opts.replicaWait()
	for _, n := range rep.Nodes {
		if n.Target {
			continue
		}
		p := primaries[n.Primary]
		if p == nil || p.expected == nil {
			continue
		}
		after, err := waitFor(ctx, n.node, p.expected, wait)
		if after != nil {
			n.Libraries, n.after = after.Names(), after
		}
		switch {
		case err != nil:
			n.Result, n.Error = ResultReplicaBehind, errText(err)
			verifyFailed = append(verifyFailed, n.Addr)
		default:
			n.Result = ResultInSync
		}
	}
	if opts.Cluster && len(verifyFailed) == 0 {
		var first *NodeReport
		for _, n := range rep.Nodes {
			if first == nil {
				first = n
				continue
			}
			if !n.after.Equal(first.after) {
				n.Result, n.Error = ResultNotVerified, fmt.Sprintf("holds %s but %s holds %s", n.after, first.Addr, first.after)
				verifyFailed = append(verifyFailed, n.Addr)
			}
		}
	}
	if len(verifyFailed) > 0 {
		return rep, fail(rep, ErrVerify, "not verified on "+strings.Join(verifyFailed, ", "))
	}
	rep.Phase, rep.OK = "done", true
	return rep, nil
}

// clearUnapplied empties the change lists of the nodes a failed push left
// as they were: the lists say what a push did (or, in a dry run, would do).
func clearUnapplied(rep *Report) {
	for _, n := range rep.Nodes {
		switch n.Result {
		case ResultUntouched, ResultFailed, ResultRolledBack:
			n.Change = Change{}
		}
	}
}

func newNodeReport(u *URL, target bool) *NodeReport {
	return &NodeReport{Addr: u.Addr(), URL: u.String(), url: u, Target: target}
}

// connect dials the node and takes the snapshot the plan and the rollback
// use.
func (n *NodeReport) connect(ctx context.Context, opts Options) {
	node, err := Dial(ctx, n.url, opts)
	if err != nil {
		n.setErr(err)
		return
	}
	n.node = node
	info := node.Info
	n.Server = info.Product + " " + info.Version
	n.RDBVersion = info.RDBVersion
	if n.Role == "" {
		n.Role = "primary"
		if info.Role == "slave" {
			n.Role = "replica"
		}
	}
	if n.Primary == "" && info.Role == "slave" {
		n.Primary = info.MasterAddr
	}
	snap, err := node.Snapshot(ctx)
	if err != nil {
		n.setErr(err)
		return
	}
	n.before = snap
}

func (n *NodeReport) setErr(err error) {
	n.err, n.Result, n.Error = err, ResultFailed, errText(err)
}

func (n *NodeReport) currentNames() []string {
	if n.before == nil {
		return nil
	}
	return n.before.Libraries.Names()
}

// errText is err's message; a *NodeError's address is dropped because the
// report already names the node.
func errText(err error) string {
	var ne *NodeError
	if errors.As(err, &ne) {
		if ne.Op == "" || ne.Op == "connect" {
			return ne.Err.Error()
		}
		return ne.Op + ": " + ne.Err.Error()
	}
	return err.Error()
}

func fail(rep *Report, kind error, msg string) error {
	rep.OK, rep.Error = false, msg
	clearUnapplied(rep)
	return fmt.Errorf("%w: %s", kind, msg)
}

func countFailed(rep *Report) int { return countResult(rep, ResultFailed) }

func countResult(rep *Report, result string) int {
	c := 0
	for _, n := range rep.Nodes {
		if n.Result == result {
			c++
		}
	}
	return c
}

func dedupe(nodes []*NodeReport) []*NodeReport {
	seen := map[string]bool{}
	out := nodes[:0]
	for _, n := range nodes {
		if seen[n.Addr] {
			continue
		}
		seen[n.Addr] = true
		out = append(out, n)
	}
	return out
}

func describeMismatch(want, got *library.Set) string {
	d := library.Compare(want, got)
	var parts []string
	for _, l := range d.Removed {
		parts = append(parts, "missing "+l.Name)
	}
	for _, l := range d.Added {
		parts = append(parts, "unexpected "+l.Name)
	}
	for _, c := range d.Changed {
		parts = append(parts, "different code in "+c.Name)
	}
	return "the node does not hold the expected libraries: " + strings.Join(parts, ", ")
}

// waitFor polls FUNCTION LIST WITHCODE on a replica until it equals want.
func waitFor(ctx context.Context, n *Node, want *library.Set, wait time.Duration) (*library.Set, error) {
	deadline := time.Now().Add(wait)
	var last *library.Set
	for {
		got, _, err := n.List(ctx)
		if err == nil {
			last = got
			if got.Equal(want) {
				return got, nil
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return last, err
			}
			return last, fmt.Errorf("replica did not catch up within %v: %s", wait, describeMismatch(want, got))
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
