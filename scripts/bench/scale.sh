#!/usr/bin/env bash
# The scale benchmark (issue 13): listing, planning and the incremental anti-join at lake sizes, not the model.
# Every measurement is one `--dry-run` of the job through scripts/run-local.sh with the driver's heap capped
# (-Xmx$SCALE_HEAP, default 1g: the run succeeding proves the driver fits), a GC log (peak heap used before a
# collection, and the largest heap left after one) and Spark's event log (where the time goes, per stage).
#
#   1. Manifests of n objects against an existing labels table of n rows (SCALE_MANIFESTS, default
#      "1000000 3000000 10000000"), both written by Spark (scripts/bench/ScaleData.java): 90% of the manifest is
#      already labelled, so the dry run counts, anti-joins and plans 10% of it.
#   2. Local directory trees of empty .jpg files (SCALE_TREES, default "100000 1000000"): 100 top-level
#      directories of n/100 files, listed by Spark tasks (--input-format binaryFile, and image for the smallest).
#
#   scripts/bench/scale.sh           all of it (about 30 minutes on 2 idle cores)
# Environment: SCALE_WORK (scratch, default /tmp/resnet-spark-scale, removed at the end unless SCALE_KEEP=1),
# SCALE_TREES, SCALE_MANIFESTS, SCALE_HEAP. Results: one JSON line per run in $SCALE_RESULTS (default
# /tmp/resnet-spark-scale.jsonl), summarised as a Markdown table on standard output (scripts/bench/scale_report.py).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${SCALE_WORK:-/tmp/resnet-spark-scale}"
results="${SCALE_RESULTS:-/tmp/resnet-spark-scale.jsonl}"
trees="${SCALE_TREES:-100000 1000000}"
manifests="${SCALE_MANIFESTS:-1000000 3000000 10000000}"
heap="${SCALE_HEAP:-1g}"
log() { echo "[scale $(date +%H:%M:%S)] $*" >&2; }
cleanup() { [[ "${SCALE_KEEP:-0}" == 1 ]] || rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/logs"
: >"$results"

log "job jar and Spark class path (built by scripts/run-local.sh when stale)"
"$root/scripts/run-local.sh" --version >/dev/null
version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | sed -n 1p)"
classpath="$root/job/target/job-${version}.jar:$(cat "$root/job/target/spark-dist-classpath.txt")"
read -r -a jvm_flags <<<"$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$root/pom.xml")"
model="$work/model"
if [[ ! -f "$model/saved_model.pb" ]]; then
  log "a ResNet-18 SavedModel with random weights (the dry run reads its metadata and digest only)"
  "$root/scripts/model-builder" build --arch resnet18 --out "$model" --overwrite >/dev/null
fi

# dry_run NAME SIZE ARGS...: one dry run of the job; appends its figures to $results.
dry_run() {
  local name="$1" size="$2"
  shift 2
  local events="$work/events/$name" gc="$work/logs/$name.gc.log" load start end code=0
  rm -rf "$events"
  mkdir -p "$events"
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  start="$(date +%s.%N)"
  RUN_LOCAL_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$gc" "$root/scripts/run-local.sh" --conf "spark.driver.memory=$heap" \
    --conf spark.eventLog.enabled=true --conf spark.eventLog.compress=false --conf "spark.eventLog.dir=file:$events" \
    --dry-run --model "$model" "$@" >"$work/logs/$name.out" 2>"$work/logs/$name.err" || code=$?
  end="$(date +%s.%N)"
  log "$name: exit $code, $(tail -n 1 "$work/logs/$name.out" | cut -c1-160)"
  /usr/bin/python3 "$root/scripts/bench/scale_report.py" record --name "$name" --size "$size" --exit-code "$code" \
    --wall "$(echo "$end - $start" | bc)" --load "$load" --heap "$heap" --gc-log "$gc" --events "$events" \
    --stdout "$work/logs/$name.out" --stderr "$work/logs/$name.err" --out "$results"
}

for n in $manifests; do
  data="$work/data-$n"
  log "manifest and labels table of $n rows each (Spark)"
  java -Xmx2g "${jvm_flags[@]}" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" -cp "$classpath" \
    "$root/scripts/bench/ScaleData.java" "$n" "$data" "$model" >"$work/logs/data-$n.log" 2>&1 ||
    { log "generating $n rows failed: see $work/logs/data-$n.log"; exit 1; }
  log "$(du -sh "$data/manifest" "$data/labels" | tr '\n' ' ')"
  dry_run "manifest-$n" "$n" --input "$data/manifest" --input-format manifest --output "$data/labels" \
    --mode incremental
  rm -rf "$data"
done

for n in $trees; do
  tree="$work/tree-$n"
  log "tree of $n empty files"
  /usr/bin/python3 - "$tree" "$n" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per_top = n // 100
per_dir = min(per_top, 1000)
for i in range(n):
    top, rest = divmod(i, per_top)
    d = os.path.join(root, "%02d" % top, "%04d" % (rest // per_dir))
    if rest % per_dir == 0:
        os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "%08d.jpg" % i), "wb").close()
EOF
  dry_run "tree-$n-binaryFile" "$n" --input "$tree" --input-format binaryFile --output "$work/labels-none"
  if [[ "$n" == "${trees%% *}" ]]; then
    dry_run "tree-$n-image" "$n" --input "$tree" --input-format image --output "$work/labels-none"
  fi
  rm -rf "$tree"
done

/usr/bin/python3 "$root/scripts/bench/scale_report.py" table --results "$results"
