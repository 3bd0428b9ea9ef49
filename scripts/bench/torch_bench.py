#!/usr/bin/python3
"""torchvision ResNet throughput on the same cores: the peer a user would otherwise pick.

Writes one JSON line per (arch, batch, layout) with raw img/s samples, like the Java benches, so
scripts/bench/report.py can put both in one table. Random weights (torchvision's init), eval mode,
inference_mode, NCHW float32 as torchvision's docs use it; --layouts channels_last adds torch's NHWC path.
"""
import argparse
import os
import sys
import time

from results import record


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="resnet50")
    p.add_argument("--batch", default="1,8,32,64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=1.5)
    p.add_argument("--layouts", default="nchw", help="comma list of nchw, channels_last")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--label", default="")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    try:
        import torch
        import torchvision
    except ImportError as e:
        record(a.out, {"kind": "skipped", "impl": "torch", "reason": "torch/torchvision not importable: %s" % e})
        print("torchvision benchmark skipped: %s (apt-get install python3-torch python3-torchvision)" % e)
        return 0

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS") if k in os.environ}
    info = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "mkldnn": torch.backends.mkldnn.is_available(), "threads": torch.get_num_threads(), "env": env}
    record(a.out, dict(kind="torch_info", **info))

    layouts = a.layouts.split(",")
    for arch in a.arch.split(","):
        torch.manual_seed(0)
        model = getattr(torchvision.models, arch)(weights=None).eval()
        models = {"nchw": model}
        if "channels_last" in layouts:
            models["channels_last"] = getattr(torchvision.models, arch)(weights=None).eval() \
                .to(memory_format=torch.channels_last)
            models["channels_last"].load_state_dict(model.state_dict())
        for batch in [int(b) for b in a.batch.split(",")]:
            x = torch.randn(batch, 3, a.size, a.size)
            inputs = {"nchw": x, "channels_last": x.contiguous(memory_format=torch.channels_last)}
            samples = {layout: [] for layout in layouts}
            with torch.inference_mode():
                for layout in layouts:
                    sample(models[layout], inputs[layout], batch, 0.5)  # first calls pick oneDNN kernels
                for _ in range(a.repeats):
                    for layout in layouts:  # alternate, so a neighbour's load hits every layout alike
                        samples[layout].append(sample(models[layout], inputs[layout], batch, a.min_seconds))
            for layout in layouts:
                record(a.out, {"kind": "model", "impl": "torch", "arch": arch, "batch": batch, "size": a.size,
                               "variant": layout, "threads": a.threads, "label": a.label, "env": env,
                               "img_s": samples[layout]})
    return 0


def sample(model, x, batch, seconds):
    start = time.perf_counter()
    calls = 0
    while True:
        model(x)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls * batch / elapsed


if __name__ == "__main__":
    sys.exit(main())
