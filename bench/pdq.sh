#!/usr/bin/env bash
# PDQ benchmarks (not tests), one core each, same data in the same run:
# hashing 1,000 1024x768 images after decode, Vigil against PyPI pdqhash;
# radius-31 queries on 10 million random hashes with planted near-duplicates,
# Vigil's multi-index against faiss IndexBinaryMultiHash and IndexBinaryFlat.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGES="${IMAGES:-1000}"
DISTINCT="${DISTINCT:-50}"
N="${N:-10000000}"
QUERIES="${QUERIES:-1000}"
PLANTED="${PLANTED:-500}"
FLAT_QUERIES="${FLAT_QUERIES:-50}"
VENV="${VENV:-/var/tmp/vigil-bench-venv}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-pdq-bench.XXXXXX)}"
trap 'rm -rf "$WORK"' EXIT
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pdqhash, faiss, numpy, PIL" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pdqhash==0.2.8 faiss-cpu numpy pillow
fi
cargo build --release -q -p vigil-pdq --example pdq_bench
BIN="${CARGO_TARGET_DIR:-target}/release/examples/pdq_bench"
PY="$VENV/bin/python"
export OMP_NUM_THREADS=1

echo "== hashing: $IMAGES images (cycling $DISTINCT distinct 1024x768 PNGs), after decode, one core"
"$PY" bench/pdq_bench.py gen-images "$WORK/img" "$DISTINCT"
taskset -c 0 "$PY" bench/pdq_bench.py images "$WORK/img" "$IMAGES" > "$WORK/ref.txt"
taskset -c 0 "$BIN" hash "$WORK/img" "$IMAGES" > "$WORK/vigil.txt"
grep -v '^HASH' "$WORK/ref.txt"
grep -v '^HASH' "$WORK/vigil.txt"
if diff <(grep '^HASH' "$WORK/ref.txt") <(grep '^HASH' "$WORK/vigil.txt") > /dev/null; then
  echo "hashes identical to pdqhash on all $DISTINCT images"
else
  echo "HASHES DIFFER from pdqhash"
fi
python3 -c "import re,sys; r=float(re.search(r'([0-9.]+) images/s', open('$WORK/ref.txt').read()).group(1)); v=float(re.search(r'([0-9.]+) images/s', open('$WORK/vigil.txt').read()).group(1)); print(f'ratio vigil/pdqhash: {v/r:.2f}x')"

echo "== index: $N random hashes, $QUERIES queries ($PLANTED with a planted match at distance 0-31), radius 31, one core"
"$PY" bench/pdq_bench.py gen-index "$WORK" "$N" "$QUERIES" "$PLANTED"
/usr/bin/time -f "vigil max RSS %M KiB" taskset -c 0 "$BIN" index "$WORK/db.bin" "$WORK/queries.bin" "$WORK/planted.txt" 31 | tee "$WORK/vi.txt"
/usr/bin/time -f "faiss max RSS %M KiB" taskset -c 0 "$PY" bench/pdq_bench.py faiss "$WORK" 31 "$FLAT_QUERIES" | tee "$WORK/fa.txt"
python3 -c "import re; v=float(re.search(r'([0-9.]+) queries/s', open('$WORK/vi.txt').read()).group(1)); f=[float(x) for x in re.findall(r'([0-9.]+) queries/s', open('$WORK/fa.txt').read())]; print(f'ratio vigil/faiss MultiHash: {v/f[0]:.1f}x; vigil/faiss Flat: {v/f[1]:.1f}x')"
