#!/usr/bin/python3
"""How far the reduced decode moves a ResNet's output (issue 11): pooled embeddings and top-5 classes of each image
through torchvision's resnet50 with weights far from their defaults, for torchvision's exact pipeline and for our
exact and reduced tensors (written by io.resnetspark.bench.DecodeModeTensors).

Weights: torchvision's initialisation (seed 0), then every batch norm given random running statistics and affine
parameters (running_var in [0.5, 2], the rest N(0, 0.1) around their defaults), so that no layer is the identity
it starts as. One JSON line per image, and a summary line.

    /usr/bin/python3 scripts/bench/reduced_agreement.py --images DIR --tensors DIR --out results.jsonl
"""
import argparse
import io
import json
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", required=True)
    ap.add_argument("--tensors", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    import torch
    import torchvision
    import torchvision.transforms as T
    from PIL import Image, ImageOps
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

    def ours(name, mode):
        raw = np.fromfile(os.path.join(a.tensors, name + "." + mode + ".f32"), dtype="<f4")
        return torch.from_numpy(raw.reshape(224, 224, 3).transpose(2, 0, 1).copy())

    names = sorted(f for f in os.listdir(a.images) if os.path.isfile(os.path.join(a.images, f)))
    rows = []
    for name in names:
        with open(os.path.join(a.images, name), "rb") as f:
            ref = tv(ImageOps.exif_transpose(Image.open(io.BytesIO(f.read()))).convert("RGB"))
        x = torch.stack([ref, ours(name, "exact"), ours(name, "reduced")])
        with torch.inference_mode():
            emb = model(x)
            top5 = fc(emb).topk(5).indices.tolist()
        rec = {"kind": "decode_agreement", "set": a.label, "image": name,
               "exact_tensor_equal": bool(torch.equal(x[0], x[1])),
               "embedding_centred_cosine": centred_cosine(emb[0], emb[2]),
               "top1_same": top5[0][0] == top5[2][0],
               "top5_overlap": len(set(top5[0]) & set(top5[2])) / 5.0}
        rows.append(rec)
        record(a.out, rec)
    record(a.out, {"kind": "decode_agreement_summary", "set": a.label, "images": len(rows),
                   "exact_tensor_equal": sum(r["exact_tensor_equal"] for r in rows),
                   "min_centred_cosine": min(r["embedding_centred_cosine"] for r in rows),
                   "median_centred_cosine": float(np.median([r["embedding_centred_cosine"] for r in rows])),
                   "top1_agreement": sum(r["top1_same"] for r in rows) / len(rows),
                   "top5_overlap": float(np.mean([r["top5_overlap"] for r in rows]))})
    return 0


def centred_cosine(a, b):
    a = a.double() - a.double().mean()
    b = b.double() - b.double().mean()
    return float((a @ b) / (a.norm() * b.norm()))


def record(path, rec):
    line = json.dumps(rec)
    with open(path, "a") as f:
        f.write(line + "\n")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
