#!/usr/bin/env bash
# Video benchmarks (not tests), one core each, the same file in the same run:
# `vigil video hash` against Meta's reference vpdq (PyPI, the C++ on FFmpeg)
# in decoded video frames per second; then `vigil video compare` for two
# recordings of a few minutes measured end to end, and the alignment alone
# for two 2-hour recordings (7,200 hashes each).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_OF_VIDEO="${SECONDS_OF_VIDEO:-120}"
SIZE="${SIZE:-1280x720}"
VENV="${VENV:-/var/tmp/vigil-vpdq-venv}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-video-bench.XXXXXX)}"
trap 'rm -rf "$WORK"' EXIT
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import vpdq" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check vpdq==0.2.5
fi
cargo build --release -q -p vigil
cargo build --release -q -p vigil-video --example video_bench
BIN="${CARGO_TARGET_DIR:-target}/release/vigil"
EX="${CARGO_TARGET_DIR:-target}/release/examples/video_bench"

echo "== $SECONDS_OF_VIDEO s of $SIZE at 30 fps (testsrc2, H.264)"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=$SIZE:rate=30:duration=$SECONDS_OF_VIDEO" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p "$WORK/a.mp4"
frames=$((SECONDS_OF_VIDEO * 30))

echo "== video hash, one core each (decoding included)"
t0=$(date +%s.%N)
taskset -c 0 "$BIN" --data "$WORK/d" --json video hash "$WORK/a.mp4" > "$WORK/vigil.json"
t1=$(date +%s.%N)
taskset -c 0 "$VENV/bin/python" -c "import sys, vpdq; h = vpdq.computeHash(sys.argv[1], thread_count=1); print(len(h))" "$WORK/a.mp4" > "$WORK/ref.txt"
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$frames" "$WORK" <<'PY'
import json, sys
t0, t1, t2, frames, work = map(str, sys.argv[1:6])
v, r = float(t1) - float(t0), float(t2) - float(t1)
n = int(frames)
hashed = len(json.load(open(f"{work}/vigil.json"))["frames"])
print(f"vigil:     {v:.2f} s, {n / v:.0f} video frames/s ({hashed} hashed)")
print(f"reference: {r:.2f} s, {n / r:.0f} video frames/s ({open(f'{work}/ref.txt').read().strip()} hashed)")
print(f"ratio vigil/reference: {r / v:.2f}x")
PY

echo "== video compare end to end: the recording against a copy with 20 s cut, at 640x360 (both decoded)"
ffmpeg -nostdin -v error -y -i "$WORK/a.mp4" -filter_complex \
  "[0:v]trim=0:30,setpts=PTS-STARTPTS[x];[0:v]trim=50,setpts=PTS-STARTPTS[y];[x][y]concat=n=2:v=1:a=0,scale=640:360[v]" \
  -map "[v]" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$WORK/b.mp4"
t0=$(date +%s.%N)
taskset -c 0 "$BIN" --data "$WORK/d" --json video compare "$WORK/a.mp4" "$WORK/b.mp4"
t1=$(date +%s.%N)
python3 -c "import sys; a, b, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]); print(f'compare: {b - a:.2f} s for {n} s against {n - 20} s, one core')" "$t0" "$t1" "$SECONDS_OF_VIDEO"

echo "== alignment alone for two 2-hour recordings (7,200 hashes each), one core"
taskset -c 0 "$EX" 7200
echo "(a whole 2-hour compare adds decoding both files: 2 x 216,000 frames at the rate measured above)"
