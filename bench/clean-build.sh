#!/usr/bin/env bash
# Clean build time: everything `cargo xtask run` builds, from an empty target
# directory (crates already downloaded), timed per part.
# Usage: bench/clean-build.sh   (takes several minutes; uses a temporary target dir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
export CARGO_TARGET_DIR="$target"
time_it() {
  local name=$1; shift
  local start=$SECONDS
  "$@" >/dev/null 2>&1
  printf '%-40s %5ds\n' "$name" $((SECONDS - start))
}
total=$SECONDS
time_it "xtask (release)" cargo build -p xtask --release --bin xtask
time_it "app wasm (wasm-release) + bindgen + opt" "$target/release/xtask" build --release
time_it "server (release)" cargo build -p fieldbook-sync-server --release
printf '%-40s %5ds\n' "total" $((SECONDS - total))
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(rustc --version)"
