#!/usr/bin/env bash
# Public intake on one SQLite node, one PostgreSQL node and two PostgreSQL
# nodes (not a test): the release server on loopback, driven at the same
# fixed rates with the same generator (bench/load.sh's submit_load, which
# fetches a form and posts a report per request), side by side in one run.
# With two nodes, two generators each send half the rate, one to each node,
# and the worse p99 of the two is shown. Everything (PostgreSQL, both
# nodes, the generators) shares this machine's cores, so two nodes cannot
# show more capacity here than one: the run shows that they stay correct
# and what the shared store costs, not scale.
#
# Knobs: RATES, SECS, PG (the server's URL up to the database name),
# VIGIL_BIN and LOAD_BIN (that server and generator instead of this tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-200 400 600 800 1000}"
SECS="${SECS:-10}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d /var/tmp/vigil-nodes.XXXXXX)"
[ -n "${VIGIL_BIN:-}" ] || cargo build --release -q -p vigil --bin vigil
[ -n "${LOAD_BIN:-}" ] || cargo build --release -q -p vigil-web --example submit_load
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="${VIGIL_BIN:-$TARGET/release/vigil}"
LOAD="${LOAD_BIN:-$TARGET/release/examples/submit_load}"
PIDS=""
trap 'kill $PIDS 2>/dev/null || true; rm -rf "$WORK"' EXIT

serve() { # DATA PORT
  "$VIGIL" --data "$1" serve --listen "127.0.0.1:$2" --reports-per-window 100000000 > "$1.log" 2>&1 &
  PIDS="$PIDS $!"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/healthz" > /dev/null && return; sleep 0.1; done
  echo "server on $2 did not start" >&2; exit 1
}
p99() { sed -E 's/.*p99 ([0-9.]+) ms.*/\1/' <<< "$1"; }
p50() { sed -E 's/.*p50 ([0-9.]+) ms.*/\1/' <<< "$1"; }
fresh_db() {
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
  echo "$PG/$1"
}

"$VIGIL" --data "$WORK/sqlite" init > /dev/null
"$VIGIL" --data "$WORK/pg1" init --store "$(fresh_db vigil_bench_one)" > /dev/null
"$VIGIL" --data "$WORK/pg2a" init --store "$(fresh_db vigil_bench_two)" > /dev/null
cp -a "$WORK/pg2a" "$WORK/pg2b"
serve "$WORK/sqlite" 18181
serve "$WORK/pg1" 18182
serve "$WORK/pg2a" 18183
serve "$WORK/pg2b" 18184

echo "== machine: $(nproc) cores; every server, PostgreSQL and the generators on it"
echo
echo "| requests/s | SQLite, one node: p50 / p99 ms | PostgreSQL, one node | PostgreSQL, two nodes (half each) |"
echo "|---|---|---|---|"
total=0
for R in $RATES; do
  "$LOAD" 127.0.0.1:18181 "$R" "$SECS" > "$WORK/s.txt"
  "$LOAD" 127.0.0.1:18182 "$R" "$SECS" > "$WORK/o.txt"
  s=$(head -1 "$WORK/s.txt"); o=$(head -1 "$WORK/o.txt")
  "$LOAD" 127.0.0.1:18183 $((R / 2)) "$SECS" > "$WORK/a.txt" &
  A=$!
  "$LOAD" 127.0.0.1:18184 $((R - R / 2)) "$SECS" > "$WORK/b.txt"
  wait "$A"
  a=$(head -1 "$WORK/a.txt"); b=$(head -1 "$WORK/b.txt")
  worst=$(python3 -c "print(max(float('$(p99 "$a")'), float('$(p99 "$b")')))")
  failed=$(( $(grep -c '^FAILED' "$WORK/a.txt" || true) + $(grep -c '^FAILED' "$WORK/b.txt" || true) ))
  echo "| $R | $(p50 "$s") / $(p99 "$s") | $(p50 "$o") / $(p99 "$o") | $(p50 "$a"), $(p50 "$b") / $worst (failed: $failed) |"
  total=$((total + $(grep -c '^RECEIPT' "$WORK/a.txt" || true) + $(grep -c '^RECEIPT' "$WORK/b.txt" || true)))
done
echo
# Both nodes wrote one log: it verifies with no fork or gap.
"$VIGIL" --data "$WORK/pg2b" verify | tail -1
echo "two nodes acknowledged $total reports"
