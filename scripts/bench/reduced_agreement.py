#!/usr/bin/python3
"""How far the reduced decode moves a ResNet's output (issue 11): pooled embeddings and top-5 classes of each image
through torchvision's resnet50 with weights far from their defaults, for torchvision's exact pipeline and for our
exact and reduced tensors (written by io.resnetspark.bench.DecodeModeTensors).

Weights: torchvision's initialisation (seed 0), then every batch norm given random running statistics and affine
parameters (running_var in [0.5, 2], the rest N(0, 0.1) around their defaults), so that no layer is the identity
it starts as. Random weights send every photo to nearly the same pooled vector, so embeddings are centred on
the mean exact embedding of the set before the cosine (see below), and the summary gives the same cosine between
two different photos as the scale. One JSON line per image, and a summary line.

    /usr/bin/python3 scripts/bench/reduced_agreement.py --images DIR --tensors DIR --out results.jsonl
"""
import argparse
import io
import os
import sys

import numpy as np

from results import record


def randomised_resnet50():
    """torchvision's resnet50 (seed 0) with every batch norm randomised, its pooled output and fc apart, and
    torchvision's eval pipeline: (backbone to the pooled embedding, fc, transform)."""
    import torch
    import torchvision
    import torchvision.transforms as T
    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0, 0.1)
    fc = model.fc
    model.fc = torch.nn.Identity()
    tv = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                    T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    return model, fc, tv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", required=True)
    ap.add_argument("--tensors", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    import torch
    from PIL import Image, ImageOps
    model, fc, tv = randomised_resnet50()

    def ours(name, mode):
        raw = np.fromfile(os.path.join(a.tensors, name + "." + mode + ".f32"), dtype="<f4")
        return torch.from_numpy(raw.reshape(224, 224, 3).transpose(2, 0, 1).copy())

    names = sorted(f for f in os.listdir(a.images) if os.path.isfile(os.path.join(a.images, f)))
    refs, exact, reduced, equal = [], [], [], []
    for name in names:
        with open(os.path.join(a.images, name), "rb") as f:
            ref = tv(ImageOps.exif_transpose(Image.open(io.BytesIO(f.read()))).convert("RGB"))
        refs.append(ref)
        exact.append(ours(name, "exact"))
        reduced.append(ours(name, "reduced"))
        equal.append(bool(torch.equal(ref, exact[-1])))
    with torch.inference_mode():
        e_ref = model(torch.stack(refs)).double()
        e_red = model(torch.stack(reduced)).double()
        top_ref = fc(e_ref.float()).topk(5).indices.tolist()
        top_red = fc(e_red.float()).topk(5).indices.tolist()
    # Random weights map every photo to nearly the same pooled vector (different photos: cosine ~0.998), so the
    # vectors are centred on the mean over the set's exact embeddings: the cosine then compares what tells photos
    # apart. "between photos" is the same cosine for two different photos' exact embeddings, the scale to read it by.
    mean = e_ref.mean(0, keepdim=True)
    c_ref = e_ref - mean
    c_red = e_red - mean
    cos = torch.nn.functional.cosine_similarity(c_ref, c_red, dim=1).tolist()
    pair = torch.nn.functional.cosine_similarity(c_ref.unsqueeze(0), c_ref.unsqueeze(1), dim=2)
    off = pair[~torch.eye(len(names), dtype=torch.bool)]
    rows = []
    for i, name in enumerate(names):
        rec = {"kind": "decode_agreement", "set": a.label, "image": name, "exact_tensor_equal": equal[i],
               "embedding_centred_cosine": cos[i], "top1_same": top_ref[i][0] == top_red[i][0],
               "top5_overlap": len(set(top_ref[i]) & set(top_red[i])) / 5.0}
        rows.append(rec)
        record(a.out, rec)
    record(a.out, {"kind": "decode_agreement_summary", "set": a.label, "images": len(rows),
                   "exact_tensor_equal": sum(equal),
                   "min_centred_cosine": min(cos), "median_centred_cosine": float(np.median(cos)),
                   "between_photos_max_centred_cosine": float(off.max()) if len(off) else None,
                   "top1_agreement": sum(r["top1_same"] for r in rows) / len(rows),
                   "top5_overlap": float(np.mean([r["top5_overlap"] for r in rows]))})
    return 0


if __name__ == "__main__":
    sys.exit(main())
