package sha256d

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates the kernels with internal/asmgen and requires the files in
// the package to match, so nobody edits generated assembly by hand or forgets go generate.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command: ", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(gobin, "run", "./internal/asmgen", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asmgen: %v\n%s", err, out)
	}
	for _, name := range []string{"shani_amd64.s", "avx2_amd64.s", "sha2_arm64.s", "kernel_go_h7.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what internal/asmgen generates; run go generate ./miner/sha256d", name)
		}
	}
}
