#!/usr/bin/env bash
# Many rounds of the SIGKILL crash test (sync-server/tests/server/crash.rs): devices write over
# WebSockets, the server is killed at random moments and restarted, and every acknowledged change
# must still be there. CI runs 20 rounds per database; this runs as many as you like.
#
# Usage: bench/crash-rounds.sh ROUNDS [SEED]
#   BACKEND=sqlite|postgres   only one database (default: both, in parallel)
#   FIELDBOOK_TEST_POSTGRES_URL   use this PostgreSQL (a role that may create databases); without
#                             it a throwaway cluster is started here, as `cargo xtask test` does
# Each round prints a line; a failure names the seed to repeat it with.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=${1:?usage: bench/crash-rounds.sh ROUNDS [SEED]}
export FIELDBOOK_CRASH_ROUNDS=$rounds
if [ -n "${2:-}" ]; then
  export FIELDBOOK_CRASH_SEED=$2
fi
backend=${BACKEND:-}
case $backend in
  "" | sqlite | postgres) ;;
  *) echo "BACKEND must be sqlite or postgres" >&2; exit 2 ;;
esac

start_cluster() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    bin=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
  fi
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL's initdb not found: apt-get install -y postgresql (or set FIELDBOOK_TEST_POSTGRES_URL)" >&2
    exit 1
  fi
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/fieldbook-pg-bench-XXXXXX")
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root.
    chown postgres:postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
  fi
  pg_ctl=("${as_pg[@]}" "$bin/pg_ctl" --pgdata "$pg_dir/data")
  trap stop_cluster EXIT
  (cd "$pg_dir" && "${as_pg[@]}" "$bin/initdb" --pgdata "$pg_dir/data" --username fieldbook \
    --auth trust --encoding UTF8 --locale C --no-sync --no-instructions >/dev/null)
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    # Nothing answers on it: free.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      break
    fi
  done
  (cd "$pg_dir" && "${pg_ctl[@]}" --log "$pg_dir/postgres.log" --wait --timeout 60 --silent \
    -o "-h 127.0.0.1 -p $port -k $pg_dir -c max_connections=200" start)
  export FIELDBOOK_TEST_POSTGRES_URL="postgres://fieldbook@127.0.0.1:$port/postgres"
  echo "PostgreSQL test cluster on 127.0.0.1:$port in $pg_dir"
}

stop_cluster() {
  (cd "$pg_dir" && "${pg_ctl[@]}" --mode fast --wait --silent stop) || true
  rm -rf "$pg_dir"
}

if [ "$backend" != sqlite ] && [ -z "${FIELDBOOK_TEST_POSTGRES_URL:-}" ]; then
  start_cluster
fi

cargo build -q -p fieldbook-sync-server --tests
started=$SECONDS
cargo test -q -p fieldbook-sync-server --test server "crash::${backend}" -- --nocapture
echo "crash-rounds: $rounds rounds per database${backend:+ ($backend)} in $((SECONDS - started))s on $(nproc) cores"
