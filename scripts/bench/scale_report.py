#!/usr/bin/env python3
"""Figures of one scale-benchmark dry run (scripts/bench/scale.sh), and the table of them all.

record: reads the run's GC log (peak heap used before a collection, largest heap left after one), Spark's event log
(each stage: wall and task time, rows read and shuffled) and the dry run's JSON line (counts, the job's driver_seconds); appends one
JSON line, with the executor time summed over tasks. table: prints the runs as Markdown, with files (rows) per second and the stages that took the time.
"""
import argparse
import glob
import json
import os
import re
import sys
from collections import defaultdict

UNITS = {"K": 1 / 1024, "M": 1, "G": 1024}
# G1: "[0.912s][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 123M->45M(1024M) 5.1ms"
PAUSE = re.compile(r"GC\(\d+\) (.*?) (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\)")


def heap(gc_log):
    before, after, capacity, collections = 0.0, 0.0, 0.0, 0
    try:
        with open(gc_log) as f:
            for line in f:
                m = PAUSE.search(line)
                if m:
                    collections += 1
                    before = max(before, int(m.group(2)) * UNITS[m.group(3)])
                    after = max(after, int(m.group(4)) * UNITS[m.group(5)])
                    capacity = max(capacity, int(m.group(6)) * UNITS[m.group(7)])
    except FileNotFoundError:
        pass
    return {"peak_used_mib": round(before), "peak_live_mib": round(after), "max_committed_mib": round(capacity),
            "collections": collections}


def stages(events_dir):
    """Each stage in order: wall seconds, tasks, task seconds, and the rows it read and shuffled (what it did)."""
    metrics = {"internal.metrics.executorRunTime": "task_s", "internal.metrics.input.recordsRead": "rows_in",
               "internal.metrics.shuffle.read.recordsRead": "shuffle_in",
               "internal.metrics.shuffle.write.recordsWritten": "shuffle_out"}
    out = {}
    # Spark 4 writes a rolling event log: a directory of events_N_... files.
    for path in sorted(glob.glob(events_dir + "/**", recursive=True)):
        if not os.path.isfile(path) or "appstatus" in os.path.basename(path):
            continue
        with open(path) as f:
            for line in f:
                if '"SparkListenerStageCompleted"' not in line:
                    continue
                info = json.loads(line)["Stage Info"]
                if "Completion Time" not in info or "Submission Time" not in info:
                    continue
                s = {"name": info["Stage Name"].split(" at ")[-1] if "withThreadLocal" in info["Stage Name"]
                     else info["Stage Name"],
                     "seconds": round((info["Completion Time"] - info["Submission Time"]) / 1000, 1),
                     "tasks": info["Number of Tasks"]}
                for acc in info.get("Accumulables", []):
                    if acc.get("Name") in metrics:
                        value = int(acc.get("Value", 0))
                        s[metrics[acc["Name"]]] = round(value / 1000, 1) if acc["Name"].endswith("RunTime") else value
                out[str(info["Stage ID"])] = s
    return out


def task_seconds(events_dir):
    """Executor run time summed over every task (core-seconds of work, what a cluster divides among its cores)."""
    total = 0.0
    for path in glob.glob(events_dir + "/**", recursive=True):
        if not os.path.isfile(path) or "appstatus" in os.path.basename(path):
            continue
        with open(path) as f:
            for line in f:
                if '"SparkListenerTaskEnd"' in line:
                    metrics = json.loads(line).get("Task Metrics") or {}
                    total += metrics.get("Executor Run Time", 0) / 1000
    return round(total, 1)


def dry_run_json(stdout):
    with open(stdout) as f:
        for line in reversed(f.read().splitlines()):
            if line.startswith("{"):
                return json.loads(line)
    return None


def record(a):
    report = dry_run_json(a.stdout)
    error = None
    if report is None:
        with open(a.stderr) as f:
            errors = [line for line in f.read().splitlines() if line.startswith("error") or "OutOfMemory" in line]
        error = errors[-1] if errors else "no dry-run report; see " + a.stderr
    row = {"name": a.name, "size": a.size, "exit_code": a.exit_code, "wall_seconds": round(a.wall, 1),
           "load_average": a.load, "heap_cap": a.heap, **heap(a.gc_log), "stages": stages(a.events),
           "task_seconds": task_seconds(a.events),
           "counts": report and report["counts"], "partitions": report and report["partitions"],
           "driver_seconds": report and report["driver_seconds"], "error": error}
    with open(a.out, "a") as f:
        f.write(json.dumps(row) + "\n")


def table(a):
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    print("| run | rows | exit | wall s | listing/planning s | rows/s | task s | peak heap used MiB | peak live MiB "
          "| heap cap | load avg | seen / to label |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
    for r in rows:
        d = r["driver_seconds"] or {}
        work = d.get("checks", 0) + d.get("listing", 0)
        c = r["counts"] or {}
        rate = round(r["size"] / work) if work else 0
        print(f"| {r['name']} | {r['size']:,} | {r['exit_code']} | {r['wall_seconds']} | {round(work, 1)} | "
              f"{rate:,} | {r.get('task_seconds', '-')} | {r['peak_used_mib']} | {r['peak_live_mib']} | {r['heap_cap']} | {r['load_average']} | "
              f"{c.get('inputs_seen', '-')} / {c.get('to_label', '-')} |")
    print()
    for r in rows:
        print(f"- {r['name']}: driver_seconds {r['driver_seconds']}" + (f"; error: {r['error']}" if r["error"] else ""))
        for stage, v in r["stages"].items():
            moved = ", ".join(f"{k} {v[k]:,}" for k in ("rows_in", "shuffle_in", "shuffle_out") if v.get(k))
            print(f"  - stage {stage} ({v['name']}): {v['seconds']} s, {v['tasks']} tasks, "
                  f"{v.get('task_s', '-')} task s; {moved}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record")
    for name in ("--name", "--load", "--heap", "--gc-log", "--events", "--stdout", "--stderr", "--out"):
        r.add_argument(name, required=True)
    r.add_argument("--size", type=int, required=True)
    r.add_argument("--exit-code", type=int, required=True)
    r.add_argument("--wall", type=float, required=True)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    a = p.parse_args()
    record(a) if a.command == "record" else table(a)


if __name__ == "__main__":
    sys.exit(main())
