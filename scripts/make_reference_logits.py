#!/usr/bin/python3
"""Writes torchvision's reference values for model-builder's checkpoint parity tests.

Usage:
    /usr/bin/python3 scripts/make_reference_logits.py [--archs resnet18,resnet50,...]

Writes, under model-builder/src/test/resources/reference/:
  <arch>_logits.json  logits and top-5 of real torchvision (eval mode) for the formula weights and input below,
                      for resnet18, resnet50, resnext50_32x4d and wide_resnet50_2
(Keys, shapes and parameter counts of every architecture are in architectures.json, written by
scripts/make_architecture_reference.py.)

The weights are never stored: the Java test helper FormulaWeights regenerates them bit for bit from the same
formula (FORMULA_VERSION 1), so only these small files are committed.

Formula v1. For the k-th state_dict entry (k counts entries in state_dict order, num_batches_tracked excluded)
and its i-th element in PyTorch's row-major layout:
    x = (i * 2654435761 + k * 40503 + 12345) mod 2**32          (exact integers)
    u = fmix32(x) / 2**32 - 0.5                                   (exact in float64)
where fmix32 is MurmurHash3's finaliser (x ^= x >> 16; x *= 0x85ebca6b; x ^= x >> 13; x *= 0xc2b2ae35;
x ^= x >> 16, all mod 2**32). Without it the values form a Weyl sequence, whose sums over a convolution's
fan-in nearly cancel and leave the logits almost independent of the input.
    conv weight [O, I, kh, kw]: u * 3.0 * sqrt(2.0 / (I * kh * kw))
    bn weight: 0.75 + u        bn bias: u         bn running_mean: u         bn running_var: 0.5 + abs(u) * 2.0
    fc weight [C, D]: u * 2.0 * sqrt(1.0 / D)                      fc bias: u * 0.1
each evaluated left to right in float64 and rounded once to float32. BatchNorm statistics and affine parameters
are thus far from their defaults (0, 1), so swapping mean and variance, or weight and bias, changes the logits;
the scales keep resnet152's activations finite.
Input: image n, channel c, row y, column x (NCHW index j = ((n * 3 + c) * H + y) * W + x):
    v = fmix32((j * 2246822519 + 3266489917) mod 2**32) / 2**32 - 0.5
    t = ((y * (2 * n + 1) + x * (c + 2)) mod 97) / 48.0 - 1.0
    value = v * 2.0 + t * 1.5 rounded to float32
The stripes t differ per image and channel: with noise alone, global average pooling makes two images' logits
nearly equal, and a transposed kernel or swapped channel order would barely show. Each logits file records how
much such mistakes move the logits ("sensitivity", relative to max|logit|) next to the 1e-4 tolerance.
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torchvision

FORMULA_VERSION = 1
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model-builder", "src", "test", "resources",
                   "reference")
LOGIT_ARCHS = ["resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2"]
BATCH, HEIGHT, WIDTH = 2, 224, 224
MOD = 2 ** 32


def fmix32(x):
    """MurmurHash3's 32-bit finaliser on uint64 arrays holding 32-bit values; products stay below 2**64."""
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    x = x ^ (x >> np.uint64(13))
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(0xFFFFFFFF)
    return x ^ (x >> np.uint64(16))


def hashed_uniform(index, multiplier, addend):
    """fmix32((index * multiplier + addend) mod 2**32) / 2**32 - 0.5, for an int64 index array."""
    x = (index.astype(np.uint64) * np.uint64(multiplier) + np.uint64(addend)) & np.uint64(0xFFFFFFFF)
    return fmix32(x).astype(np.float64) / MOD - 0.5


def uniform(k, n):
    return hashed_uniform(np.arange(n, dtype=np.int64), 2654435761, (k * 40503 + 12345) % MOD)


def formula_tensor(k, key, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(k, n)
    if key == "fc.weight":
        v = u * 2.0 * math.sqrt(1.0 / shape[1])
    elif key == "fc.bias":
        v = u * 0.1
    elif len(shape) == 4:
        v = u * 3.0 * math.sqrt(2.0 / (shape[1] * shape[2] * shape[3]))
    elif key.endswith(".running_mean"):
        v = u
    elif key.endswith(".running_var"):
        v = 0.5 + np.abs(u) * 2.0
    elif key.endswith(".weight"):
        v = 0.75 + u
    elif key.endswith(".bias"):
        v = u
    else:
        raise ValueError("no formula for " + key)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def formula_state_dict(model):
    sd = model.state_dict()
    keys = [k for k in sd if not k.endswith("num_batches_tracked")]
    out = {k: formula_tensor(idx, k, list(sd[k].shape)) for idx, k in enumerate(keys)}
    for k in sd:
        if k.endswith("num_batches_tracked"):
            out[k] = sd[k]
    return out, keys


def formula_input():
    v = hashed_uniform(np.arange(BATCH * 3 * HEIGHT * WIDTH, dtype=np.int64), 2246822519, 3266489917)
    v = v.reshape(BATCH, 3, HEIGHT, WIDTH)
    n = np.arange(BATCH).reshape(BATCH, 1, 1, 1)
    c = np.arange(3).reshape(1, 3, 1, 1)
    y = np.arange(HEIGHT).reshape(1, 1, HEIGHT, 1)
    x = np.arange(WIDTH).reshape(1, 1, 1, WIDTH)
    t = ((y * (2 * n + 1) + x * (c + 2)) % 97) / 48.0 - 1.0
    return torch.from_numpy((v * 2.0 + t * 1.5).astype(np.float32))


def run(model, sd, x):
    model.load_state_dict(sd)
    model.eval()
    with torch.no_grad():
        return model(x)


def sensitivity(model, sd, x, logits):
    """How far typical import mistakes move the logits, relative to max|logit|: each must dwarf the tolerance."""
    scale = float(logits.abs().max())
    transposed = {k: v.transpose(2, 3).contiguous() if v.dim() == 4 and v.shape[2] > 1 else v for k, v in sd.items()}
    swapped = dict(sd)
    for k in sd:
        if k.endswith(".running_mean"):
            p = k[: -len("running_mean")]
            swapped[p + "weight"], swapped[p + "bias"] = sd[p + "bias"], sd[p + "weight"]
    result = {
        "kernel_height_width_swapped": float((run(model, transposed, x) - logits).abs().max()) / scale,
        "bn_weight_bias_swapped": float((run(model, swapped, x) - logits).abs().max()) / scale,
        "input_channels_reversed": float((run(model, sd, x.flip(1)) - logits).abs().max()) / scale,
        "input_rows_reversed": float((run(model, sd, x.flip(2)) - logits).abs().max()) / scale,
    }
    model.load_state_dict(sd)
    return result


def logits_reference(arch):
    model = getattr(torchvision.models, arch)()
    sd, keys = formula_state_dict(model)
    x = formula_input()
    logits = run(model, sd, x)
    with torch.no_grad():
        features = torch.flatten(model.avgpool(model.layer4(model.layer3(model.layer2(model.layer1(
            model.maxpool(model.relu(model.bn1(model.conv1(x))))))))), 1)
    assert torch.equal(model.fc(features), logits)
    top = torch.topk(logits, 6, dim=1)
    max_abs = float(logits.abs().max())
    # The top-5 order is only a fair test if neighbouring logits differ by far more than the tolerance.
    min_gap = float((top.values[:, :-1] - top.values[:, 1:]).min())
    # Values at scattered flat indices, for the Java FormulaWeights to match bit for bit (first, last, and the
    # largest tensors' far ends, where index arithmetic would overflow first).
    biggest = max(keys, key=lambda k: sd[k].numel())
    samples = {}
    for key in dict.fromkeys([keys[0], keys[1], keys[2], keys[3], keys[4], keys[len(keys) // 2], biggest,
                              keys[-2], keys[-1]]):
        flat = sd[key].reshape(-1)
        n = flat.numel()
        indices = sorted({0, 1, n // 3, n // 2, n - 2, n - 1})
        samples[key] = {"indices": indices, "values": [float(flat[i]) for i in indices]}
    flat_x = x.reshape(-1)
    plane = HEIGHT * WIDTH
    x_indices = [0, 1, 2, WIDTH + 3, plane + 1, 2 * plane + 5 * WIDTH + 7, 3 * plane - 1, 3 * plane,
                 4 * plane + 17 * WIDTH + 96, flat_x.numel() - 1]
    return {
        "arch": arch,
        "formula_version": FORMULA_VERSION,
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "num_classes": 1000,
        "input": {"batch": BATCH, "channels": 3, "height": HEIGHT, "width": WIDTH,
                  "formula_index_order": "NCHW",
                  "sample_nchw_indices": x_indices,
                  "sample_values": [float(flat_x[i]) for i in x_indices]},
        "weight_samples": samples,
        "max_abs_logit": max_abs,
        "min_top6_gap": min_gap,
        "feature_mean": [float(v) for v in features.mean(dim=1)],
        # How much the two images' logits differ: the input must matter, not only biases and running means.
        "sample_logit_distance": float((logits[0] - logits[1]).abs().max()),
        "sensitivity": sensitivity(model, sd, x, logits),
        "top5": top.indices[:, :5].tolist(),
        "logits": [[float(v) for v in row] for row in logits],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", default=",".join(LOGIT_ARCHS))
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    for arch in args.archs.split(","):
        ref = logits_reference(arch)
        with open(os.path.join(OUT, arch + "_logits.json"), "w") as f:
            json.dump(ref, f)
            f.write("\n")
        print(f"{arch}: max|logit| {ref['max_abs_logit']:.4g}, smallest top-6 gap {ref['min_top6_gap']:.3g}, "
              f"sample distance {ref['sample_logit_distance']:.3g}, "
              f"top5 {ref['top5']}")


if __name__ == "__main__":
    main()
