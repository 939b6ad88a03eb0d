// Command asmgen writes package sha256d's generated kernels: shani_amd64.s (SHA-NI 3-way and
// 2-way, plus a one-nonce tracing variant for tests), avx2_amd64.s (AVX2 8-way), sha2_arm64.s
// (arm64 SHA2 3-way and 2-way) and kernel_go_h7.go (the unrolled portable kernel). Run it from
// the package directory:
//
//	go generate ./miner/sha256d
//
// The SHA-NI generator interleaves streams phase by phase and keeps each stream's message
// groups in a ring of registers; with fewer than four ring registers every group is also stored
// to a 16-byte aligned stack slot and older groups are read from there (legacy SSE memory
// operands must be aligned; Go only aligns SP to 8, so the kernel aligns a frame pointer itself).
package main
