#!/usr/bin/python3
"""torchvision's published ResNet weights, for the model-builder's table of weights names.

Writes model-builder/src/test/resources/reference/weights.json with, for every architecture the project builds,
every member of its torchvision *_Weights enum: name, URL, file name, the SHA-256 prefix the file name carries,
the transform's resize and crop sizes, interpolation and normalisation, and which member DEFAULT names.
TorchvisionWeightsTest compares io.resnetspark.model.pretrained.TorchvisionWeights with it.

Run with Debian's torchvision:  /usr/bin/python3 scripts/make_weights_reference.py
"""
import json
import os
import re

import torchvision
from torchvision import models

ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
         "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]


def main():
    result = {"torchvision_version": torchvision.__version__, "architectures": {}}
    for arch in ARCHS:
        enum = models.get_model_weights(arch)
        entries = []
        for weights in enum:
            transforms = weights.transforms()
            file_name = weights.url.rsplit("/", 1)[1]
            entries.append({
                "name": weights.name,
                "url": weights.url,
                "file_name": file_name,
                "sha256_prefix": re.search(r"-([0-9a-f]+)\.", file_name).group(1),
                "resize_size": list(transforms.resize_size),
                "crop_size": list(transforms.crop_size),
                "interpolation": transforms.interpolation.value,
                "mean": list(transforms.mean),
                "std": list(transforms.std),
                "num_classes": len(weights.meta["categories"]),
                "default": weights == enum.DEFAULT,
            })
        result["architectures"][arch] = entries
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model-builder", "src", "test", "resources",
                       "reference", "weights.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
