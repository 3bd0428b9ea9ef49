#!/usr/bin/python3
"""torchvision's evaluation preprocessing on one core, the peer of PreprocessBench (issue 11).

For each --images directory: images held in memory as bytes, then repeated samples of
    ImageOps.exif_transpose(Image.open(b)).convert("RGB") -> Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize
(torchvision's pil_loader plus the EXIF orientation the product applies), one thread, as img/s. --draft adds the
same with Image.draft("RGB", (resize, resize)) first (libjpeg's DCT-domain downscaling, the product's
"--decode reduced"). Rates are per wall second and per process CPU second (robust to a loaded machine).
--phases also times each step in CPU time (decode, convert, resize, crop, to_tensor,
normalize) over the same images. Writes one JSON line per directory and mode, like the Java benches.
"""
import argparse
import io
import os
import sys
import time

from results import record


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", action="append", required=True, help="directory; repeat for several")
    ap.add_argument("--label", action="append", help="a name per --images, in the same order")
    ap.add_argument("--modes", default="exact", help="comma list of exact, draft")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=1.5)
    ap.add_argument("--resize", type=int, default=256)
    ap.add_argument("--crop", type=int, default=224)
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import torch
    import torchvision.transforms as T
    from PIL import Image, ImageOps
    torch.set_num_threads(1)
    tail = T.Compose([T.Resize(a.resize), T.CenterCrop(a.crop), T.ToTensor(),
                      T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

    def pipeline(data, draft):
        im = Image.open(io.BytesIO(data))
        if draft and im.format == "JPEG":
            im.draft("RGB", (a.resize, a.resize))
        return tail(ImageOps.exif_transpose(im).convert("RGB"))

    labels = a.label or [os.path.basename(d.rstrip("/")) for d in a.images]
    for directory, label in zip(a.images, labels):
        files = sorted(os.path.join(directory, f) for f in os.listdir(directory))
        blobs = [open(f, "rb").read() for f in files]
        with Image.open(io.BytesIO(blobs[0])) as first:
            size = "%dx%d" % first.size
        for mode in a.modes.split(","):
            draft = mode == "draft"
            sample(lambda i: pipeline(blobs[i % len(blobs)], draft), 0.5)
            rates = [sample(lambda i: pipeline(blobs[i % len(blobs)], draft), a.min_seconds)
                     for _ in range(a.repeats)]
            rec = {"kind": "preprocess", "impl": "torchvision", "set": label, "typical_size": size,
                   "mode": "reduced" if draft else "exact", "threads": 1, "images": len(blobs),
                   "img_s": [w for w, _ in rates], "img_s_per_core": [w for w, _ in rates],
                   "img_per_cpu_s": [c for _, c in rates], "load": open("/proc/loadavg").read().split()[0]}
            if a.phases:
                rec["phases_ms"] = phases(blobs, draft, a, T, Image, ImageOps)
            record(a.out, rec)
    return 0


def phases(blobs, draft, a, T, Image, ImageOps):
    """CPU milliseconds per image of each step over all images (median of 3 passes)."""
    resize, crop, to_tensor = T.Resize(a.resize), T.CenterCrop(a.crop), T.ToTensor()
    norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    steps = {k: [] for k in ("decode", "convert", "resize", "crop", "to_tensor", "normalize")}
    for _ in range(3):
        t = {k: 0.0 for k in steps}
        for b in blobs:
            s = time.thread_time()
            im = Image.open(io.BytesIO(b))
            if draft and im.format == "JPEG":
                im.draft("RGB", (a.resize, a.resize))
            im.load()
            im = ImageOps.exif_transpose(im)
            s1 = time.thread_time()
            im = im.convert("RGB")
            s2 = time.thread_time()
            im = resize(im)
            s3 = time.thread_time()
            im = crop(im)
            s4 = time.thread_time()
            x = to_tensor(im)
            s5 = time.thread_time()
            norm(x)
            s6 = time.thread_time()
            for k, d in zip(steps, (s1 - s, s2 - s1, s3 - s2, s4 - s3, s5 - s4, s6 - s5)):
                t[k] += d
        for k in steps:
            steps[k].append(t[k] * 1000 / len(blobs))
    return {k: sorted(v)[1] for k, v in steps.items()}


def sample(step, seconds):
    """(images per wall second, images per process CPU second) over at least `seconds`."""
    start = time.perf_counter()
    cpu = time.process_time()
    n = 0
    while True:
        step(n)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed, n / (time.process_time() - cpu)


if __name__ == "__main__":
    sys.exit(main())
