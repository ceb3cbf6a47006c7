package remote

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/library"
)

// identical checks that every node of the cluster holds exactly want: the
// same FUNCTION LIST WITHCODE, and FUNCTION DUMP payloads with the same
// records byte for byte.
func (c *testCluster) identical(t *testing.T, want *library.Set) {
	t.Helper()
	nodes := c.All()
	first := nodes[0].dump(t)
	for _, n := range nodes {
		// Replicas apply what their primary replicates; give them a moment.
		deadline := time.Now().Add(10 * time.Second)
		for !setOf(t, n.list(t)).Equal(want) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := setOf(t, n.list(t)); !got.Equal(want) {
			t.Fatalf("%s holds %s, want %s", n.Addr, got, want)
		}
		sameDump(t, first, n.dump(t))
	}
}

func (c *testCluster) dumps(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, n := range c.All() {
		out[n.Addr] = n.dump(t)
	}
	return out
}

func TestClusterPush(t *testing.T) {
	c := startCluster(t, 3, 1, "secret")
	ctx := ctxT(t)
	seed := c.Primaries[0].url(t)
	names := oracleNames(t)
	opts := func(mode library.RestoreMode) PushOptions {
		return PushOptions{Cluster: true, Mode: mode, FunctionNames: names}
	}

	// Append onto an empty cluster.
	v1 := fixtureLibs(t, "ratelimit.lua", "sessions.lua", "leaderboard.lua")
	rep, err := Push(ctx, v1, []*URL{seed}, opts(library.RestoreAppend))
	if err != nil {
		t.Fatalf("%v\n%s", err, rep.Error)
	}
	if len(rep.Nodes) != 6 {
		t.Fatalf("report has %d nodes", len(rep.Nodes))
	}
	for _, n := range rep.Nodes {
		want := ResultRestored
		if n.Role == "replica" {
			want = ResultInSync
		}
		if n.Result != want {
			t.Errorf("%s (%s): %s %s", n.Addr, n.Role, n.Result, n.Error)
		}
	}
	c.identical(t, v1)

	// Append again: every primary refuses, nothing changes.
	before := c.dumps(t)
	rep, err = Push(ctx, v1, []*URL{seed}, opts(library.RestoreAppend))
	if !errors.Is(err, ErrPlan) {
		t.Fatalf("second append: %v", err)
	}
	for _, n := range rep.Nodes {
		if n.Role == "primary" && n.Error != "ERR Library leaderboard already exists" {
			t.Errorf("%s: %q", n.Addr, n.Error)
		}
	}
	if after := c.dumps(t); !equalMaps(before, after) {
		t.Fatal("a refused plan changed a node")
	}

	// Replace one library.
	v2 := fixtureLibs(t, "ratelimit_v2.lua")
	if rep, err = Push(ctx, v2, []*URL{seed}, opts(library.RestoreReplace)); err != nil {
		t.Fatalf("%v\n%s", err, rep.Error)
	}
	c.identical(t, fixtureLibs(t, "ratelimit_v2.lua", "sessions.lua", "leaderboard.lua"))

	// Flush to another set.
	v3 := fixtureLibs(t, "inventory.lua", "wire.lua")
	if rep, err = Push(ctx, v3, []*URL{seed}, opts(library.RestoreFlush)); err != nil {
		t.Fatalf("%v\n%s", err, rep.Error)
	}
	for _, n := range rep.Nodes {
		if n.Role == "primary" && strings.Join(n.Removed, ",") != "leaderboard,ratelimit,sessions" {
			t.Errorf("%s removed %v", n.Addr, n.Removed)
		}
	}
	c.identical(t, v3)

	// The whole cluster pulls as one.
	cp, err := PullCluster(ctx, seed, Options{})
	if err != nil || !cp.Agree || len(cp.Nodes) != 3 {
		t.Fatalf("pull: %v %+v", err, cp)
	}

	// A conflict on one primary: a library registering a function the
	// incoming one registers too. The plan fails there; no node changes.
	odd := c.Primaries[1]
	odd.load(t, "#!lua name=rogue\nredis.register_function('sess_create_x', function() return 1 end)\n")
	time.Sleep(200 * time.Millisecond) // let its replica apply it
	cp, err = PullCluster(ctx, seed, Options{})
	if !errors.Is(err, ErrMismatch) || cp.Agree || len(cp.Differences) != 1 || !strings.Contains(cp.Differences[0], odd.Addr) {
		t.Fatalf("pull of a divergent cluster: %v %+v", err, cp)
	}
	before = c.dumps(t)
	clash, _ := library.New("#!lua name=sessx\nredis.register_function('sess_create_x', function() return 2 end)\n", library.Origin{Offset: -1})
	rep, err = Push(ctx, library.NewSet(clash), []*URL{seed}, opts(library.RestoreAppend))
	if !errors.Is(err, ErrPlan) {
		t.Fatalf("conflict: %v", err)
	}
	if n := byAddrOf(rep, odd.Addr); n.Result != ResultFailed || n.Error != "ERR Function sess_create_x already exists" {
		t.Errorf("odd node %+v", n)
	}
	if after := c.dumps(t); !equalMaps(before, after) {
		t.Fatal("a refused plan changed a node")
	}
	odd.must(t, "FUNCTION", "DELETE", "rogue")
}

// A RESTORE that fails on the last primary after the others succeeded:
// they are rolled back, and every node ends as it began.
func TestClusterRollback(t *testing.T) {
	c := startCluster(t, 3, 1, "")
	ctx := ctxT(t)
	base := fixtureLibs(t, "ratelimit.lua")
	seed := c.Primaries[0].url(t)
	if _, err := Push(ctx, base, []*URL{seed}, PushOptions{Cluster: true}); err != nil {
		t.Fatal(err)
	}
	// The last primary in address order refuses writes of this size.
	last := c.Primaries[0]
	for _, p := range c.Primaries {
		if p.Addr > last.Addr {
			last = p
		}
	}
	last.must(t, "CONFIG", "SET", "maxmemory", "1")
	before := c.dumps(t)
	rep, err := Push(ctx, fixtureLibs(t, "i18n.lua"), []*URL{seed}, PushOptions{Cluster: true})
	if !errors.Is(err, ErrRestore) {
		t.Fatalf("err %v", err)
	}
	for _, n := range rep.Nodes {
		want := ResultRolledBack
		if n.Role == "replica" && n.Primary == last.Addr {
			want = ResultUntouched
		}
		if n.Addr == last.Addr {
			want = ResultFailed
			if !strings.Contains(n.Error, "OOM command not allowed when used memory > 'maxmemory'.") {
				t.Errorf("failed node error %q", n.Error)
			}
		}
		if n.Result != want {
			t.Errorf("%s: %s %s", n.Addr, n.Result, n.Error)
		}
	}
	last.must(t, "CONFIG", "SET", "maxmemory", "0")
	if after := c.dumps(t); !equalMaps(before, after) {
		for addr := range before {
			if before[addr] != after[addr] {
				t.Errorf("%s changed", addr)
			}
		}
	}
	c.identical(t, base)
}

// A primary that is down: reported with its address, nothing changes on
// the others.
func TestClusterNodeDown(t *testing.T) {
	c := startCluster(t, 3, 0, "")
	ctx := ctxT(t)
	seed := c.Primaries[0].url(t)
	if _, err := Push(ctx, fixtureLibs(t, "sessions.lua"), []*URL{seed}, PushOptions{Cluster: true}); err != nil {
		t.Fatal(err)
	}
	down := c.Primaries[2]
	down.Stop() // by PID
	before := map[string]string{}
	for _, p := range c.Primaries[:2] {
		before[p.Addr] = p.dump(t)
	}
	rep, err := Push(ctx, fixtureLibs(t, "leaderboard.lua"), []*URL{seed}, PushOptions{Cluster: true, Mode: library.RestoreReplace})
	if !errors.Is(err, ErrPlan) {
		t.Fatalf("err %v", err)
	}
	if n := byAddrOf(rep, down.Addr); n == nil || n.Result != ResultFailed || !strings.Contains(n.Error, "connection refused") {
		t.Fatalf("down node %+v", n)
	}
	if !strings.Contains(rep.Error, down.Addr) {
		t.Errorf("report error %q", rep.Error)
	}
	for _, p := range c.Primaries[:2] {
		if n := byAddrOf(rep, p.Addr); n.Result != ResultUntouched {
			t.Errorf("%s: %s", p.Addr, n.Result)
		}
		if p.dump(t) != before[p.Addr] {
			t.Errorf("%s changed", p.Addr)
		}
	}
	_, err = PullCluster(ctx, seed, Options{})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), down.Addr) {
		t.Errorf("pull: %v", err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
