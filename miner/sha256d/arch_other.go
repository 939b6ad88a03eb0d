//go:build purego || !(amd64 || arm64)

package sha256d

// archJob is empty where no assembly kernel is compiled.
type archJob struct{}

func (j *Job) initArch() {}

// compiledKernels lists the assembly kernels in this binary: none.
func compiledKernels() []kernelInfo { return nil }

// archRolled is empty where no rolled assembly kernel is compiled.
type archRolled struct{}

func (r *RolledJob) initArch() {}
