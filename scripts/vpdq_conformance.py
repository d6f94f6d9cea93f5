"""vPDQ conformance: Vigil's `video hash` against Meta's reference `vpdq`.

Videos come from FFmpeg's test sources (several sizes, frame rates, codecs
and containers, including an odd size and a fractional rate). For each, at
least 95% of frames must be within Hamming distance 10 of the reference's
hash and the frame counts must be equal within 2.

usage: vpdq_conformance.py VIGIL_BINARY WORKDIR
"""

import json
import subprocess
import sys

import vpdq

VIGIL, WORK = sys.argv[1], sys.argv[2]

CASES = [
    ("testsrc2-320x240-30.mp4", "testsrc2=size=320x240:rate=30:duration=20", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("mandelbrot-640x360-25.mp4", "mandelbrot=size=640x360:rate=25:end_pts=200", ["-t", "15", "-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("testsrc-1280x720-2997.mp4", "testsrc=size=1280x720:rate=30000/1001:duration=12", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("life-odd-331x241-24.mkv", "life=size=331x241:rate=24:mold=10:ratio=0.3", ["-t", "12", "-c:v", "libx264", "-pix_fmt", "yuv444p"]),
    ("smptehdbars-640x480-15.avi", "smptehdbars=size=640x480:rate=15:duration=10", ["-c:v", "mpeg4", "-q:v", "4"]),
    ("cellauto-400x300-50.webm", "cellauto=size=400x300:rate=50:rule=110", ["-t", "8", "-c:v", "libvpx-vp9", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8"]),
    ("gradients-256x144-10.mov", "gradients=size=256x144:rate=10:speed=0.05:duration=20", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
]


def popcount_xor(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


failed = False
for name, source, codec in CASES:
    path = f"{WORK}/{name}"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, *codec, path], check=True)
    ref = vpdq.computeHash(path)
    out = subprocess.run([VIGIL, "--json", "video", "hash", path], check=True, capture_output=True, text=True)
    ours = json.loads(out.stdout)["frames"]
    pairs = list(zip(ref, ours))
    close = sum(1 for r, o in pairs if popcount_xor(r.hex, o["pdq"]) <= 10)
    same_number = all(r.frame_number == o["frame"] for r, o in pairs)
    share = close / max(1, max(len(ref), len(ours)))
    ok = share >= 0.95 and abs(len(ref) - len(ours)) <= 2 and same_number
    failed |= not ok
    worst = max((popcount_xor(r.hex, o["pdq"]) for r, o in pairs), default=0)
    print(
        f"{'ok  ' if ok else 'FAIL'} {name}: {len(ours)} frames (reference {len(ref)}), "
        f"{close} within 10 bits ({share:.0%}), worst {worst} bits, frame numbers {'equal' if same_number else 'DIFFER'}"
    )
sys.exit(1 if failed else 0)
