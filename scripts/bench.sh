#!/usr/bin/env bash
# The benchmark harness (issue 7): one command, one sitting. Measures the TF Java GEMM rate, raw model throughput
# through SavedResNet (resnet18/50/152 x batch 1/8/32/64), torchvision and ONNX Runtime (2b, scripts/bench/ort_peer.sh)
# on the same cores, the levers side by side,
# preprocessing alone and the whole job in local[2] (when those modules are built), then writes docs/BENCHMARKS.md
# and docs/bench-throughput.png. Run it on a quiet machine: every figure is min/median/max of repeated samples, but
# a neighbour on a 2-core machine still moves them.
#
#   scripts/bench.sh            full run (about 20 minutes on 2 cores)
#   scripts/bench.sh --quick    a few minutes, resnet50 only, to check the harness itself
# Environment: BENCH_WORK (models, JPEGs, results; default /tmp/resnet-spark-bench), BENCH_THREADS (default 2),
# BENCH_SKIP_GPU_BUILD=1 to skip the -Pgpu build check, BENCH_SCALE=1 to add the scale benchmark
# (scripts/bench/scale.sh), BENCH_JOB_ROOT to run step 5 with scripts/run-local.sh of
# another checkout (default: this one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_WORK:-/tmp/resnet-spark-bench}"
threads="${BENCH_THREADS:-2}"
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
mkdir -p "$work/models" "$root/docs"
results="$work/results.jsonl"
# BENCH_RESUME=1 keeps the results of an interrupted run that got past the process-wide settings lever and
# continues from there (same sitting, same results file).
resume="${BENCH_RESUME:-0}"
[[ $resume == 1 ]] || rm -f "$results"
start_epoch="${BENCH_START_EPOCH:-$(date +%s)}"
load_start="${BENCH_LOAD_START:-$(cut -d' ' -f1-3 /proc/loadavg)}"
export TF_CPP_MIN_LOG_LEVEL=2
unset TF_ENABLE_ONEDNN_OPTS TF_CPU_ALLOCATOR_USE_BFC
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

if [[ $quick == 1 ]]; then
  archs=(resnet50); batches="1,8,32"; reps=2; min_s=1.0; lever_batches="8,32"; rounds=1
else
  archs=(resnet18 resnet50 resnet152); batches="1,8,32,64"; reps=3; min_s=1.0; lever_batches="8,32,64"; rounds=2
fi
# resnet152 at batch 64 takes several seconds per call: fewer samples keep the run near 20 minutes
reps_for() { [[ $1 == resnet152 && $quick == 0 ]] && echo 2 || echo "$reps"; }
# torchvision's resnet152 at batch 64 alone would take minutes per sample on 2 cores
torch_batches_for() { [[ $1 == resnet152 ]] && echo "${batches%,64}" || echo "$batches"; }

log "building model-builder test classes"
(cd "$root" && { mvn -o -q -B -pl model-builder -am test-compile 2>/dev/null || mvn -q -B -pl model-builder -am test-compile; })
(cd "$root" && mvn -o -q -B -pl model-builder dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/model-builder.cp" >/dev/null)
cp_mb="$root/model-builder/target/test-classes:$root/model-builder/target/classes:$(cat "$work/model-builder.cp")"
# java with the model-builder test class path, TF's and the JVM's start-up chatter filtered out
jvm() { java -Xmx6g -cp "$cp_mb" "$@" 2> >(grep -v -E '^(WARNING|I0000|W0000)' >&2); }
model_bench() {
  jvm io.resnetspark.bench.ModelBench --models "$work/models" --min-seconds "$min_s" --out "$results" "$@" >/dev/null
}

if [[ $resume == 0 ]]; then
log "1. GEMM rate, Eigen and oneDNN kernels"
for onednn in 0 1; do
  TF_ENABLE_ONEDNN_OPTS=$onednn jvm io.resnetspark.bench.GemmBench --threads "$threads" --repeats 7 --min-seconds 1 \
    --out "$results" >/dev/null
done

# TF reads these switches once per process, so each setting is its own JVM; rounds alternate them. The winner
# (best mean of the ResNet-50 medians over the lever batch sizes) is what executors should run with, and what the
# main table below uses.
log "lever: process-wide TF settings (separate JVMs, alternated)"
settings=("TF_ENABLE_ONEDNN_OPTS=0" "TF_ENABLE_ONEDNN_OPTS=0 TF_CPU_ALLOCATOR_USE_BFC=true" "TF_ENABLE_ONEDNN_OPTS=1")
for round in $(seq "$rounds"); do
  for setting in "${settings[@]}"; do
    (export $setting; model_bench --arch resnet50 --batch "$lever_batches" --variant folded --repeats 2 \
      --label "lever:process-wide TF settings")
  done
done
fi
ours_env="$(/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("label") == "lever:process-wide TF settings":
        runs[r["env"]][r["batch"]] += r["img_s"]
score = {env: statistics.mean(statistics.median(s) for s in by_batch.values()) for env, by_batch in runs.items()}
print(max(score, key=score.get))
PY
)"
log "process setting chosen for our runs: $ours_env"

log "2. raw model throughput (ours), $ours_env"
for arch in "${archs[@]}"; do
  (export $ours_env; model_bench --arch "$arch" --batch "$batches" --variant "folded:intra=$threads,inter=1" \
    --repeats "$(reps_for "$arch")" --label main)
done

log "3. torchvision on the same cores"
torch_cmd="scripts/bench/torch_bench.py: torch.set_num_threads($threads), eval(), inference_mode(), NCHW float32"
for arch in "${archs[@]}"; do
  /usr/bin/python3 "$root/scripts/bench/torch_bench.py" --arch "$arch" --batch "$(torch_batches_for "$arch")" \
    --threads "$threads" \
    --repeats "$(reps_for "$arch")" --min-seconds "$min_s" --label main --out "$results" >/dev/null || true
done
if [[ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]]; then
  log "3b. torchvision resnet50 with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/scripts/bench/torch_bench.py" \
    --arch resnet50 --batch 8 --threads "$threads" --repeats "$reps" --min-seconds "$min_s" \
    --label "lever:torch OPENBLAS_* unset" --out "$results" >/dev/null || true
fi
/usr/bin/python3 "$root/scripts/bench/torch_bench.py" --arch resnet50 --batch 32 --threads "$threads" \
  --repeats "$reps" --min-seconds "$min_s" --layouts nchw,channels_last --label "lever:torch memory format" \
  --out "$results" >/dev/null || true

log "2b. ONNX Runtime beside ours, same weights (scripts/bench/ort_peer.sh)"
if [[ $quick == 1 ]]; then ort_scope=(ORT_ARCHS=resnet50 ORT_BATCHES=1,8,32 ORT_REPEATS=2); else ort_scope=(); fi
env "${ort_scope[@]}" "$root/scripts/bench/ort_peer.sh" "$work" "$results" "$ours_env" || log "the ONNX Runtime peer failed"

log "levers in one JVM, ResNet-50, samples alternating"
(export $ours_env
 model_bench --arch resnet50 --batch 32 --variant "folded;separate" --repeats "$reps" \
   --label "lever:batch norm folded at export"
 # two concurrent callers on one session, as two Spark tasks in one executor
 model_bench --arch resnet50 --batch 32 --repeats "$reps" --label "lever:threads, 2 tasks sharing a session" \
   --variant "folded:intra=2,inter=1,callers=1;folded:intra=1,inter=2,callers=2;folded:intra=2,inter=2,callers=2;folded:intra=2,inter=1,callers=2"
 jvm io.resnetspark.bench.InputCopyBench --batch 32 --out "$results" >/dev/null)
log "op-type profile, ResNet-50 b=8"
for onednn in 0 1; do
  for bn in folded separate; do
    TF_ENABLE_ONEDNN_OPTS=$onednn jvm io.resnetspark.bench.OpProfileBench --model "$work/models/resnet50-$bn" \
      --batch 8 --runs 2 --out "$results" >/dev/null
  done
done

# 4 and 5 need the udf and job modules; each step says why when it cannot run.
preprocess_skipped=""
job_skipped="the job module's runner is not in this tree yet"
jpegs="$work/jpegs"
if [[ ! -f "$jpegs/img_02999.jpg" ]]; then
  log "making 3000 JPEGs of about 500x375 from Debian's sample photographs"
  rm -rf "$jpegs"
  /usr/bin/python3 "$root/scripts/bench/make_jpegs.py" --count 3000 --out "$jpegs" >/dev/null
fi
if [[ -f "$root/udf/src/main/java/io/resnetspark/udf/image/ImagePreprocessor.java" ]]; then
  log "4. preprocessing alone"
  (cd "$root" && mvn -o -q -B -pl udf -am test-compile && mvn -o -q -B -pl udf dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/udf.cp" >/dev/null)
  cp_udf="$root/udf/target/test-classes:$root/udf/target/classes:$root/model-builder/target/classes:$(cat "$work/udf.cp")"
  for t in 1 2; do
    java -Xmx2g -cp "$cp_udf" io.resnetspark.bench.PreprocessBench --images "$jpegs" --threads "$t" \
      --repeats "$reps" --min-seconds "$min_s" --out "$results" >/dev/null 2> >(grep -v '^WARNING' >&2)
  done
  log "4b. preprocessing camera-sized photographs (0.3-24 MP JPEG, progressive, PNG), ours vs torchvision"
  PREPROCESS_MODES="${PREPROCESS_MODES:-exact,reduced}" "$root/scripts/bench/preprocess_photos.sh" "$work" "$results" \
    "$([[ $quick == 1 ]] && echo 1 || echo 3)" "$cp_udf"
else
  preprocess_skipped="the udf image preprocessor (io.resnetspark.udf.image.ImagePreprocessor) is not in this tree"
fi

job_root="${BENCH_JOB_ROOT:-$root}"
if [[ -f "$job_root/scripts/run-local.sh" && -f "$job_root/job/src/main/java/io/resnetspark/job/LabelImagesJob.java" ]]; then
  job_skipped=""
  job_tree="$(cd "$job_root" && git log -1 --format='%h %s' | cut -c1-80)"
  job_images="$work/job-input"
  count=$([[ $quick == 1 ]] && echo 300 || echo 3000)
  rm -rf "$job_images" && mkdir -p "$job_images"
  ls "$jpegs" | head -n "$count" | while read -r f; do ln -s "$jpegs/$f" "$job_images/$f"; done
  # The raw model right before and right after the job, in the same threads as the job's 2 tasks and as one
  # caller: the job's ratio is taken against these, not against step 2 minutes earlier on a noisy machine.
  job_bracket() {
    (export $ours_env
     model_bench --arch resnet50 --batch 32 --repeats 2 --label "job bracket" \
       --variant "folded:intra=2,inter=1,callers=1;folded:intra=2,inter=2,callers=2")
  }
  log "5. the whole job in local[2]: $count JPEGs, ResNet-50, batch 32, $ours_env (raw model before and after)"
  job_bracket
  (export $ours_env
   /usr/bin/time -f "%M %e" -o "$work/job.time" "$job_root/scripts/run-local.sh" --model "$work/models/resnet50-folded" \
     --input "$job_images" --output "$work/job-output" --mode overwrite --batch-size 32 --show-rows 0 \
     >"$work/job.log" 2>&1) || log "the job failed: see $work/job.log"
  job_bracket
  /usr/bin/python3 - "$work" "$results" "$count" "$ours_env" "$job_tree" <<'PY' || job_skipped="the job ran but left no run report (see job.log)"
import json, sys
work, results, count, env, tree = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
report = json.load(open(work + "/job-output/_run_report.json"))
rss_kib, wall = open(work + "/job.time").read().split()[-2:]
rec = {"kind": "job", "arch": "resnet50", "batch": 32, "images": count,
       "img_s": [report["throughput"]["images_per_second"]],
       "wall_with_startup_s": float(wall), "peak_rss_mib": int(rss_kib) / 1024.0,
       "stages": report["throughput"].get("stages"), "file_read": report["throughput"].get("file_read"),
       "driver_seconds": report.get("driver_seconds"), "partitions": report.get("partitions"),
       "env": env, "tree": tree,
       "model_loads": report.get("model_loads_per_executor")}
open(results, "a").write(json.dumps(rec) + "\n")
PY
fi

# 5b (issue 11): the job on 12 MP photographs against the best the cores allow, 1/(1/D + 1/M), D and M measured
# before and after it, once per decode mode; each mode has its own results file, since its D is that mode's decode of
# these photos alone.
job_photos_results=()
if [[ -z "$job_skipped" && -z "$preprocess_skipped" ]]; then
  photo_count=$([[ $quick == 1 ]] && echo 48 || echo 200)
  job_photos="$work/photos/job-12MP-$photo_count"
  if [[ ! -d "$job_photos" ]]; then
    /usr/bin/python3 "$root/scripts/bench/make_photos.py" --out "$job_photos" --kind jpeg --megapixels 12 \
      --count "$photo_count" >&2
  fi
  for decode in exact reduced; do
    mode_results="$work/job_photos_$decode.jsonl"
    rm -f "$mode_results"
    log "5b. the job on $photo_count photographs of 12 MP, --decode $decode, against 1/(1/D + 1/M), $ours_env"
    /usr/bin/python3 "$root/scripts/bench/job_photos.py" --root "$job_root" --work "$work/job-photos-$decode" \
      --photos "$job_photos" --model "$work/models/resnet50-folded" --models "$work/models" --cp-udf "$cp_udf" \
      --cp-model "$cp_mb" --rounds 1 --threads "$threads" --env "$ours_env" --decode "$decode" \
      --variant "$decode decode, 2 tasks=" --out "$mode_results" >/dev/null \
      || log "the job on 12 MP photographs (--decode $decode) failed: see $work/job-photos-$decode"
    job_photos_results+=("$mode_results")
  done
fi

gpu_build="The CUDA build was not checked in this run (BENCH_SKIP_GPU_BUILD=1)."
if [[ "${BENCH_SKIP_GPU_BUILD:-0}" != 1 ]]; then
  log "GPU profile build check (mvn -Pgpu package in a clean copy of the tree)"
  gpu_tree="$work/gpu-build"
  rm -rf "$gpu_tree" && mkdir -p "$gpu_tree"
  (cd "$root" && git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$gpu_tree")
  gpu_start=$(date +%s)
  if (cd "$gpu_tree" && mvn -o -q -B -Pgpu -pl model-builder -am -DskipTests package >"$work/gpu-build.log" 2>&1); then
    jar="$(ls "$gpu_tree"/model-builder/target/model-builder-*-cli.jar)"
    gpu_build="\`mvn -B -Pgpu -pl model-builder -am -DskipTests package\` succeeded in $(( $(date +%s) - gpu_start )) s \
with \`tensorflow-core-native\` 1.1.0 classifier \`linux-x86_64-gpu\` (526 MB) resolved; the CLI jar is \
$(( $(stat -c %s "$jar") / 1048576 )) MiB."
  else
    gpu_build="\`mvn -Pgpu ... package\` FAILED here: $(tail -3 "$work/gpu-build.log" | tr '\n' ' ')"
  fi
  rm -rf "$gpu_tree"
fi

# 6. Scale (issue 13): listing, planning and the incremental anti-join at 10^5..10^7 objects, driver heap capped at
# 1 GiB. Long (about 30 minutes), so only with BENCH_SCALE=1; its table goes to $work/scale.md for the hand-written
# findings of docs/BENCHMARKS.md.
if [[ "${BENCH_SCALE:-0}" == 1 ]]; then
  log "6. scale: directory trees and manifests against an existing table, --dry-run with -Xmx1g"
  SCALE_RESULTS="$work/scale.jsonl" "$root/scripts/bench/scale.sh" >"$work/scale.md" ||
    log "the scale benchmark failed: see $work/scale.md"
fi

end_epoch=$(date +%s)
# Facts about this run for the report; it gathers the machine's own facts (lscpu, versions) itself.
export BENCH_WALL_SECONDS=$(( end_epoch - start_epoch )) BENCH_MIN_SECONDS="$min_s" BENCH_LOAD_START="$load_start" \
  BENCH_OURS_ENV="$ours_env" BENCH_TORCH_CMD="$torch_cmd" BENCH_PREPROCESS_SKIPPED="$preprocess_skipped" \
  BENCH_JOB_SKIPPED="$job_skipped" BENCH_GPU_BUILD="$gpu_build" BENCH_JOB_PHOTOS="$(IFS=:; echo "${job_photos_results[*]}")"
/usr/bin/python3 "$root/scripts/bench/report.py" --results "$results" \
  --doc "$root/docs/BENCHMARKS.md" --plot "$root/docs/bench-throughput.png"
log "done in $BENCH_WALL_SECONDS s: docs/BENCHMARKS.md, docs/bench-throughput.png (raw samples: $results)"
