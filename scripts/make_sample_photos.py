#!/usr/bin/python3
"""The real photographs of scripts/run-local.sh's sample set, small enough to commit.

Reads five public-domain / CC0 photographs from Debian packages (python3-skimage's skimage/data and
python-matplotlib-data's sample_data), scales each so its longer side is at most 400 pixels (Lanczos), and writes
them as baseline JPEGs (quality 85) to job/src/main/resources/io/resnetspark/job/samples/, with the NOTICE that
names their sources and licences. io.resnetspark.job.SampleImages copies them out of the job jar.

Run with Debian's Python:  /usr/bin/python3 scripts/make_sample_photos.py
"""
import os

from PIL import Image

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
MATPLOTLIB = "/usr/share/matplotlib/mpl-data/sample_data"
LONGER_SIDE = 400
QUALITY = 85

# (output name, source file, what it shows, source and licence as the package documents them)
PHOTOS = [
    ("astronaut.jpg", os.path.join(SKIMAGE, "astronaut.png"),
     "Eileen Collins, NASA astronaut",
     "scikit-image skimage.data.astronaut(): from the NASA Great Images database (https://flic.kr/p/r9qvLn). "
     "No known copyright restrictions, released into the public domain."),
    ("chelsea.jpg", os.path.join(SKIMAGE, "chelsea.png"),
     "Chelsea the cat",
     "scikit-image skimage.data.chelsea(): no copyright restrictions, CC0 by the photographer "
     "(Stefan van der Walt)."),
    ("coffee.jpg", os.path.join(SKIMAGE, "coffee.png"),
     "a cup of coffee",
     "scikit-image skimage.data.coffee(): courtesy of Pikolo Espresso Bar; no copyright restrictions, CC0 by the "
     "photographer (Rachel Michetti)."),
    ("rocket.jpg", os.path.join(SKIMAGE, "rocket.jpg"),
     "the launch of DSCOVR on a Falcon 9",
     "scikit-image skimage.data.rocket(): SpaceX Photos "
     "(https://www.flickr.com/photos/spacexphotos/16511594820/), captured by SpaceX and released into the "
     "public domain."),
    ("grace_hopper.jpg", os.path.join(MATPLOTLIB, "grace_hopper.jpg"),
     "Rear Admiral Grace M. Hopper, US Navy",
     "matplotlib sample_data grace_hopper.jpg: official US Navy portrait, a work of the US federal government, "
     "in the public domain."),
]


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "job", "src", "main", "resources",
                           "io", "resnetspark", "job", "samples")
    os.makedirs(out_dir, exist_ok=True)
    notice = ["The photographs in this folder are copied by scripts/run-local.sh (io.resnetspark.job.SampleImages)",
              "into its sample image set. scripts/make_sample_photos.py made them from Debian's python3-skimage and",
              "python-matplotlib-data packages: each scaled to at most 400 pixels on its longer side and saved as a",
              "JPEG of quality 85.", ""]
    total = 0
    for name, source, subject, licence in PHOTOS:
        image = Image.open(source).convert("RGB")
        scale = min(1.0, LONGER_SIDE / max(image.size))
        size = (round(image.width * scale), round(image.height * scale))
        if size != image.size:
            image = image.resize(size, Image.LANCZOS)
        path = os.path.join(out_dir, name)
        image.save(path, "JPEG", quality=QUALITY, optimize=True)
        total += os.path.getsize(path)
        notice.append("%s: %s, %dx%d. %s" % (name, subject, size[0], size[1], licence))
        print("wrote %s (%dx%d, %d bytes)" % (path, size[0], size[1], os.path.getsize(path)))
    with open(os.path.join(out_dir, "NOTICE"), "w") as f:
        f.write("\n".join(notice) + "\n")
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
