#!/usr/bin/python3
"""Writes camera-sized test photographs for the preprocessing benchmark and the reduced-decode checks (issue 11).

Sources are five real photographs that Debian packages ship (python3-skimage: astronaut, coffee, chelsea, rocket;
python-matplotlib-data: grace_hopper.jpg). Each output is a random 4:3 (or 3:4) crop of one, upscaled with PIL's
bicubic filter to the requested megapixels, brightness-jittered, and saved as baseline JPEG (quality 90, 4:2:0, as
phone cameras write), progressive JPEG, or PNG. Never committed: bench.sh makes them under its work directory.
Deterministic for a given --seed.

    /usr/bin/python3 scripts/bench/make_photos.py --out DIR --megapixels 12 --count 48 --kind jpeg
"""
import argparse
import os
import random
import sys

from PIL import Image, ImageEnhance

SKIMAGE_PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")
GRACE_HOPPER = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"


def sources():
    import skimage.data
    base = os.path.dirname(skimage.data.__file__)
    paths = [os.path.join(base, n) for n in SKIMAGE_PHOTOS] + [GRACE_HOPPER]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise SystemExit("missing sample photographs %s: apt-get install python3-skimage python-matplotlib-data"
                         % missing)
    return [(os.path.splitext(os.path.basename(p))[0], Image.open(p).convert("RGB")) for p in paths]


def photo(src, megapixels, rng):
    w, h = src.size
    portrait = rng.random() < 0.25
    aspect = 3 / 4 if portrait else 4 / 3
    # the largest 4:3 window, shrunk at random to at most 20 %, anywhere in the source
    cw, ch = (w, int(w / aspect)) if w / h < aspect else (int(h * aspect), h)
    shrink = rng.uniform(0.8, 1.0)
    cw, ch = int(cw * shrink), int(ch * shrink)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    out_h = int(round((megapixels * 1e6 / aspect) ** 0.5))
    out_w = int(round(out_h * aspect))
    im = src.crop((x, y, x + cw, y + ch)).resize((out_w, out_h), Image.BICUBIC)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    return ImageEnhance.Brightness(im).enhance(rng.uniform(0.85, 1.15))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--megapixels", type=float, default=12.0)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--kind", choices=("jpeg", "progressive", "png"), default="jpeg")
    ap.add_argument("--quality", type=int, default=90)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    photos = sources()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.count):
        name, src = photos[i % len(photos)]
        im = photo(src, a.megapixels, rng)
        base = os.path.join(a.out, "%s_%03d" % (name, i))
        if a.kind == "png":
            im.save(base + ".png", compress_level=6)
        else:
            im.save(base + ".jpg", quality=a.quality, subsampling=2, progressive=a.kind == "progressive")
    print("wrote %d %s photographs of %.1f MP to %s" % (a.count, a.kind, a.megapixels, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
