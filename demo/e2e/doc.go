// Package e2e holds end-to-end tests of the demo node through soloist's own
// node client (package rpc) and the whole mining pipeline (miner, miner/cpu).
// They live apart from package demo so that demo's own tests do not depend
// on the miner's packages. The package has no non-test code.
//
// A real-time soak test is behind the "soak" build tag:
//
//	go test -tags soak -run Soak -v ./demo/e2e/ -args -soak=6m
package e2e
