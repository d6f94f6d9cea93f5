#!/usr/bin/env python3
"""Generates the scan benchmark corpora with benign random bytes.

corpus A: N small files (1 KiB - 1 MiB, log-uniform) plus a few large files, about TOTAL bytes.
corpus B: N tiny files (1 byte - 4 KiB).
"""
import os, random, sys

def write(path, size, rnd):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rnd.randbytes(n))
            left -= n

def corpus_a(root, small=2000, total=2 << 30, large=4, seed=1):
    rnd = random.Random(seed)
    used = 0
    for i in range(small):
        size = int(2 ** rnd.uniform(10, 20))
        d = os.path.join(root, f"d{i % 50:02d}")
        os.makedirs(d, exist_ok=True)
        write(os.path.join(d, f"f{i:05d}.bin"), size, rnd)
        used += size
    per = max(0, (total - used) // large)
    os.makedirs(os.path.join(root, "large"), exist_ok=True)
    for i in range(large):
        write(os.path.join(root, "large", f"L{i}.bin"), per, rnd)

def corpus_b(root, n=200_000, seed=2):
    rnd = random.Random(seed)
    for i in range(n):
        d = os.path.join(root, f"d{i // 1000:03d}")
        if i % 1000 == 0:
            os.makedirs(d, exist_ok=True)
        write(os.path.join(d, f"t{i:06d}"), rnd.randint(1, 4096), rnd)

if __name__ == "__main__":
    kind, root = sys.argv[1], sys.argv[2]
    os.makedirs(root, exist_ok=True)
    if kind == "A":
        corpus_a(root, total=int(sys.argv[3]) if len(sys.argv) > 3 else 2 << 30)
    else:
        corpus_b(root, n=int(sys.argv[3]) if len(sys.argv) > 3 else 200_000)
