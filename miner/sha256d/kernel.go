package sha256d

import (
	"fmt"
	"strings"
)

// Kernel is one implementation of the nonce scan, such as "sha-ni-3way" or "go". The zero
// Kernel is not usable; get one from Available, Best or ByName.
type Kernel struct {
	name  string
	width uint32 // nonces per group
	// scan tests groups of width consecutive nonces from start and returns the index of the
	// first group with a nonce whose hash top word passes the early-exit test, with a bit mask
	// of those lanes (bit i is nonce start+g*width+i), or groups and 0 when none does.
	scan func(j *Job, start, groups uint32) (g, mask uint32)
	// rscan, when not nil, is the rolled group scanner: groups of rwidth nonces, each under
	// every version of the RolledJob; mask bit lane*Versions+v is lane under version v.
	rscan  func(j *RolledJob, start, groups uint32) (g, mask uint32)
	rwidth uint32
}

// Name returns the kernel's name: "sha-ni-3way", "sha-ni-2way", "avx2-8way", "arm64-sha2-3way",
// "arm64-sha2-2way", "arm64-neon-4way" or "go".
func (k Kernel) Name() string { return k.name }

// Width returns how many nonces the kernel hashes side by side.
func (k Kernel) Width() int { return int(k.width) }

// Scan scans count nonces from start (wrapping past 0xFFFFFFFF), writes every nonce whose double
// SHA-256 header hash, read as a little-endian 256-bit number, is <= the job's target into found
// in scan order, and returns how many nonces it scanned and how many it wrote. It stops early
// only when a qualifying nonce does not fit in found; scanned then counts the nonces before that
// one, so the caller resumes at start+scanned. A count of 0 scans nothing. Scan allocates nothing.
func (k Kernel) Scan(j *Job, start, count uint32, found []uint32) (scanned uint32, n int) {
	off := uint32(0)
	for off < count {
		rem := count - off
		groups := rem / k.width
		if rem%k.width != 0 {
			groups++
		}
		// Assembly is not preemptible: return to Go at least every maxCall nonces, so a stop
		// of the world waits milliseconds at most whatever count the caller passed.
		groups = min(groups, maxCall/k.width)
		g, mask := k.scan(j, start+off, groups)
		if mask == 0 {
			off += min(groups*k.width, rem)
			continue
		}
		base := off + g*k.width
		lanes := min(k.width, count-base)
		for lane := uint32(0); lane < lanes; lane++ {
			if mask&(1<<lane) == 0 {
				continue
			}
			nonce := start + base + lane
			if !j.meets(nonce) {
				continue
			}
			if n == len(found) {
				return base + lane, n
			}
			found[n] = nonce
			n++
		}
		off = base + lanes
	}
	return count, n
}

// maxCall is the most nonces one call of a kernel's scan function tests (about 9 ms at
// 30 MH/s).
const maxCall = 1 << 18

// kernelInfo is a kernel compiled into this binary and whether this CPU can run it.
type kernelInfo struct {
	k      Kernel
	ok     bool
	reason string // why the CPU cannot run it, when !ok
}

// goKernel is the portable kernel, available everywhere.
var goKernel = Kernel{name: "go", width: goWidth, scan: scanGo}

// Available lists the kernels this CPU can run, fastest first. The portable "go" kernel is
// always last.
func Available() []Kernel {
	var ks []Kernel
	for _, ki := range compiledKernels() {
		if ki.ok {
			ks = append(ks, ki.k)
		}
	}
	return append(ks, goKernel)
}

// Best returns the fastest kernel this CPU can run (Available()[0]).
func Best() Kernel { return Available()[0] }

// ByName returns the available kernel called name; "" and "auto" mean Best.
func ByName(name string) (Kernel, error) {
	if name == "" || name == "auto" {
		return Best(), nil
	}
	var names []string
	for _, k := range Available() {
		if k.name == name {
			return k, nil
		}
		names = append(names, k.name)
	}
	for _, ki := range compiledKernels() {
		if ki.k.name == name {
			return Kernel{}, fmt.Errorf("kernel %q cannot run on this cpu (%s); available: %s",
				name, ki.reason, strings.Join(names, ", "))
		}
	}
	return Kernel{}, fmt.Errorf("unknown kernel %q; available: %s", name, strings.Join(names, ", "))
}
