#!/usr/bin/python3
"""The ONNX Runtime section of docs/BENCHMARKS.md (issue 14), from the records OrtBench writes.

  scripts/bench/ort_report.py --results RESULTS --doc docs/BENCHMARKS.md

rewrites the block between the ORT markers (or adds it before section 4); scripts/bench/report.py calls
section() too, so a full run regenerates it and a run without ONNX Runtime records keeps the old block.
"""
import argparse
import json
import os
import statistics
from collections import defaultdict

ORT_START = "<!-- ORT START (scripts/bench/ort_peer.sh; ort_report.py rewrites it) -->"
ORT_END = "<!-- ORT END -->"


def fmt(samples, digits=1):
    return "%.*f (%.*f–%.*f)" % (digits, statistics.median(samples), digits, min(samples), digits, max(samples))


def best(samples):
    return max(samples)


def section(recs):
    peer = [r for r in recs if r["kind"] == "ort_peer"]
    if not peer:
        return None
    out = [ORT_START, "", "### 2b. Ours vs ONNX Runtime (the engine SynapseML runs), same weights, threads and batches", ""]
    w = out.append
    first = peer[0]
    w("`scripts/bench/ort_peer.sh`: ONNX Runtime Java %s (`OptLevel.ALL_OPT`, sequential execution, intra-op %d, "
      "inter-op %d) runs the torchvision network exported by `scripts/bench/export_onnx.py` (Debian's torch, opset "
      "13, dynamic batch, NCHW input) with the very state_dict our SavedModel was built from; ours is the exported "
      "SavedModel through `SavedResNet.classify` (export mode and TF environment above each table). In each batch the two engines alternate sample by "
      "sample (`OrtBench`). **Best** is the best sample (the one a neighbour disturbed least), shown with median "
      "(min–max); **CPU ms/img** is the process's CPU time per image (median), which a neighbour moves less than "
      "wall time but which counts spinning threads; **ours / ORT per CPU s** is ORT's CPU ms per image over ours "
      "(above 1: we do an image in less CPU time)."
      % (os.environ.get("BENCH_ORT_VERSION", "1.23.2"), first["intra"], first["inter"]))
    loads = [l for r in peer for l in r.get("load1", [])]
    if loads:
        w("")
        w("Load average (1 min) during the samples: %.1f–%.1f on 2 cores." % (min(loads), max(loads)))
    w("")
    for r in recs:
        if r["kind"] == "ort_parity":
            w("- same function, %s%s: max |logit difference| %.2g over %d logits, max |logit| %.2f (relative %.1g)"
              % (r["arch"], " (%s)" % r["label"] if r.get("label") else "", r["max_abs_diff"], r["logits"],
                 r["max_abs_logit"], r["relative"]))
    w("")
    by = defaultdict(dict)
    for r in peer:
        by[(r["arch"], r["batch"], r.get("label", ""))][r["impl"]] = r
    labels = sorted({k[2] for k in by})
    for label in labels:
        one = next(r for k, pair in by.items() if k[2] == label for r in pair.values())
        w("**%s**: ours `%s`, env `%s`" % (label or "main", one["ours"], one["env"]))
        w("")
        w("| model | batch | ours best img/s | ORT best img/s | **ours / ORT (best)** | ours / ORT (median) | "
          "ours img/s | ORT img/s | ours CPU ms/img | ORT CPU ms/img | **ours / ORT per CPU s** |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        keys = sorted((k for k in by if k[2] == label), key=lambda k: (len(k[0]), k[0], k[1]))
        for arch, batch, _ in keys:
            pair = by[(arch, batch, label)]
            if "tfjava" not in pair or "ort" not in pair:
                continue
            o, p = pair["tfjava"], pair["ort"]
            w("| %s | %d | %.1f | %.1f | **%.2fx** | %.2fx | %s | %s | %.0f | %.0f | **%.2fx** |" % (
                arch, batch, best(o["img_s"]), best(p["img_s"]), best(o["img_s"]) / best(p["img_s"]),
                statistics.median(o["img_s"]) / statistics.median(p["img_s"]), fmt(o["img_s"]), fmt(p["img_s"]),
                statistics.median(o["cpu_ms_per_img"]), statistics.median(p["cpu_ms_per_img"]),
                statistics.median(p["cpu_ms_per_img"]) / statistics.median(o["cpu_ms_per_img"])))
        w("")
    prof = [r for r in recs if r["kind"] == "ort_profile"]
    if prof:
        w("Where ONNX Runtime's time goes (its own profiler, `SessionOptions.enableProfiling`, a session of its own, "
          "ms per run summed by op type after 2 warm-up runs; node counts after its graph optimisations):")
        w("")
        for r in prof:
            total = sum(r["ms_by_op_type"].values())
            top = sorted(r["ms_by_op_type"].items(), key=lambda kv: -kv[1])
            w("- %s b=%d: %.0f ms per run, of which %s; nodes: %s" % (
                r["arch"], r["batch"], r["ms_per_run"],
                ", ".join("%s %.1f ms (%.1f%%)" % (k, v, 100 * v / total) for k, v in top if v >= 0.05 and total),
                ", ".join("%s x%d" % kv for kv in sorted(r["op_counts"].items(), key=lambda kv: -kv[1]))))
        w("")
    tf = [r for r in recs if r["kind"] == "op_profile" and r.get("label", "").startswith("ort peer")]
    if tf:
        w("Ours at the same batches (`OpProfileBench`, TF's step stats, FULL_TRACE; ms per run by op type):")
        w("")
        for r in tf:
            total = sum(r["ms_by_op_type"].values())
            top = sorted(r["ms_by_op_type"].items(), key=lambda kv: -kv[1])[:8]
            w("- %s b=%d, oneDNN %s: %.0f ms per run (wall); %s" % (
                r["model"], r["batch"], r["onednn"], r["wall_ms_per_run"],
                ", ".join("%s %.1f ms (%.0f%%)" % (k, v, 100 * v / total) for k, v in top if total)))
        w("")
    w(ORT_END)
    return out


def keep_or_render(recs, doc):
    """The section from these records, or the one already in doc when this run measured no ONNX Runtime."""
    rendered = section(recs)
    if rendered is not None:
        return rendered
    if os.path.exists(doc):
        text = open(doc).read()
        if ORT_START in text and ORT_END in text:
            return [ORT_START + text.split(ORT_START, 1)[1].split(ORT_END, 1)[0] + ORT_END]
    return []


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--doc", required=True)
    a = p.parse_args()
    with open(a.results) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    rendered = section(recs)
    if rendered is None:
        raise SystemExit("no ort_peer records in %s" % a.results)
    block = "\n".join(rendered)
    text = open(a.doc).read()
    if ORT_START in text:
        head, rest = text.split(ORT_START, 1)
        text = head + block + rest.split(ORT_END, 1)[1]
    else:
        text = text.replace("\n## 4. ", "\n" + block + "\n\n## 4. ", 1)
    open(a.doc, "w").write(text)


if __name__ == "__main__":
    main()
