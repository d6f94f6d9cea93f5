#!/usr/bin/env bash
# Load benchmark for the public submit endpoint (not a test): the release
# server on loopback, driven at rising fixed rates. Prints each rate's
# p50/p99, the highest rate whose p99 stays under 50 ms, and checks that
# every acknowledged report is in the store afterwards and `vigil verify`
# passes. Then the mixed run: officers' queue and case pages, first alone
# (the peer, same data, same run), then while intake runs at half the top
# rate.
#
# Knobs: RATES, SECS, PORT; STORE=postgres://… for a PostgreSQL store (a
# fresh database of that name is made; the mixed run needs the demo, so it
# is SQLite only); OFFICER_RATE (officer page requests per second);
# VIGIL_BIN to measure another build of the server with the same generator.
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-100 200 400 600 800 1000 1200}"
SECS="${SECS:-10}"
PORT="${PORT:-18080}"
STORE="${STORE:-}"
OFFICER_RATE="${OFFICER_RATE:-20}"
WORK="$(mktemp -d /var/tmp/vigil-load.XXXXXX)"
cargo build --release -q -p vigil --bin vigil
cargo build --release -q -p vigil-web --example submit_load --example officer_load
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="${VIGIL_BIN:-$TARGET/release/vigil}"
if [ -n "$STORE" ]; then
  DB="${STORE##*/}"
  psql -q "${STORE%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\""
  "$VIGIL" --data "$WORK/d" init --store "$STORE" > /dev/null
  WHAT="PostgreSQL ($STORE, on this machine)"
else
  # The demo's accounts and cases give the officers' pages something to show.
  "$VIGIL" --data "$WORK/d" demo --seed-only > "$WORK/seed.txt"
  WHAT="SQLite (WAL, synchronous=FULL), seeded with the demo"
fi
count_reports() {
  "$VIGIL" --data "$WORK/d" --json exhibit list |
    python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin) if e['reference'].startswith('PR/')))"
}
BEFORE=$(count_reports)
"$VIGIL" --data "$WORK/d" serve --listen "127.0.0.1:$PORT" --reports-per-window 1000000 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
echo "== machine: $(nproc) cores; server: $VIGIL serve on $WHAT; one writer, pooled readers, group commit"
BEST=none
for R in $RATES; do
  "$TARGET/release/examples/submit_load" "127.0.0.1:$PORT" "$R" "$SECS" > "$WORK/run-$R.txt"
  head -1 "$WORK/run-$R.txt"
  P99=$(head -1 "$WORK/run-$R.txt" | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')
  FAILED=$(grep -c '^FAILED' "$WORK/run-$R.txt" || true)
  if python3 -c "import sys; sys.exit(0 if float('$P99') < 50 and $FAILED == 0 else 1)"; then BEST=$R; fi
done
echo "highest rate with p99 under 50 ms: $BEST requests/s"
if [ -z "$STORE" ] && [ "$BEST" != none ]; then
  SUP=$(sed -nE 's/^\s+demo\.supervisor\s+\S+\s+TOTP secret (\w+).*/\1/p' "$WORK/seed.txt")
  PASSWORD=$(sed -nE 's/.*password:? "?([a-z-]+-not-for-real-use)"?.*/\1/p' "$WORK/seed.txt" | head -1)
  PAGES="/queue /queue?state=in-case /cases/DEMO-1 /cases/DEMO-1/exhibits"
  echo "== officers' pages at $OFFICER_RATE requests/s (demo.supervisor), alone:"
  "$TARGET/release/examples/officer_load" "127.0.0.1:$PORT" demo.supervisor "$PASSWORD" "$SUP" "$OFFICER_RATE" "$SECS" $PAGES
  HALF=$((BEST / 2))
  echo "== the same while public reports arrive at $HALF/s (half the top rate):"
  # A new TOTP step first: the server refuses a code used once already.
  sleep $((31 - $(date +%s) % 30))
  "$TARGET/release/examples/submit_load" "127.0.0.1:$PORT" "$HALF" "$SECS" > "$WORK/run-mixed.txt" &
  SUBMIT=$!
  "$TARGET/release/examples/officer_load" "127.0.0.1:$PORT" demo.supervisor "$PASSWORD" "$SUP" "$OFFICER_RATE" "$SECS" $PAGES
  wait $SUBMIT
  head -1 "$WORK/run-mixed.txt"
fi
kill $SERVER; wait $SERVER 2>/dev/null || true
ACKED=$(cat "$WORK"/run-*.txt | grep -c '^RECEIPT' || true)
STORED=$(($(count_reports) - BEFORE))
echo "acknowledged reports: $ACKED; new reports in the store: $STORED"
[ "$ACKED" = "$STORED" ] && echo "every acknowledged report is in the store" || { echo "MISMATCH"; exit 1; }
"$VIGIL" --data "$WORK/d" verify | tail -1
