#!/usr/bin/python3
"""Writes N realistic JPEGs (about 500x375, like ImageNet's validation set) for the preprocessing and job benches.

Sources are real photographs shipped by Debian packages (python3-skimage's data folder, matplotlib's
sample_data); each output is a random crop of one, resized to about 500x375 (portrait or landscape), maybe
mirrored, brightness-jittered and saved at a random JPEG quality, so decode and resize work like on real data.
Deterministic for a given --seed.
"""
import argparse
import glob
import os
import random
import sys

from PIL import Image, ImageEnhance


def sources():
    paths = []
    try:
        import skimage.data
        base = os.path.dirname(skimage.data.__file__)
        # colour photographs only (no synthetic patterns, text or greyscale scans)
        for name in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
                     "motorcycle_right.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png"):
            p = os.path.join(base, name)
            if os.path.exists(p):
                paths.append(p)
    except ImportError:
        pass
    try:
        import matplotlib
        paths += glob.glob(os.path.join(matplotlib.get_data_path(), "sample_data", "*.jpg"))
    except ImportError:
        pass
    images = []
    for p in sorted(set(paths)):
        im = Image.open(p).convert("RGB")
        if min(im.size) >= 200:
            images.append(im)
    return images


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    photos = sources()
    if not photos:
        print("no sample photographs found: apt-get install python3-skimage python-matplotlib-data", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.count):
        src = photos[i % len(photos)]
        w, h = src.size
        cw = rng.randint(int(w * 0.5), w)
        ch = rng.randint(int(h * 0.5), h)
        x = rng.randint(0, w - cw)
        y = rng.randint(0, h - ch)
        long_side = rng.randint(450, 550)
        short_side = int(long_side * rng.uniform(0.70, 0.80))
        size = (long_side, short_side) if rng.random() < 0.75 else (short_side, long_side)
        im = src.crop((x, y, x + cw, y + ch)).resize(size, Image.BICUBIC)
        if rng.random() < 0.5:
            im = im.transpose(Image.FLIP_LEFT_RIGHT)
        im = ImageEnhance.Brightness(im).enhance(rng.uniform(0.8, 1.2))
        im.save(os.path.join(a.out, "img_%05d.jpg" % i), quality=rng.randint(75, 95))
    print("wrote %d JPEGs from %d photographs to %s" % (a.count, len(photos), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
