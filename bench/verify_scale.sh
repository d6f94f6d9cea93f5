#!/usr/bin/env bash
# Issue 30, point 3 (a benchmark, not a test): full `vigil verify` of a
# long log (EVENTS, default 10,000,000, made once by this tree's
# log_bench), by the build before the change (BASE, a commit) and by this
# tree, alternating on the same store in the same run, beside two peers
# over the same events: `sha256sum` of the log's export (reading every
# event's bytes and one digest over them) and the offline `vigil log
# verify` of that export. Needs about 3 GiB (10M events) free in BENCH_DIR
# and the export beside it.
#
# Knobs: BASE (default 8130cdb, main before the borrowed rows), EVENTS, RUNS
# (default 3; each build's runs are printed and their best kept),
# BENCH_DIR, BASE_TARGET. The base's worktree and build stay in /var/tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${BASE:-8130cdb}"
EVENTS="${EVENTS:-10000000}"
RUNS="${RUNS:-3}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-verify-scale.XXXXXX)}"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p vigil --bin vigil -p vigil-core --example log_bench
NEW="$TARGET/release/vigil"
BASE_TREE="/var/tmp/vigil-bench-base-tree-$BASE"
BASE_TARGET="${BASE_TARGET:-/var/tmp/vigil-bench-base-$BASE}"
[ -d "$BASE_TREE" ] || git worktree add -q --detach "$BASE_TREE" "$BASE"
(cd "$BASE_TREE" && CARGO_TARGET_DIR="$BASE_TARGET" cargo build --release -q -p vigil --bin vigil)
OLD="$BASE_TARGET/release/vigil"

secs() { python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f"{time.perf_counter()-t:.3f}")' "$@"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
best() { tr ' ' '\n' | grep . | sort -n | head -1; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== a log of $EVENTS events (log_bench, batches of 10,000, a signed head each)"
"$TARGET/release/examples/log_bench" "$WORK/d" "$EVENTS" 10000 > "$WORK/append.txt"
head -1 "$WORK/append.txt"
echo "store: $(du -sh "$WORK/d" | cut -f1)"
# Page cache warm for everyone: one untimed verify by each build first.
"$OLD" --data "$WORK/d" verify > /dev/null
"$NEW" --data "$WORK/d" verify > /dev/null
T_OLD=""; T_NEW=""
for _ in $(seq 1 "$RUNS"); do
  T_OLD="$T_OLD $(secs "$OLD" --data "$WORK/d" verify)"
  T_NEW="$T_NEW $(secs "$NEW" --data "$WORK/d" verify)"
done
"$NEW" --data "$WORK/d" log export "$WORK/log.jsonl" > /dev/null
cat "$WORK/log.jsonl" > /dev/null
T_SHA=$(secs sha256sum "$WORK/log.jsonl")
T_OFF=$(secs "$NEW" log verify "$WORK/log.jsonl" --public-key "$WORK/d/keys/signing.pub")
B_OLD=$(echo "$T_OLD" | best)
B_NEW=$(echo "$T_NEW" | best)
echo "vigil verify, base $BASE:  runs${T_OLD} s; best ${B_OLD} s"
echo "vigil verify, this tree:   runs${T_NEW} s; best ${B_NEW} s (goal: under 10 s for 10,000,000)"
echo "ratio this/base: $(ratio "$B_NEW" "$B_OLD")"
echo "peer: sha256sum of the export ($(du -m "$WORK/log.jsonl" | cut -f1) MiB): ${T_SHA} s; ratio verify/sha256sum: $(ratio "$B_NEW" "$T_SHA")"
echo "vigil log verify of the export (offline, this tree): ${T_OFF} s"
