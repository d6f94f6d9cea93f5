#!/usr/bin/env bash
# Forensic scan benchmarks (not tests): vigil scan against hashdeep, the
# coreutils through xargs -P2, and b3sum, on the same generated corpora in the
# same run (page cache warm), plus the hash-set lookup benchmark.
# Needs hashdeep and b3sum (apt-get install hashdeep b3sum) and ~3 GiB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-scan-bench.XXXXXX)}"
SIZE_A="${SIZE_A:-2147483648}"
FILES_B="${FILES_B:-200000}"
SET_N="${SET_N:-50000000}"
LOOKUPS="${LOOKUPS:-10000000}"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p vigil --bin vigil
cargo build --release -q -p vigil-hashset --example hashset_bench
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="$(pwd)/$TARGET/release/vigil"
HSB="$(pwd)/$TARGET/release/examples/hashset_bench"
export VIGIL

# Best of three runs: the page cache is warm, so the spread is scheduling noise.
secs() { python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    t = time.perf_counter()
    subprocess.run(sys.argv[1], shell=True, check=True, stdout=subprocess.DEVNULL)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
print(f"{best:.3f}")
PY
}
calc() { python3 -c "print(f'{$1:.2f}')"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); AVX-512F/BW: $(grep -m1 -o 'avx512bw' /proc/cpuinfo || echo no)"
KERNELS="$(cargo run --release -q -p vigil-scan --example lanes_bench)"
echo "$KERNELS" | grep -v '^ONE_PASS'
PER_CORE="$(echo "$KERNELS" | sed -n 's/^ONE_PASS_LIMIT_PER_CORE=//p')"
python3 bench/gen_corpus.py A "$WORK/A" "$SIZE_A"
python3 bench/gen_corpus.py B "$WORK/B" "$FILES_B"
cd "$WORK"

run_corpus() {
  local C="$1"
  local BYTES; BYTES=$(du -sb "$C" | cut -f1)
  local GB; GB=$(calc "$BYTES / 1e9")
  echo "== corpus $C: $(find "$C" -type f | wc -l) files, $GB GB"
  find "$C" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
  local T_CAT; T_CAT=$(secs "find $C -type f -print0 | xargs -0 -P2 -n 500 cat")
  local T_V3; T_V3=$(secs "\$VIGIL scan $C --quiet --read read --algos md5,sha1,sha256 --format csv")
  local T_V1; T_V1=$(secs "\$VIGIL scan $C --quiet --read read --algos md5,sha1,sha256 --format csv --digests one")
  local T_HD; T_HD=$(secs "hashdeep -r -c md5,sha1,sha256 $C")
  local T_MD5; T_MD5=$(secs "find $C -type f -print0 | xargs -0 -P2 -n 500 md5sum")
  local T_SHA1; T_SHA1=$(secs "find $C -type f -print0 | xargs -0 -P2 -n 500 sha1sum")
  local T_SHA256; T_SHA256=$(secs "find $C -type f -print0 | xargs -0 -P2 -n 500 sha256sum")
  local T_V3M; T_V3M=$(secs "\$VIGIL scan $C --quiet --read mmap --algos md5,sha1,sha256 --format csv")
  local T_VB3; T_VB3=$(secs "\$VIGIL scan $C --quiet --read read --algos blake3 --format csv")
  local T_VB3M; T_VB3M=$(secs "\$VIGIL scan $C --quiet --read mmap --algos blake3 --format csv")
  local T_B3A; T_B3A=$(secs "find $C -type f -print0 | xargs -0 b3sum")
  local T_B3B; T_B3B=$(secs "find $C -type f -print0 | xargs -0 -P2 -n 500 b3sum")
  local T_B3; T_B3=$(python3 -c "print(min($T_B3A, $T_B3B))")
  # Single-core rate of each digest, measured through vigil in this run.
  local T1_MD5; T1_MD5=$(secs "\$VIGIL scan $C --quiet --jobs 1 --algos md5 --format csv")
  local T1_SHA1; T1_SHA1=$(secs "\$VIGIL scan $C --quiet --jobs 1 --algos sha1 --format csv")
  local T1_SHA256; T1_SHA256=$(secs "\$VIGIL scan $C --quiet --jobs 1 --algos sha256 --format csv")
  local LIMIT; LIMIT=$(calc "$(nproc) * ($BYTES / 1e9) / ($T1_MD5 + $T1_SHA1 + $T1_SHA256)")
  echo "plain read (cat, xargs -P2):          $(calc "$GB / $T_CAT") GB/s"
  echo "vigil scan md5,sha1,sha256:           $(calc "$GB / $T_V3") GB/s  ($T_V3 s)"
  echo "hashdeep -r -c md5,sha1,sha256:       $(calc "$GB / $T_HD") GB/s  ($T_HD s)   vigil/hashdeep: $(calc "$T_HD / $T_V3")x"
  echo "vigil --digests one (one file at a time, RustCrypto MD5/SHA-1; before multi-buffer): $(calc "$GB / $T_V1") GB/s  ($T_V1 s)   hashdeep/it: $(calc "$T_HD / $T_V1")x; lanes/it: $(calc "$T_V1 / $T_V3")x"
  echo "xargs -P2 md5sum / sha1sum / sha256sum: $(calc "$GB / $T_MD5") / $(calc "$GB / $T_SHA1") / $(calc "$GB / $T_SHA256") GB/s"
  echo "single-core rates (vigil --jobs 1): md5 $(calc "$GB / $T1_MD5"), sha1 $(calc "$GB / $T1_SHA1"), sha256 $(calc "$GB / $T1_SHA256") GB/s"
  echo "(those include each file's open and read, once per digest, so their sum is no limit for one pass: $LIMIT GB/s)"
  local KLIMIT; KLIMIT=$(calc "$(nproc) * $PER_CORE")
  echo "one-pass limit on $(nproc) cores from the kernels' single-core rates: $KLIMIT GB/s; vigil reaches $(calc "($GB / $T_V3) / $KLIMIT * 100")% of it (read), $(calc "($GB / $T_V3M) / $KLIMIT * 100")% (mmap)"
  echo "vigil scan md5,sha1,sha256 --read mmap: $(calc "$GB / $T_V3M") GB/s  ($T_V3M s)   vigil/hashdeep: $(calc "$T_HD / $T_V3M")x"
  echo "vigil scan blake3 --read read:        $(calc "$GB / $T_VB3") GB/s  ($T_VB3 s)"
  echo "vigil scan blake3 --read mmap:        $(calc "$GB / $T_VB3M") GB/s  ($T_VB3M s)"
  echo "b3sum (mmap; best of plain and xargs -P2): $(calc "$GB / $T_B3") GB/s  ($T_B3 s)   vigil/b3sum: read $(calc "$T_B3 / $T_VB3")x, mmap $(calc "$T_B3 / $T_VB3M")x"
}
run_corpus A
run_corpus B

echo "== hash set: $SET_N synthetic MD5 entries"
"$HSB" gen "$SET_N" set.csv
"$VIGIL" --data hs init > /dev/null
T_IMP=$(secs "\$VIGIL --data hs hashset import big set.csv --format csv --kind known-bad --by BN --replace")
SZ=$(stat -c %s hs/hashsets/big.vhs)
echo "import of $(calc "$(stat -c %s set.csv) / 1e9") GB CSV: $T_IMP s; set file $(calc "$SZ / 1e6") MB = $(calc "$SZ / $SET_N") bytes per entry"
"$HSB" lookup hs/hashsets/big.vhs "$SET_N" "$LOOKUPS"
