#!/usr/bin/env bash
# Issue 24's before-and-after (a benchmark, not a test): `vigil verify`
# over one million events, and public intake at a fixed rate, each run by
# the build before tables became projections of the log (BASE, a commit)
# and by this tree, on the same data in the same run, with the ratio.
#
# Knobs: BASE (default fcbf44b, the main before issue 24), EVENTS, RATE,
# SECS, BENCH_DIR, BASE_TARGET. The base's worktree and build are kept in
# /var/tmp between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${BASE:-fcbf44b}"
EVENTS="${EVENTS:-1000000}"
RATE="${RATE:-300}"
SECS="${SECS:-10}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-verify.XXXXXX)}"
mkdir -p "$WORK"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p vigil --bin vigil -p vigil-core --example log_bench -p vigil-web --example submit_load
NEW="$TARGET/release/vigil"
# The base's tree and build stay between runs (a worktree outside the clone).
BASE_TREE="/var/tmp/vigil-bench-base-tree-$BASE"
BASE_TARGET="${BASE_TARGET:-/var/tmp/vigil-bench-base-$BASE}"
[ -d "$BASE_TREE" ] || git worktree add -q --detach "$BASE_TREE" "$BASE"
(cd "$BASE_TREE" && CARGO_TARGET_DIR="$BASE_TARGET" cargo build --release -q -p vigil --bin vigil -p vigil-core --example log_bench)
OLD="$BASE_TARGET/release/vigil"

secs() { python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f"{time.perf_counter()-t:.3f}")' "$@"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== verify of $EVENTS events (made by the base's log_bench; each build verifies its own copy, twice, second run shown)"
"$BASE_TARGET/release/examples/log_bench" "$WORK/d" "$EVENTS" 10000 > /dev/null
cp -a "$WORK/d" "$WORK/d-new"
# The new build gives an older store its baseline at first open; that is
# a one-off, so it is done before timing.
"$NEW" --data "$WORK/d-new" verify > /dev/null
for _ in 1 2; do T_OLD=$(secs "$OLD" --data "$WORK/d" verify); T_NEW=$(secs "$NEW" --data "$WORK/d-new" verify); done
echo "verify, base $BASE: ${T_OLD} s"
echo "verify, this tree (every projected table also rebuilt and compared): ${T_NEW} s"
echo "ratio this/base: $(ratio "$T_NEW" "$T_OLD") (issue 24 asks at most 1.5)"
rm -rf "$WORK/d" "$WORK/d-new"

echo "== public intake at $RATE reports/s for $SECS s, each build on a fresh SQLite store"
for which in base this; do
  BIN=$([ "$which" = base ] && echo "$OLD" || echo "$NEW")
  "$BIN" --data "$WORK/i-$which" init > /dev/null
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" --data "$WORK/i-$which" serve --listen "127.0.0.1:$PORT" --reports-per-window 1000000 > /dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
  # The server's CPU time and bytes written for the run: steadier than
  # latency on a shared disk, and what the capture costs besides.
  read -r U0 S0 < <(awk '{print $14, $15}' "/proc/$SERVER/stat")
  W0=$(awk '/^write_bytes/ {print $2}' "/proc/$SERVER/io")
  "$TARGET/release/examples/submit_load" "127.0.0.1:$PORT" "$RATE" "$SECS" > "$WORK/load-$which.txt"
  read -r U1 S1 < <(awk '{print $14, $15}' "/proc/$SERVER/stat")
  W1=$(awk '/^write_bytes/ {print $2}' "/proc/$SERVER/io")
  N=$(grep -c '^RECEIPT ' "$WORK/load-$which.txt")
  TICK=$(getconf CLK_TCK)
  echo "$which: $(head -1 "$WORK/load-$which.txt")"
  echo "$which: server CPU $(python3 -c "print(f'{($U1+$S1-$U0-$S0)*1000/$TICK/$N:.3f}')") ms a report, $(python3 -c "print(f'{($W1-$W0)/1024/$N:.1f}')") KiB written a report"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
  "$BIN" --data "$WORK/i-$which" verify > /dev/null
  T_V=$(secs "$BIN" --data "$WORK/i-$which" verify)
  echo "$which: verify of the store intake left (every report's rows) ${T_V} s"
  eval "T_$which=$T_V"
done
echo "ratio of verify after intake, this/base: $(ratio "$T_this" "$T_base")"
