#!/usr/bin/python3
"""Which DCT scale the reduced decode can take, and how it must resize (issue 11). For every photo and every scale
1/2, 1/4, 1/8 whose shorter side still covers the resize: the pooled-embedding agreement (centred cosine) with
torchvision's exact pipeline, through the resnet50 of reduced_agreement.py (seed 0, every batch norm randomised), of
PIL's Image.draft at that scale (libjpeg's DCT scaling, as our reduced path) followed by three resizes:

  pillow     torchvision's Resize(256) + CenterCrop(224) of the scaled pixels, as if they were the image;
  geometry   the full image's output size, crop and sample positions (divided by the scale), Pillow's triangle;
  narrowed   the same geometry with the triangle's support s (in scaled pixels) narrowed to max(1, sqrt(s^2 - 1/2)),
             so that with the one-pixel box of the DCT scaling it spreads a pixel as far as the full image's triangle
             (what BilinearResize.resizeAndCentreCrop(ScaledImage, ...) does).

"factor" is what the resize still reduces after the DCT scaling (decoded shorter side / 256). The two full-geometry
resizes are computed here in floating point, rounded to 8 bits once, so they stand for our fixed-point resize to
within a level. Embeddings are centred on the set's mean exact embedding, as in reduced_agreement.py. One JSON line
per photo and scale:

    /usr/bin/python3 scripts/bench/reduced_margin.py DIR [DIR ...] > margin.jsonl
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image, ImageOps

from reduced_agreement import randomised_resnet50

RESIZE, CROP = 256, 224
NORMALISE = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


def triangle_weights(in_size, out_size, scale, support):
    """Pillow's precompute_coeffs for the triangle with the given sample spacing and support, in float."""
    w = np.zeros((out_size, in_size))
    for i in range(out_size):
        centre = (i + 0.5) * scale
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), in_size)
        x = np.arange(lo, hi)
        k = np.maximum(0.0, 1.0 - np.abs((x - centre + 0.5) / support))
        w[i, lo:hi] = k / k.sum() if k.sum() else 1.0 / len(k)
    return w


def full_geometry(scaled, full_size, d, narrowed):
    """Resize(256) + CenterCrop(224) of the full image, sampled from its 1/d scaled pixels."""
    fw, fh = full_size
    ow, oh = (RESIZE, int(RESIZE * fh / fw)) if fw <= fh else (int(RESIZE * fw / fh), RESIZE)
    a = np.asarray(scaled, dtype=np.float64)

    def axis(in_size, full, out):
        s = full / out / d
        support = max(1.0, math.sqrt(max(s * s - 0.5, 0.0))) if narrowed else max(s, 1.0)
        return triangle_weights(in_size, out, s, support)

    r = np.einsum("oh,hwc->owc", axis(a.shape[0], fh, oh), a)
    r = np.einsum("pw,owc->opc", axis(a.shape[1], fw, ow), r)
    r = np.clip(np.round(r), 0, 255).astype(np.uint8)
    top, left = int(round((oh - CROP) / 2.0)), int(round((ow - CROP) / 2.0))
    return NORMALISE(Image.fromarray(r[top:top + CROP, left:left + CROP]))


def upright(path, d):
    """The photo decoded at 1/d (d=1: exactly), EXIF-oriented, and its full upright size."""
    im = Image.open(path)
    full = im.size
    if d > 1:
        im.draft("RGB", (full[0] // d, full[1] // d))  # PIL takes the largest scale with at least this size: 1/d
    out = ImageOps.exif_transpose(im).convert("RGB")
    if (out.size[0] > out.size[1]) != (full[0] > full[1]):
        full = (full[1], full[0])
    return out, full


def main():
    torch.set_num_threads(1)
    model, _, tv = randomised_resnet50()

    def embed(tensors):
        with torch.inference_mode():
            return model(torch.stack(tensors)).double()

    for folder in sys.argv[1:]:
        names = sorted(os.listdir(folder))
        paths = [os.path.join(folder, n) for n in names]
        exact = embed([tv(upright(p, 1)[0]) for p in paths])
        mean = exact.mean(0, keepdim=True)
        for d in (2, 4, 8):
            decoded = [upright(p, d) for p in paths]
            keep = [i for i, (im, _) in enumerate(decoded) if min(im.size) >= RESIZE]
            if not keep:
                continue
            variants = {
                "pillow": [tv(decoded[i][0]) for i in keep],
                "geometry": [full_geometry(decoded[i][0], decoded[i][1], d, False) for i in keep],
                "narrowed": [full_geometry(decoded[i][0], decoded[i][1], d, True) for i in keep],
            }
            cos = {k: torch.nn.functional.cosine_similarity(exact[keep] - mean, embed(v) - mean, dim=1).tolist()
                   for k, v in variants.items()}
            for j, i in enumerate(keep):
                print(json.dumps({"set": os.path.basename(folder), "image": names[i], "scale": "1/%d" % d,
                                  "factor": round(min(decoded[i][0].size) / RESIZE, 2),
                                  **{k: round(v[j], 4) for k, v in cos.items()}}), flush=True)


if __name__ == "__main__":
    main()
