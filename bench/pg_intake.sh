#!/usr/bin/env bash
# PostgreSQL public intake, two builds alternating (not a test): for each
# rate, a fresh database and a fresh server of each build, driven by the
# same generator (submit_load: a form fetched and a report posted per
# request) for SECS seconds; p50/p99 side by side.
#
# Knobs: BASE_BIN (the other build's `vigil`, required), RATES, SECS, PG.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE_BIN:?set BASE_BIN to the vigil binary of another build}"
RATES="${RATES:-250 300 400 500}"
SECS="${SECS:-8}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
cargo build --release -q -p vigil --bin vigil
cargo build --release -q -p vigil-web --example submit_load
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="$(mktemp -d /var/tmp/vigil-pgintake.XXXXXX)"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

run() { # BIN RATE -> first line of submit_load's output
  local d="$WORK/d$RANDOM"
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS vigil_pgintake" -c "CREATE DATABASE vigil_pgintake" 2> /dev/null
  "$1" --data "$d" init --store "$PG/vigil_pgintake" > /dev/null
  "$1" --data "$d" serve --listen 127.0.0.1:18191 --reports-per-window 100000000 > "$d.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18191/healthz > /dev/null && break; sleep 0.1; done
  "$TARGET/release/examples/submit_load" 127.0.0.1:18191 "$2" "$SECS" > "$d.out"
  kill "$SERVER"; wait "$SERVER" 2> /dev/null || true; SERVER=""
  head -1 "$d.out" | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \/ \2/'
}

echo "== machine: $(nproc) cores; PostgreSQL, both servers and the generator on it"
echo "| requests/s | $BASE_BIN: p50 / p99 ms | this tree |"
echo "|---|---|---|"
for R in $RATES; do
  echo "| $R | $(run "$BASE_BIN" "$R") | $(run "$TARGET/release/vigil" "$R") |"
done
