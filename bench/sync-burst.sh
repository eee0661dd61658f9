#!/usr/bin/env bash
# A new device's first sync of a site with many incidents: time until all are on the device, and
# the IndexedDB write transactions it took (see bench/sync-burst.mjs). Builds the release app and
# the server first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo xtask build --release
cargo build -p fieldbook-sync-server
node bench/sync-burst.mjs
