#!/usr/bin/env bash
# The incident list with 10,000 incidents on a phone-sized headless Chromium: open and search
# times (see bench/list-10k.mjs). Builds the release app and the server first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo xtask build --release
cargo build -p fieldbook-sync-server
node bench/list-10k.mjs
