#!/usr/bin/python3
"""Export a torchvision ResNet to ONNX with the weights of one of our SavedModels, for the ONNX Runtime peer.

The weights come from a float32 .safetensors state_dict that OrtBench writes next to the SavedModel it exports
from the same StateDict (RandomWeights.withBatchNormFarFromDefaults), so both engines compute the same function.
torchvision builds the architecture, torch.onnx.export (Debian's torch 1.13, no extra packages) writes the graph:
NCHW float32 input "images" with a dynamic batch axis, output "logits", opset 13.

  scripts/bench/export_onnx.py --arch resnet50 --weights W.safetensors --out resnet50.onnx
"""
import argparse
import json
import struct
import sys


def read_safetensors(path):
    import numpy as np
    import torch
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit("%s: %s is %s, expected F32" % (path, name, entry["dtype"]))
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--weights", required=True, help="float32 .safetensors state_dict (torchvision keys)")
    p.add_argument("--out", required=True)
    p.add_argument("--opset", type=int, default=13)
    a = p.parse_args()

    import torch
    import torchvision
    model = getattr(torchvision.models, a.arch)(weights=None).eval()
    missing, unexpected = model.load_state_dict(read_safetensors(a.weights), strict=False)
    # num_batches_tracked only counts training steps; everything else must come from the file
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit("state_dict does not fit %s: missing %s, unexpected %s" % (a.arch, missing, unexpected))
    x = torch.zeros(1, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(model, x, a.out, input_names=["images"], output_names=["logits"],
                          dynamic_axes={"images": {0: "n"}, "logits": {0: "n"}}, opset_version=a.opset)
    print("%s: %s (torch %s, opset %d)" % (a.arch, a.out, torch.__version__, a.opset), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
