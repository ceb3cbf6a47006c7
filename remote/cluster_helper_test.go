package remote

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
)

// testCluster is a Redis Cluster of real redis-server processes on
// loopback ports, created by the test with redis-cli --cluster create.
type testCluster struct {
	Primaries []*server
	Replicas  []*server // Replicas[i] follows Primaries[i] when present
	Password  string
}

// All returns every node, primaries first.
func (c *testCluster) All() []*server {
	return append(append([]*server{}, c.Primaries...), c.Replicas...)
}

// startCluster starts primaries*(1+replicasPer) servers in cluster mode with
// requirepass/masterauth password, and joins them into one cluster.
func startCluster(t *testing.T, primaries, replicasPer int, password string) *testCluster {
	t.Helper()
	cli := fixtures.RequireTool(t, "redis-cli")
	var nodes []*server
	for i := 0; i < primaries*(1+replicasPer); i++ {
		s := startServer(t, "", "cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 5000")
		if password != "" {
			s.must(t, "CONFIG", "SET", "masterauth", password)
			s.must(t, "CONFIG", "SET", "requirepass", password)
			s.password = password
		}
		nodes = append(nodes, s)
	}
	args := []string{"--cluster", "create"}
	for _, n := range nodes {
		args = append(args, n.Addr)
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(replicasPer), "--cluster-yes")
	if password != "" {
		args = append([]string{"-a", password, "--no-auth-warning"}, args...)
	}
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c := &testCluster{Password: password}
	// Wait until every node says cluster_state:ok and every replica has
	// its link up, then sort the nodes by role as the cluster reports it.
	deadline := time.Now().Add(60 * time.Second)
	for _, n := range nodes {
		for {
			info := n.must(t, "CLUSTER", "INFO").Str
			repl := n.must(t, "INFO", "replication").Str
			ok := strings.Contains(info, "cluster_state:ok")
			if strings.Contains(repl, "role:slave") {
				ok = ok && strings.Contains(repl, "master_link_status:up")
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: cluster not ready:\n%s\n%s", n.Addr, info, repl)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	byAddr := map[string]*server{}
	for _, n := range nodes {
		byAddr[n.Addr] = n
	}
	for _, n := range nodes {
		if strings.Contains(n.must(t, "INFO", "replication").Str, "role:master") {
			c.Primaries = append(c.Primaries, n)
		}
	}
	for _, p := range c.Primaries {
		for _, n := range nodes {
			if strings.Contains(n.must(t, "INFO", "replication").Str, "master_port:"+strconv.Itoa(p.Port)+"\r\n") {
				c.Replicas = append(c.Replicas, n)
			}
		}
	}
	if len(c.Primaries) != primaries || len(c.Replicas) != primaries*replicasPer {
		t.Fatalf("cluster has %d primaries and %d replicas", len(c.Primaries), len(c.Replicas))
	}
	return c
}
