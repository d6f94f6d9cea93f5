#!/usr/bin/env python3
"""Compares `vigil pdq` with the reference PDQ (PyPI pdqhash, the C++ code)
on images this script generates: noise, gradients, text, shapes, greyscale
and RGBA, sizes from 5x5 to 4000x3000 and odd aspect ratios. Every image is
a lossless PNG, so hash, quality and all 8 dihedral hashes must be identical.

usage: pdq_conformance.py VIGIL_BINARY [WORKDIR]
Needs numpy, pillow and pdqhash==0.2.8 (scripts/pdq_conformance.sh makes a venv).
"""
import json, os, subprocess, sys, tempfile
import numpy as np
import pdqhash
from PIL import Image, ImageDraw

def hexbits(bits):
    # pdqhash returns bit 255 first, as ThreatExchange writes it.
    return "{:064x}".format(int("".join(str(int(b)) for b in bits), 2))

def images(rng):
    sizes = [(5, 5), (6, 7), (5, 300), (300, 5), (63, 64), (64, 64), (65, 64), (127, 129), (128, 128),
             (129, 1000), (1000, 7), (333, 517), (1024, 768), (768, 1024), (4000, 3000), (17, 2900)]
    for w, h in sizes:
        yield f"noise-{w}x{h}", Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")
    for w, h in [(640, 480), (97, 211), (2000, 31)]:
        x = np.linspace(0, 255, w, dtype=np.float64)
        y = np.linspace(0, 255, h, dtype=np.float64)
        g = np.stack([np.tile(x, (h, 1)), np.tile(y[:, None], (1, w)), (np.add.outer(y, x) / 2)], axis=2)
        yield f"gradient-{w}x{h}", Image.fromarray(g.astype(np.uint8), "RGB")
        yield f"grey-gradient-{w}x{h}", Image.fromarray(np.tile(x, (h, 1)).astype(np.uint8), "L")
    for w, h in [(800, 600), (120, 90), (3000, 400)]:
        img = Image.new("RGB", (w, h), (250, 250, 240))
        d = ImageDraw.Draw(img)
        for i in range(12):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
            x1, y1 = x0 + int(rng.integers(5, w // 2 + 6)), y0 + int(rng.integers(5, h // 2 + 6))
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            (d.rectangle if i % 2 else d.ellipse)([x0, y0, x1, y1], fill=colour)
        for k in range(6):
            d.text((10 + 40 * k, 10 + 15 * k), "SYNTHETIC TEST IMAGE 0123", fill=(0, 0, 0))
        yield f"shapes-text-{w}x{h}", img
        rgba = img.convert("RGBA")
        a = np.asarray(rgba).copy()
        a[..., 3] = rng.integers(0, 256, (h, w), dtype=np.uint8)
        yield f"rgba-{w}x{h}", Image.fromarray(a, "RGBA")
    yield "grey-noise-333x200", Image.fromarray(rng.integers(0, 256, (200, 333), dtype=np.uint8), "L")
    yield "flat-100x100", Image.new("RGB", (100, 100), (12, 200, 40))

def main():
    vigil = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="pdq-conf-")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20261126)
    expected = {}
    for name, img in images(rng):
        path = os.path.join(work, name + ".png")
        img.save(path)
        rgb = np.asarray(Image.open(path).convert("RGB"))
        h, q = pdqhash.compute(rgb)
        hs, _ = pdqhash.compute_dihedral(rgb)
        expected[path] = (hexbits(h), int(q), [hexbits(x) for x in hs])
    out = subprocess.run([vigil, "--json", "pdq", "--dihedral", *expected], check=True, capture_output=True, text=True).stdout
    passed = failed = 0
    for line in out.splitlines():
        got = json.loads(line)
        want = expected[got["path"]]
        problems = []
        if got["pdq"] != want[0] or got["quality"] != want[1]:
            problems.append(f"hash {got['pdq']} q{got['quality']}, reference {want[0]} q{want[1]}")
        for k, (g, w) in enumerate(zip(got["dihedral"], want[2])):
            if g != w:
                problems.append(f"dihedral {k}: {g}, reference {w}")
        name = os.path.basename(got["path"])
        if problems:
            failed += 1
            print(f"MISMATCH {name}: " + "; ".join(problems))
        else:
            passed += 1
    if passed + failed != len(expected):
        print(f"vigil answered for {passed + failed} of {len(expected)} images")
        failed += len(expected) - passed - failed
    print(f"conformance: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
