#!/usr/bin/python3
"""Reference facts about torchvision's ResNets for the model-builder's tests.

Writes model-builder/src/test/resources/reference/architectures.json with, for every architecture:
trainable parameter counts (1000 and 10 classes), the state_dict keys and shapes in order (without
num_batches_tracked), the output shape after the stem and after each stage for 224x224 and 193x257 inputs,
and multiply-accumulates of convolutions and fc at 224x224.

Run with Debian's torch/torchvision:  /usr/bin/python3 scripts/make_architecture_reference.py
"""
import json
import os

import torch
import torchvision
from torchvision import models

ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
         "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]
SIZES = [(224, 224), (193, 257)]


def stage_shapes(model, h, w):
    shapes = []
    x = torch.zeros(1, 3, h, w)
    with torch.no_grad():
        x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        shapes.append([x.shape[2], x.shape[3], x.shape[1]])
        for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
            x = layer(x)
            shapes.append([x.shape[2], x.shape[3], x.shape[1]])
    return shapes


def macs(model, h, w):
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def fc_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(fc_hook))
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w))
    for hk in hooks:
        hk.remove()
    return total[0]


def main():
    out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "architectures": {}}
    for name in ARCHS:
        model = getattr(models, name)(weights=None).eval()
        small = getattr(models, name)(weights=None, num_classes=10)
        entry = {
            "parameters_1000": sum(p.numel() for p in model.parameters()),
            "parameters_10": sum(p.numel() for p in small.parameters()),
            "state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()
                           if not k.endswith("num_batches_tracked")],
            "stage_shapes": {f"{h}x{w}": stage_shapes(model, h, w) for h, w in SIZES},
            "macs_224": macs(model, 224, 224),
        }
        out["architectures"][name] = entry
        print(name, entry["parameters_1000"], entry["macs_224"])
    path = os.path.join(os.path.dirname(__file__), "..", "model-builder", "src", "test", "resources",
                        "reference", "architectures.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
