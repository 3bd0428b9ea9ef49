#!/usr/bin/python3
"""The whole job on camera-sized photographs against the best a run can do on the same cores (issue 11, point 4).

When decoding and inference share the cores (a CPU executor), a run can at best reach 1 / (1/D + 1/M), with D the
decode rate of all the cores and M the model's rate on all of them. This measures, round after round in one
sitting: D (PreprocessBench, images in memory, one thread per core), M (ModelBench, ResNet-50, batch 32, one caller
with an intra-op pool of all the cores) and the job itself (scripts/run-local.sh, local[N], batch 32) in each of the
given variants, and appends one JSON line per measurement to RESULTS. Each gives a wall rate and a rate per CPU
second of its process: on a machine shared with other work the wall rates move with the neighbours' load, the
per-CPU-second rates hardly do, so the ratio is computed both ways. The job's rates are over its whole run (its run
report's wall time, Spark start-up and model load included) and over its labelling phase alone (the driver phase
label_and_write; its CPU time comes from sampling the JVM's /proc stat). --decode sets the job's decode mode and
the mode D is measured in (exact by default).

    scripts/bench/job_photos.py --root . --work /tmp/w --photos DIR --cp-udf CP --cp-model CP --rounds 3 \\
        --variant "2 tasks=" --variant "1 task, 2 decode threads=--partitions 1" --out results.jsonl
    scripts/bench/job_photos.py --summary results.jsonl     # the bound and each job's share of it, as markdown
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime

CLK_TCK = os.sysconf("SC_CLK_TCK")


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def log(msg):
    print("[job_photos %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def last_record(path, before):
    with open(path) as f:
        lines = f.read().splitlines()
    return [json.loads(line) for line in lines[before:]]


def count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for _ in f)


def jvm(cp, main, args, heap, env=None):
    cmd = ["java", "-Xmx" + heap, "--add-modules=jdk.incubator.vector", "-cp", cp, main] + args
    e = dict(os.environ, **(env or {}))
    subprocess.run(cmd, check=True, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid):
    try:
        fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def java_child(pid):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % entry).read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and name == "java":
            return int(entry)
    return None


def run_job(a, variant_args, out_dir, log_path):
    """Runs the job; returns its run report, wall seconds of the command, the JVM's CPU seconds and CPU samples."""
    cmd = [os.path.join(a.root, "scripts/run-local.sh"), "--model", a.model, "--input", a.photos,
           "--output", out_dir, "--mode", "overwrite", "--batch-size", "32", "--show-rows", "0",
           "--decode", a.decode] + variant_args
    env = dict(os.environ, RESNET_SPARK_RUN_DIR=os.path.join(a.work, "run"), **tf_env(a))
    samples = []
    start = time.time()
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT)
        java = None
        while proc.poll() is None:
            if java is None:
                java = java_child(proc.pid)
            if java is not None:
                c = cpu_seconds(java)
                if c is not None:
                    samples.append((time.time(), c))
            time.sleep(0.2)
    wall = time.time() - start
    if proc.returncode != 0:
        raise SystemExit("the job failed (exit %d): see %s" % (proc.returncode, log_path))
    report = json.load(open(os.path.join(out_dir, "_run_report.json")))
    return report, wall, samples


def tf_env(a):
    """The TF process switches given by --env ("K=V K=V"); the model bound and the job both run with them."""
    return dict(kv.split("=", 1) for kv in a.env.split())


def cpu_between(samples, t0, t1):
    """CPU seconds the sampled process used between times t0 and t1 (linear between samples)."""
    def at(t):
        if not samples:
            return 0.0
        if t <= samples[0][0]:
            return samples[0][1]
        for (ta, ca), (tb, cb) in zip(samples, samples[1:]):
            if ta <= t <= tb:
                return ca + (cb - ca) * (t - ta) / (tb - ta) if tb > ta else cb
        return samples[-1][1]
    return at(t1) - at(t0)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[n // 2] + xs[(n - 1) // 2]) / 2 if xs else float("nan")


def summary(path):
    """Markdown lines: D, M and the bound (medians of every sample in the file), then each job against it."""
    recs = [json.loads(line) for line in open(path)]
    d_wall = [x for r in recs if r.get("kind") == "preprocess" for x in r["img_s"]]
    d_cpu = [x for r in recs if r.get("kind") == "preprocess" for x in r["img_per_cpu_s"]]
    m_wall = [x for r in recs if r.get("kind") == "model" for x in r["img_s"]]
    m_cpu = [1000.0 / x for r in recs if r.get("kind") == "model" for x in r["cpu_ms_per_img"]]
    D, Dc, M, Mc = median(d_wall), median(d_cpu), median(m_wall), median(m_cpu)
    bound, bound_cpu = 1 / (1 / D + 1 / M), 1 / (1 / Dc + 1 / Mc)
    out = ["D (decode, all cores): %.2f img/s (%.2f-%.2f), %.2f img per CPU s (%.2f-%.2f)"
           % (D, min(d_wall), max(d_wall), Dc, min(d_cpu), max(d_cpu)),
           "M (ResNet-50 b=32, all cores): %.2f img/s (%.2f-%.2f), %.2f img per CPU s (%.2f-%.2f)"
           % (M, min(m_wall), max(m_wall), Mc, min(m_cpu), max(m_cpu)),
           "bound 1/(1/D + 1/M): %.2f img/s, %.2f img per CPU s" % (bound, bound_cpu),
           "",
           "| job | images | labelling img/s | of bound | labelling img per CPU s | of bound | whole run img/s | of bound "
           "| whole run img per CPU s | of bound | decode threads busy | load before / after |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in recs:
        if r.get("kind") != "job_photos":
            continue
        n = r["images"]
        lw = n / r["label_seconds"]
        lc = n / r["label_cpu_s"]
        ww = n / r["report_wall_s"]
        wc = n / r["cpu_s"]
        busy = r["stages"]["read+decode"]["task_seconds"] / r["label_seconds"]
        out.append("| %s | %d | %.2f | %.0f%% | %.2f | %.0f%% | %.2f | %.0f%% | %.2f | %.0f%% | %.2f | %s / %s |" % (
            r["variant"], n, lw, 100 * lw / bound, lc, 100 * lc / bound_cpu, ww, 100 * ww / bound, wc,
            100 * wc / bound_cpu, busy, r["load_before"][0], r["load_after"][0]))
    return "\n".join(out)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        print(summary(sys.argv[2]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--model", required=True, help="a ResNet-50 SavedModel (ModelBench exports resnet50-folded)")
    ap.add_argument("--models", required=True, help="ModelBench's --models directory")
    ap.add_argument("--cp-udf", required=True)
    ap.add_argument("--cp-model", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", default=[],
                    help="label=extra run-local.sh arguments (space separated); repeatable")
    ap.add_argument("--env", default="TF_ENABLE_ONEDNN_OPTS=0 TF_CPU_ALLOCATOR_USE_BFC=true",
                    help="TF process switches for M and the job, as run-local.sh's defaults")
    ap.add_argument("--decode", default="exact", choices=["exact", "reduced"],
                    help="the job's --decode, and the mode D is measured in")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    variants = [(v.split("=", 1)[0], v.split("=", 1)[1].split()) for v in (a.variant or ["job="])]
    images = len([f for f in os.listdir(a.photos) if f.lower().endswith((".jpg", ".jpeg"))])
    os.makedirs(a.work, exist_ok=True)
    for r in range(1, a.rounds + 2):
        if r == a.rounds + 1:
            log("after the last round: D and M once more, so every job has them measured before and after it")
        log("round %d: D (decode, %d threads)" % (r, a.threads))
        n = count_lines(a.out)
        jvm(a.cp_udf, "io.resnetspark.bench.PreprocessBench",
            ["--set", "job-photos=" + a.photos, "--limit", "100", "--threads", str(a.threads), "--repeats", "2",
             "--min-seconds", "4", "--modes", a.decode, "--out", a.out], "3g")
        for rec in last_record(a.out, n):
            print(json.dumps(dict(rec, round=r)), flush=True)
        log("round %d: M (ResNet-50 b=32, intra %d)" % (r, a.threads))
        n = count_lines(a.out)
        jvm(a.cp_model, "io.resnetspark.bench.ModelBench",
            ["--models", a.models, "--arch", "resnet50", "--batch", "32", "--variant",
             "folded:intra=%d,inter=1,callers=1" % a.threads, "--repeats", "2", "--min-seconds", "4",
             "--label", "job_photos bound", "--out", a.out], "4g", tf_env(a))
        for rec in last_record(a.out, n):
            print(json.dumps(dict(rec, round=r)), flush=True)
        for label, extra in (variants if r <= a.rounds else []):
            log("round %d: the job, %s (%d photos)" % (r, label, images))
            load_before = loadavg()
            out_dir = os.path.join(a.work, "job-output")
            report, wall, samples = run_job(a, extra, out_dir, os.path.join(a.work, "job-%d.log" % r))
            phases = report.get("driver_seconds", {})
            started = datetime.fromisoformat(report["started_at"].replace("Z", "+00:00")).timestamp()
            before = 0.0
            for phase, seconds in phases.items():  # in the order the driver ran them
                if phase == "label_and_write":
                    break
                before += seconds
            t0 = started + before
            t1 = t0 + phases.get("label_and_write", 0)
            rec = {"kind": "job_photos", "variant": label, "args": " ".join(extra), "decode": a.decode, "round": r,
                   "images": images,
                   "img_s": report["throughput"]["images_per_second"],
                   "label_seconds": phases.get("label_and_write"),
                   "report_wall_s": report.get("wall_seconds"), "command_wall_s": round(wall, 2),
                   "cpu_s": round(samples[-1][1], 2) if samples else None,
                   "label_cpu_s": round(cpu_between(samples, t0, t1), 2),
                   "stages": report["throughput"].get("stages"), "bottleneck": report["throughput"].get("bottleneck"),
                   "partitions": report.get("partitions"), "load_before": load_before, "load_after": loadavg()}
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
