#!/bin/sh
# Runs package sha256d's tests on every kernel path this machine can exercise:
#   1. the native build under -race, requiring (SHA256D_REQUIRE) each amd64 kernel whose CPU
#      feature /proc/cpuinfo lists, so a detection bug cannot turn into a silent skip;
#   2. the purego build (portable Go kernel only);
#   3. the arm64 build (SHA2 3-way and 2-way, NEON 4-way, Go) under qemu-user, and its purego
#      build. Needs qemu-aarch64-static (Debian: apt-get install qemu-user-static).
# Run from anywhere: miner/sha256d/test-kernels.sh
set -eu
cd "$(dirname "$0")"
go=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

req=
if [ -r /proc/cpuinfo ] && [ "$($go env GOARCH)" = amd64 ]; then
	flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
	case " $flags " in *" sha_ni "*) req=sha-ni-3way,sha-ni-2way ;; esac
	case " $flags " in *" avx2 "*) req=${req:+$req,}avx2-8way ;; esac
fi
echo "test-kernels: native, SHA256D_REQUIRE=$req" >&2
SHA256D_REQUIRE=$req $go test -race -count=1 ./...

echo "test-kernels: purego" >&2
$go test -count=1 -tags purego ./...

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
	echo "test-kernels: qemu-aarch64-static not found (apt-get install qemu-user-static)" >&2
	exit 1
fi
echo "test-kernels: arm64 under qemu-user" >&2
GOARCH=arm64 $go test -c -o "$tmp/arm64.test" .
SHA256D_REQUIRE=arm64-sha2-3way,arm64-sha2-2way,arm64-neon-4way qemu-aarch64-static "$tmp/arm64.test" -test.count=1
echo "test-kernels: arm64 purego under qemu-user" >&2
GOARCH=arm64 $go test -c -tags purego -o "$tmp/arm64-purego.test" .
qemu-aarch64-static "$tmp/arm64-purego.test" -test.count=1
echo "test-kernels: ok" >&2
