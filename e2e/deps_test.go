package e2e

import (
	"testing"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/cpu"
	"github.com/soloist-miner/soloist/rpc"
)

// newCPUHasher returns the real CPU hasher with the given thread count.
func newCPUHasher(t *testing.T, threads int) miner.Hasher {
	t.Helper()
	return cpu.New(cpu.Config{Threads: threads})
}

// newNodeClient returns the real rpc client for n, closed when the test ends.
func newNodeClient(t *testing.T, n *btcdtest.Node) miner.Node {
	t.Helper()
	c, err := rpc.New(rpc.Config{
		Host:       n.Host,
		User:       n.User,
		Pass:       n.Pass,
		AuthSource: "btcdtest credentials",
		Network:    n.Net,
	})
	if err != nil {
		t.Fatalf("rpc.New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}
