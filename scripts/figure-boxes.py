#!/usr/bin/env python3
"""Figure boxes for tests/ground-truth/figures-fresh.tsv from rough areas chosen by eye.

Each row of the areas file (tests/ground-truth/figures-fresh-areas.tsv) names a paper of
../shared/corpus/papers-fresh, a figure id, a 1-based page and one rough area `x0 y0 x1 y1` in PDF
points (top-left origin) that a person drew around the figure on a poppler render, leaving white
space around it and keeping the caption, body text and neighbouring floats out. This script
renders the page with poppler (`pdftoppm -r 150 -hide-annotations`, so link borders are not
ink), and tightens the area to the extent of its ink: pixels with any channel below 245. It
prints `paper id page x0,y0,x1,y1` (points, one decimal) and warns when ink touches an edge of
the area (the area then cuts something and must be redrawn). pdf-figures is never run.

Usage: scripts/figure-boxes.py AREAS.tsv [SHARED_DIR]   (needs pdftoppm, python3-pil, numpy)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

DPI = 150
INK = 245  # a pixel is ink when any channel is below this
SCALE = DPI / 72


def render(pdf, page, out_dir):
    stem = os.path.join(out_dir, f"{os.path.basename(pdf)}-{page}")
    if not os.path.exists(stem + ".png"):
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-hide-annotations", "-f", str(page), "-l", str(page),
             "-png", "-singlefile", pdf, stem],
            check=True,
        )
    return np.asarray(Image.open(stem + ".png").convert("RGB"))


def tighten(pixels, area):
    x0, y0, x1, y1 = (int(round(v * SCALE)) for v in area)
    ink = (pixels[y0:y1, x0:x1] < INK).any(axis=2)
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return None, []
    h, w = ink.shape
    edges = [name for name, hit in (("left", xs.min() == 0), ("top", ys.min() == 0),
                                    ("right", xs.max() == w - 1), ("bottom", ys.max() == h - 1)) if hit]
    box = [(x0 + xs.min()) / SCALE, (y0 + ys.min()) / SCALE,
           (x0 + xs.max() + 1) / SCALE, (y0 + ys.max() + 1) / SCALE]
    return box, edges


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[2] if len(sys.argv) == 3 else os.path.join(root, "..", "shared")
    papers = os.path.join(shared, "corpus", "papers-fresh")
    with tempfile.TemporaryDirectory() as tmp:
        for line in open(sys.argv[1], encoding="utf-8"):
            if not line.strip() or line.startswith("#"):
                continue
            paper, fid, page, area = line.rstrip("\n").split("\t")
            pixels = render(os.path.join(papers, paper + ".pdf"), int(page), tmp)
            box, edges = tighten(pixels, [float(v) for v in area.split()])
            if box is None:
                sys.exit(f"{paper} figure {fid}: no ink in {area}")
            if edges:
                print(f"warning: {paper} figure {fid}: ink touches the area's {', '.join(edges)} edge",
                      file=sys.stderr)
            print(f"{paper}\t{fid}\t{page}\t" + ",".join(f"{v:.1f}" for v in box))


if __name__ == "__main__":
    main()
