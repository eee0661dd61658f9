#!/usr/bin/env bash
# Size of the app as a browser downloads it: the release build in dist/ (after
# wasm-opt when tests/node_modules has it), raw, gzip -9 and brotli -q 11.
# Usage: bench/wasm-size.sh [--no-build]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v brotli >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq brotli >/dev/null; else echo "install brotli" >&2; exit 1; fi
fi
[ "${1:-}" = "--no-build" ] || cargo xtask build --release
printf '%-34s %10s %10s %10s\n' file raw gzip brotli
for f in dist/*_bg.wasm dist/fieldbook-*.js; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-34s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
