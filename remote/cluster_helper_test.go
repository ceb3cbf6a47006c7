package remote

import (
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// testCluster wraps fixtures.StartCluster with this package's server
// helpers.
type testCluster struct {
	Primaries []*server
	Replicas  []*server
}

// All returns every node, primaries first.
func (c *testCluster) All() []*server {
	return append(append([]*server{}, c.Primaries...), c.Replicas...)
}

func startCluster(t *testing.T, primaries, replicasPer int, password string) *testCluster {
	t.Helper()
	fc := fixtures.StartCluster(t, fixtures.ClusterOptions{Primaries: primaries, ReplicasPer: replicasPer, Password: password})
	c := &testCluster{}
	for _, r := range fc.Primaries {
		c.Primaries = append(c.Primaries, &server{Redis: r, password: password})
	}
	for _, r := range fc.Replicas {
		c.Replicas = append(c.Replicas, &server{Redis: r, password: password})
	}
	return c
}
