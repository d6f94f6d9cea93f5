#!/usr/bin/env bash
# Vigil benchmarks (not tests). Each figure is printed beside a peer run on
# the same data in the same run. Needs ~3 GiB of free disk in $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${SIZE_MIB:-1024}"
EVENTS="${EVENTS:-1000000}"
BATCH="${BATCH:-10000}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-bench.XXXXXX)}"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p vigil -p vigil-core --example log_bench --bin vigil
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="$TARGET/release/vigil"
LOGBENCH="$TARGET/release/examples/log_bench"

secs() { python3 -c 'import sys,time; t=time.perf_counter(); import subprocess; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f"{time.perf_counter()-t:.3f}")' "$@"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}')" "$1" "$2"; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.0f}')" "$1" "$2"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "== 1. exhibit add of a ${SIZE_MIB} MiB file vs sha256sum (page cache warm for both)"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$WORK/big.bin"
cat "$WORK/big.bin" > /dev/null
"$VIGIL" --data "$WORK/d1" init > /dev/null
T_SHA=$(secs sha256sum "$WORK/big.bin")
T_ADD=$(secs "$VIGIL" --data "$WORK/d1" exhibit add "$WORK/big.bin" --case BENCH-1 --by BN)
echo "sha256sum:          ${T_SHA} s  ($(rate "$SIZE_MIB" "$T_SHA") MiB/s; one digest, read only)"
echo "vigil exhibit add:  ${T_ADD} s  ($(rate "$SIZE_MIB" "$T_ADD") MiB/s; MD5+SHA-1+SHA-256+BLAKE3, encrypt, write, fsync)"
echo "ratio add/sha256sum time: $(ratio "$T_ADD" "$T_SHA")"
if command -v hashdeep >/dev/null 2>&1; then
  T_HD=$(secs hashdeep -c md5,sha1,sha256 "$WORK/big.bin")
  echo "hashdeep -c md5,sha1,sha256: ${T_HD} s; ratio add/hashdeep time: $(ratio "$T_ADD" "$T_HD")"
fi
rm -f "$WORK/big.bin"
rm -rf "$WORK/d1"

echo "== 2. custody-log append, ${EVENTS} events in batches of ${BATCH}"
"$LOGBENCH" "$WORK/d2" "$EVENTS" "$BATCH"

echo "== 3. vigil verify over $((EVENTS + 1)) events"
T_VER=$(secs "$VIGIL" --data "$WORK/d2" verify)
"$VIGIL" --data "$WORK/d2" log export "$WORK/log.jsonl" > /dev/null
T_PEER=$(secs sha256sum "$WORK/log.jsonl")
T_OFF=$(secs "$VIGIL" log verify "$WORK/log.jsonl" --public-key "$WORK/d2/keys/signing.pub")
echo "vigil verify (store):        ${T_VER} s  ($(rate "$EVENTS" "$T_VER") events/s)"
echo "vigil log verify (offline):  ${T_OFF} s"
echo "peer: sha256sum of the export ($(du -m "$WORK/log.jsonl" | cut -f1) MiB): ${T_PEER} s"
echo "ratio verify/sha256sum: $(ratio "$T_VER" "$T_PEER")"
