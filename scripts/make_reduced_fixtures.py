#!/usr/bin/python3
"""Writes the real-photograph fixtures of the reduced decode (issue 11) to udf/src/test/resources/images/photos/.

Five of Debian's sample photographs (see scripts/bench/make_photos.py) upscaled to 0.9-5.6 MP: for Resize(256)
the reduced decode keeps a shorter side of at least 512, so the 0.9 and 1.2 MP ones stay exact, the 3 MP ones are
decoded at 1/2 and the 5.6 MP one at 1/4. One is stored with EXIF orientation 6 (rotated), as phones write
portraits. Quality 80, 4:2:0. Deterministic.

    /usr/bin/python3 scripts/make_reduced_fixtures.py
"""
import os
import random
import sys

from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench"))
from make_photos import photo, sources  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "udf", "src", "test", "resources", "images", "photos")
# (source, megapixels, EXIF orientation)
PLAN = [("astronaut", 0.9, 1), ("coffee", 1.2, 1), ("chelsea", 3.0, 1), ("rocket", 3.0, 6),
        ("grace_hopper", 5.6, 1)]


def main():
    os.makedirs(OUT, exist_ok=True)
    photos = dict(sources())
    rng = random.Random(5)
    for name, megapixels, orientation in PLAN:
        im = photo(photos[name], megapixels, rng)
        exif = Image.Exif()
        if orientation != 1:
            exif[0x0112] = orientation
        path = os.path.join(OUT, "%s-%gMP.jpg" % (name, megapixels))
        im.save(path, quality=80, subsampling=2, exif=exif.tobytes())
        print("%s %dx%d %d bytes" % (path, im.size[0], im.size[1], os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
