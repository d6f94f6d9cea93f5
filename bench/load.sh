#!/usr/bin/env bash
# Load benchmark for the public submit endpoint (not a test): the release
# server on SQLite, on loopback, driven at rising fixed rates. Prints each
# rate's p50/p99, the highest rate whose p99 stays under 50 ms, and checks
# that every acknowledged report is in the store afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-10 20 40 60 100 150 200 300}"
SECS="${SECS:-10}"
PORT="${PORT:-18080}"
WORK="$(mktemp -d /var/tmp/vigil-load.XXXXXX)"
cargo build --release -q -p vigil --bin vigil
cargo build --release -q -p vigil-web --example submit_load
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="$TARGET/release/vigil"
"$VIGIL" --data "$WORK/d" init > /dev/null
"$VIGIL" --data "$WORK/d" serve --listen "127.0.0.1:$PORT" --reports-per-window 1000000 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
echo "== machine: $(nproc) cores; server: vigil serve on SQLite (WAL, synchronous=FULL), SHA-256 receipts, one writer and pooled WAL readers"
BEST=none
for R in $RATES; do
  "$TARGET/release/examples/submit_load" "127.0.0.1:$PORT" "$R" "$SECS" > "$WORK/run-$R.txt"
  head -1 "$WORK/run-$R.txt"
  P99=$(head -1 "$WORK/run-$R.txt" | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')
  FAILED=$(grep -c '^FAILED' "$WORK/run-$R.txt" || true)
  if python3 -c "import sys; sys.exit(0 if float('$P99') < 50 and $FAILED == 0 else 1)"; then BEST=$R; fi
done
echo "highest rate with p99 under 50 ms: $BEST requests/s"
kill $SERVER; wait $SERVER 2>/dev/null || true
ACKED=$(cat "$WORK"/run-*.txt | grep -c '^RECEIPT' || true)
STORED=$("$VIGIL" --data "$WORK/d" --json exhibit list | python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin) if e['reference'].startswith('PR/')))")
echo "acknowledged reports: $ACKED; reports in the store: $STORED"
[ "$ACKED" = "$STORED" ] && echo "every acknowledged report is in the store" || { echo "MISMATCH"; exit 1; }
"$VIGIL" --data "$WORK/d" verify | tail -1
