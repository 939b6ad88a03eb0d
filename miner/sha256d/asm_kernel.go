//go:build !purego && (amd64 || arm64)

package sha256d

// asmKernel wraps a generated group scanner (see internal/asmgen) as a Kernel.
func asmKernel(name string, width uint32, f func(*archJob, uint32, uint32) (uint32, uint32)) Kernel {
	return Kernel{name: name, width: width, scan: func(j *Job, start, groups uint32) (uint32, uint32) {
		return f(&j.arch, start, groups)
	}}
}

// vectorWords are the per-job words the vector kernels (AVX2, NEON) read
// broadcast to every lane, in their order: block-2 state a..h after round 3,
// the midstate a..h, then x, sigma0(x), sigma1(x) for x in W0, W1, W2, W16, W17.
func (j *Job) vectorWords() [31]uint32 {
	var out [31]uint32
	i := 0
	put := func(v uint32) { out[i] = v; i++ }
	for _, v := range j.s4 {
		put(v)
	}
	for _, v := range j.mid {
		put(v)
	}
	for _, x := range []uint32{j.w[0], j.w[1], j.w[2], j.w16, j.w17} {
		put(x)
		put(sigma0(x))
		put(sigma1(x))
	}
	return out
}
