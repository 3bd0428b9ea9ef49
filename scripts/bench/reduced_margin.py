#!/usr/bin/python3
"""Which DCT scale the reduced decode could take with a plain resize (issue 11): for every photo, the pooled-embedding
agreement of torchvision's pipeline after PIL's Image.draft at 1/2, 1/4 and 1/8 (libjpeg's DCT scaling, then Pillow's
resize of the scaled pixels as if they were the image) with torchvision's exact pipeline, through the resnet50 of
reduced_agreement.py (seed 0, every batch norm randomised). "factor" is what the antialiased resize still reduces after
the DCT scaling (decoded shorter side / 256). This is what led to the reduced path's own resize: Pillow's, on the
scaled pixels, fell to 0.95 where the scale just covers the resize, so BilinearResize resizes a ScaledImage in the
full image's geometry with a narrowed triangle instead (reduced_agreement.py measures that path on our tensors).
Embeddings are centred on the set's mean exact embedding, as in reduced_agreement.py. One JSON line per photo
and scale:

    /usr/bin/python3 scripts/bench/reduced_margin.py DIR [DIR ...] > margin.jsonl
"""
import json
import os
import sys

import torch
from PIL import Image, ImageOps

from reduced_agreement import randomised_resnet50


def load(tv, path, d):
    im = Image.open(path)
    if d > 1:
        w, h = im.size
        im.draft("RGB", ((w + d - 1) // d, (h + d - 1) // d))  # PIL picks the largest scale still this large
    return tv(ImageOps.exif_transpose(im).convert("RGB")), im.size


def main():
    torch.set_num_threads(1)
    model, _, tv = randomised_resnet50()
    for folder in sys.argv[1:]:
        names = sorted(os.listdir(folder))
        with torch.inference_mode():
            exact = model(torch.stack([load(tv, os.path.join(folder, n), 1)[0] for n in names])).double()
        mean = exact.mean(0, keepdim=True)
        for d in (2, 4, 8):
            reduced = [load(tv, os.path.join(folder, n), d) for n in names]
            with torch.inference_mode():
                r = model(torch.stack([x for x, _ in reduced])).double()
            cos = torch.nn.functional.cosine_similarity(exact - mean, r - mean, dim=1).tolist()
            for n, c, (_, size) in zip(names, cos, reduced):
                print(json.dumps({"set": os.path.basename(folder), "image": n, "decoded": list(size),
                                  "factor": round(min(size) / 256, 2), "centred_cosine": round(c, 4)}), flush=True)


if __name__ == "__main__":
    main()
