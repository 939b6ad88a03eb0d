package demo_test

import (
	"context"
	"fmt"
	"os"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/soloist-miner/soloist/demo"
)

// Start a demo node in a fresh directory and read what a miner needs.
func ExampleStart() {
	dir, err := os.MkdirTemp("", "soloist-demo-*")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	n, err := demo.Start(context.Background(), demo.Config{Dir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close()

	p := n.Params()
	fmt.Println("chain:", p.Name)
	fmt.Println("spacing:", p.TargetTimePerBlock, "retarget every", int(p.TargetTimespan/p.TargetTimePerBlock), "blocks")
	fmt.Println("easiest bits after:", p.MinDiffReductionTime)
	fmt.Println("demo payout:", n.DemoAddress())
	a, err := btcutil.DecodeAddress(n.DemoAddress().EncodeAddress(), p)
	fmt.Println("decodes:", err == nil && a.IsForNet(p))
	// Output:
	// chain: soloistdemo
	// spacing: 27s retarget every 10 blocks
	// easiest bits after: 3m0s
	// demo payout: sdemo1qxyyvmeuyzdc8cxrkrq3er8c8hp38vp2f7cqgg4
	// decodes: true
}
