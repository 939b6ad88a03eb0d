//go:build !purego

package sha256d

// cpuid executes CPUID with EAX = leaf and ECX = sub.
func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// xgetbv reads extended control register 0 (which register states the OS saves).
func xgetbv() (eax, edx uint32)

// x86Features are the CPU features the amd64 kernels need.
type x86Features struct {
	sha, ssse3, sse41, avx2 bool
}

// detectX86 reads the features with CPUID. x/sys/cpu has no SHA flag on x86, hence the stub.
func detectX86() x86Features {
	var f x86Features
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 1 {
		return f
	}
	_, _, ecx1, _ := cpuid(1, 0)
	f.ssse3 = ecx1&(1<<9) != 0
	f.sse41 = ecx1&(1<<19) != 0
	osxsave := ecx1&(1<<27) != 0
	avx := ecx1&(1<<28) != 0
	if maxLeaf < 7 {
		return f
	}
	_, ebx7, _, _ := cpuid(7, 0)
	f.sha = ebx7&(1<<29) != 0
	if osxsave && avx {
		// The OS must save both XMM (bit 1) and YMM (bit 2) state for AVX2 to be usable.
		if xcr0, _ := xgetbv(); xcr0&6 == 6 {
			f.avx2 = ebx7&(1<<5) != 0
		}
	}
	return f
}
