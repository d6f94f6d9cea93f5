#!/usr/bin/env python3
"""The reference side of bench/pdq.sh: PyPI pdqhash hashing speed, and faiss
binary indexes (IndexBinaryMultiHash(256,16,16) with nflip=1 as
threatexchange builds it, and IndexBinaryFlat), all on one thread.

usage: pdq_bench.py images DIR N | gen-index WORK N QUERIES PLANTED | faiss WORK RADIUS FLAT_QUERIES
"""
import os, sys, time
import numpy as np

def images(d, n):
    import pdqhash
    from PIL import Image
    paths = sorted(p for p in os.listdir(d) if p.endswith(".png"))
    arrs = [np.asarray(Image.open(os.path.join(d, p)).convert("RGB")) for p in paths]
    t = time.perf_counter()
    for k in range(n):
        pdqhash.compute(arrs[k % len(arrs)])
    s = time.perf_counter() - t
    h, w = arrs[0].shape[:2]
    print(f"pdqhash: {n} images of {w}x{h} hashed on one core in {s:.2f} s: {n / s:.1f} images/s")
    for p, a in zip(paths, arrs):
        bits, _ = pdqhash.compute(a)
        print("HASH", p, "{:064x}".format(int("".join(str(int(b)) for b in bits), 2)))

def gen_images(d, count):
    from PIL import Image, ImageDraw
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(7)
    for i in range(count):
        w, h = 1024, 768
        x = np.linspace(0, 255, w)
        base = np.stack([np.tile(x, (h, 1)), np.tile(np.linspace(255, 0, h)[:, None], (1, w)), np.full((h, w), (i * 37) % 256)], axis=2)
        noise = rng.normal(0, 20, (h, w, 3))
        img = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
        dr = ImageDraw.Draw(img)
        for k in range(8):
            x0, y0 = int(rng.integers(0, w - 100)), int(rng.integers(0, h - 100))
            dr.ellipse([x0, y0, x0 + int(rng.integers(20, 300)), y0 + int(rng.integers(20, 300))], fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
        img.save(os.path.join(d, f"img{i:03d}.png"))

def gen_index(work, n, nq, planted):
    rng = np.random.default_rng(11)
    db = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    qs = rng.integers(0, 256, (nq, 32), dtype=np.uint8)
    with open(os.path.join(work, "planted.txt"), "w") as f:
        for q in range(planted):
            target = int(rng.integers(0, n))
            d = int(rng.integers(0, 32))  # distance 0..31
            near = np.unpackbits(qs[q].copy())
            flips = rng.choice(256, size=d, replace=False)
            near[flips] ^= 1
            db[target] = np.packbits(near)
            f.write(f"{q} {target}\n")
    db.tofile(os.path.join(work, "db.bin"))
    qs.tofile(os.path.join(work, "queries.bin"))

def run_faiss(work, radius, flat_queries):
    import faiss
    faiss.omp_set_num_threads(1)
    db = np.fromfile(os.path.join(work, "db.bin"), dtype=np.uint8).reshape(-1, 32)
    qs = np.fromfile(os.path.join(work, "queries.bin"), dtype=np.uint8).reshape(-1, 32)
    planted = [tuple(map(int, l.split())) for l in open(os.path.join(work, "planted.txt"))]
    def recall(lims, ids, nq):
        got = {q: set(ids[lims[q]:lims[q + 1]].tolist()) for q in range(nq)}
        return sum(1 for q, t in planted if q < nq and t in got[q]), sum(1 for q, _ in planted if q < nq)
    t = time.perf_counter()
    mh = faiss.IndexBinaryMultiHash(256, 16, 16)
    mh.nflip = 1
    mh.add(db)
    build = time.perf_counter() - t
    t = time.perf_counter()
    lims, _, ids = mh.range_search(qs, radius + 1)  # faiss keeps distances < radius
    s = time.perf_counter() - t
    f, p = recall(lims, ids, len(qs))
    print(f"faiss IndexBinaryMultiHash(256,16,16) nflip=1: build {build:.2f} s; {len(qs)} queries in {s:.2f} s: {len(qs) / s:.1f} queries/s; recall {f}/{p}")
    del mh
    flat = faiss.IndexBinaryFlat(256)
    flat.add(db)
    q2 = qs[:flat_queries]
    t = time.perf_counter()
    lims, _, ids = flat.range_search(q2, radius + 1)
    s = time.perf_counter() - t
    f, p = recall(lims, ids, len(q2))
    print(f"faiss IndexBinaryFlat: {len(q2)} queries in {s:.2f} s: {len(q2) / s:.1f} queries/s; recall {f}/{p}")

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen-images":
        gen_images(sys.argv[2], int(sys.argv[3]))
    elif cmd == "images":
        images(sys.argv[2], int(sys.argv[3]))
    elif cmd == "gen-index":
        gen_index(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        run_faiss(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
