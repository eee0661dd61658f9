#!/usr/bin/env bash
# A device holding 10,000 incidents comes back: time to up to date, WebAssembly memory, records
# read from IndexedDB (see bench/reconnect-10k.mjs). Builds the release app and the server first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo xtask build --release
cargo build -p fieldbook-sync-server
node bench/reconnect-10k.mjs
