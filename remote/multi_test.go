package remote

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

// The payload version check is the server's: a 7.0 server refuses 11 and 12.
func TestPayloadVersionRefusedAsServerDoes(t *testing.T) {
	s := startServer(t, "")
	ctx := ctxT(t)
	set := fixtureLibs(t, "sessions.lua")
	for _, v := range []int{11, 12} {
		rep, err := Push(ctx, set, []*URL{s.url(t)}, PushOptions{PayloadVersion: v})
		if !errors.Is(err, ErrPlan) {
			t.Fatalf("version %d: err %v", v, err)
		}
		payload, _ := dumpfmt.Encode(set, v)
		real := s.do(t, "FUNCTION", "RESTORE", string(payload))
		if !real.IsError() || !strings.HasPrefix(rep.Nodes[0].Error, real.Str) {
			t.Errorf("version %d: plan says %q, server says %q", v, rep.Nodes[0].Error, real.Str)
		}
	}
	// Version 10, picked by default for a 7.0 target, goes through.
	rep, err := Push(ctx, set, []*URL{s.url(t)}, PushOptions{})
	if err != nil || rep.PayloadVersion != 10 {
		t.Fatalf("%v, payload version %d", err, rep.PayloadVersion)
	}
}

// Two servers; the second refuses the restore with a function-name clash
// the plan could not predict (no FunctionNames): the first is rolled back to
// its saved dump.
func TestRestoreFailureRollsBackOthers(t *testing.T) {
	a := startServer(t, "secret")
	b := startServer(t, "")
	// Node order in a push is by address; make sure the clash is on the
	// node restored second.
	first, second := a, b
	if b.Addr < a.Addr {
		first, second = b, a
	}
	first.load(t, "#!lua name=old\nredis.register_function('old_f', function() return 1 end)\n")
	second.load(t, "#!lua name=other\nredis.register_function('shared_name', function() return 1 end)\n")
	beforeFirst, beforeSecond := first.dump(t), second.dump(t)
	incoming, err := library.New("#!lua name=newlib\nredis.register_function('shared_name', function() return 2 end)\n", library.Origin{Offset: -1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Push(ctxT(t), library.NewSet(incoming), []*URL{first.url(t), second.url(t)}, PushOptions{})
	if !errors.Is(err, ErrRestore) {
		t.Fatalf("err %v", err)
	}
	byAddr := map[string]*NodeReport{}
	for _, n := range rep.Nodes {
		byAddr[n.Addr] = n
	}
	if n := byAddr[second.Addr]; n.Result != ResultFailed || n.Error != "FUNCTION RESTORE: ERR Function shared_name already exists" {
		t.Errorf("second node %+v", n)
	}
	if n := byAddr[first.Addr]; n.Result != ResultRolledBack {
		t.Errorf("first node %+v", n)
	}
	if first.dump(t) != beforeFirst || second.dump(t) != beforeSecond {
		t.Error("a node was left changed")
	}
	if rep.Phase != "restore" || rep.OK {
		t.Errorf("report %+v", rep)
	}
	// With the function names known, the same push fails in the plan and
	// touches nothing at all.
	rep, err = Push(ctxT(t), library.NewSet(incoming), []*URL{first.url(t), second.url(t)}, PushOptions{FunctionNames: oracleNames(t)})
	if !errors.Is(err, ErrPlan) || byAddrOf(rep, first.Addr).Result != ResultUntouched {
		t.Fatalf("err %v, %+v", err, byAddrOf(rep, first.Addr))
	}
}

func byAddrOf(rep *Report, addr string) *NodeReport {
	for _, n := range rep.Nodes {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

func TestDownNodeStopsThePlan(t *testing.T) {
	a := startServer(t, "")
	b := startServer(t, "")
	a.load(t, fixtureLibs(t, "leaderboard.lua").Libraries()[0].Code)
	before := a.dump(t)
	bURL := b.url(t)
	b.Stop()
	rep, err := Push(ctxT(t), fixtureLibs(t, "sessions.lua"), []*URL{a.url(t), bURL}, PushOptions{})
	if !errors.Is(err, ErrPlan) {
		t.Fatalf("err %v", err)
	}
	if n := byAddrOf(rep, b.Addr); n.Result != ResultFailed || !strings.Contains(n.Error, "connection refused") {
		t.Errorf("down node %+v", n)
	}
	if n := byAddrOf(rep, a.Addr); n.Result != ResultUntouched {
		t.Errorf("live node %+v", n)
	}
	if !strings.Contains(rep.Error, b.Addr) {
		t.Errorf("report error %q does not name %s", rep.Error, b.Addr)
	}
	if a.dump(t) != before {
		t.Error("live node changed")
	}
}

func TestModesOnTwoServers(t *testing.T) {
	a := startServer(t, "")
	b := startServer(t, "secret")
	ctx := ctxT(t)
	names := oracleNames(t)
	targets := []*URL{a.url(t), b.url(t)}
	rl := fixtureLibs(t, "ratelimit.lua")
	for _, s := range []*server{a, b} {
		s.load(t, rl.Libraries()[0].Code)
	}
	a.load(t, fixtureLibs(t, "wire.lua").Libraries()[0].Code)

	// Dry run: nothing changes, the report says what would.
	incoming := fixtureLibs(t, "ratelimit_v2.lua", "sessions.lua")
	beforeA, beforeB := a.dump(t), b.dump(t)
	rep, err := Push(ctx, incoming, targets, PushOptions{Mode: library.RestoreReplace, DryRun: true, FunctionNames: names})
	if err != nil {
		t.Fatal(err)
	}
	if a.dump(t) != beforeA || b.dump(t) != beforeB {
		t.Fatal("dry run changed a server")
	}
	for _, n := range rep.Nodes {
		if n.Result != ResultWouldChange || strings.Join(n.Replaced, ",") != "ratelimit" || strings.Join(n.Added, ",") != "sessions" {
			t.Errorf("dry run node %+v", n)
		}
	}
	// Replace.
	rep, err = Push(ctx, incoming, targets, PushOptions{Mode: library.RestoreReplace, FunctionNames: names})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.list(t); len(got) != 3 || got["ratelimit"] != incoming.Libraries()[0].Code {
		t.Errorf("a holds %v", keys(got))
	}
	// Replace again: nothing to do, nothing restored.
	rep, err = Push(ctx, incoming, targets, PushOptions{Mode: library.RestoreReplace, FunctionNames: names})
	if err != nil || rep.Nodes[0].Result != ResultUnchanged || rep.Nodes[1].Result != ResultUnchanged {
		t.Fatalf("%v %+v %+v", err, rep.Nodes[0], rep.Nodes[1])
	}
	// Flush: both end with exactly the incoming set.
	rep, err = Push(ctx, incoming, targets, PushOptions{Mode: library.RestoreFlush, FunctionNames: names})
	if err != nil {
		t.Fatal(err)
	}
	if n := byAddrOf(rep, a.Addr); strings.Join(n.Removed, ",") != "wire" {
		t.Errorf("flush on a: %+v", n)
	}
	sameDump(t, a.dump(t), b.dump(t))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReplicaTargetRefused(t *testing.T) {
	p := startServer(t, "")
	r := startServer(t, "", "replicaof 127.0.0.1 "+strconv.Itoa(p.Port))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.must(t, "INFO", "replication").Str, "master_link_status:up") {
		if time.Now().After(deadline) {
			t.Fatal("replica did not connect")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep, err := Push(ctxT(t), fixtureLibs(t, "sessions.lua"), []*URL{r.url(t)}, PushOptions{})
	if !errors.Is(err, ErrPlan) {
		t.Fatalf("err %v", err)
	}
	n := rep.Nodes[0]
	if n.Role != "replica" || !strings.HasPrefix(n.Error, "READONLY You can't write against a read only replica.") || !strings.Contains(n.Error, p.Addr) {
		t.Errorf("node %+v", n)
	}
	// The words are the server's own.
	payload, _ := dumpfmt.Encode(fixtureLibs(t, "sessions.lua"), 10)
	if real := r.do(t, "FUNCTION", "RESTORE", string(payload)); !strings.HasPrefix(n.Error, real.Str) {
		t.Errorf("server says %q", real.Str)
	}
}
