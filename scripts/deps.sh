#!/usr/bin/env bash
# Installs what building and testing soloist needs on Debian/Ubuntu, and
# only what is missing: libusb headers (the USB build), umockdev (the libusb
# path tests), tmux, qemu-user (the arm64 kernel tests) and a real btcd node
# (the integration tests). Idempotent; uses sudo when not root.
#   scripts/deps.sh run    what `make demo` / `make build` need
#   scripts/deps.sh test   everything the tests need
set -euo pipefail
what=${1:-test}

pkgs=(libusb-1.0-0-dev pkg-config gcc)
if [ "$what" = test ]; then
  pkgs+=(umockdev gir1.2-umockdev-1.0 python3-gi tmux qemu-user-static openssl)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "deps: missing ${missing[*]} and no apt-get here: install them with your package manager" >&2
    exit 2
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  gobin=$(go env GOPATH)/bin
  if ! [ -x "$gobin/btcd" ]; then
    echo "deps: installing btcd v0.24.2 into $gobin" >&2
    GOFLAGS=-mod=mod go install github.com/btcsuite/btcd@v0.24.2 github.com/btcsuite/btcd/cmd/btcctl@v0.24.2
  fi
fi
