#!/usr/bin/env bash
# The benchmark harness (issue 7): one command, one sitting. Measures the TF Java GEMM rate, raw model throughput
# through SavedResNet (resnet18/50/152 x batch 1/8/32/64), torchvision on the same cores, the levers side by side,
# preprocessing alone and the whole job in local[2] (when those modules are built), then writes docs/BENCHMARKS.md
# and docs/bench-throughput.png. Run it on a quiet machine: every figure is min/median/max of repeated samples, but
# a neighbour on a 2-core machine still moves them.
#
#   scripts/bench.sh            full run (about 20 minutes on 2 cores)
#   scripts/bench.sh --quick    a few minutes, resnet50 only, to check the harness itself
# Environment: BENCH_WORK (models, JPEGs, results; default /tmp/resnet-spark-bench), BENCH_THREADS (default 2),
# BENCH_SKIP_GPU_BUILD=1 to skip the -Pgpu build check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_WORK:-/tmp/resnet-spark-bench}"
threads="${BENCH_THREADS:-2}"
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
mkdir -p "$work/models"
results="$work/results.jsonl"
rm -f "$results"
start_epoch=$(date +%s)
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
export TF_CPP_MIN_LOG_LEVEL=2
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# The executors' TF setting (see docs/BENCHMARKS.md, "Levers"): oneDNN's own kernels are off by default on CPUs
# without AVX-512 VNNI/AMX, and turning them on is the faster path on this AVX2 machine.
ours_env="TF_ENABLE_ONEDNN_OPTS=1"

log "building model-builder test classes"
(cd "$root" && { mvn -o -q -B -pl model-builder -am test-compile 2>/dev/null || mvn -q -B -pl model-builder -am test-compile; })
(cd "$root" && mvn -o -q -B -pl model-builder dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/model-builder.cp" >/dev/null)
cp_mb="$root/model-builder/target/test-classes:$root/model-builder/target/classes:$(cat "$work/model-builder.cp")"
jvm() { java -Xmx6g -XX:+UseParallelGC -cp "$cp_mb" "$@" 2> >(grep -v -E '^(WARNING|I0000|W0000)' >&2); }

if [[ $quick == 1 ]]; then
  archs=(resnet50); batches="1,8,32"; reps=2; min_s=1.0
else
  archs=(resnet18 resnet50 resnet152); batches="1,8,32,64"; reps=5; min_s=1.5
fi
reps_for() { [[ $1 == resnet152 && $quick == 0 ]] && echo 3 || echo "$reps"; }

log "1. GEMM rate"
jvm io.resnetspark.bench.GemmBench --threads "$threads" --repeats 7 --min-seconds 1 --out "$results" >/dev/null

log "2. raw model throughput (ours), $ours_env"
for arch in "${archs[@]}"; do
  (export $ours_env; jvm io.resnetspark.bench.ModelBench --models "$work/models" --arch "$arch" \
    --batch "$batches" --variant "folded:intra=$threads,inter=1" --repeats "$(reps_for "$arch")" \
    --min-seconds "$min_s" --label main --out "$results" >/dev/null)
done

log "3. torchvision on the same cores"
torch_cmd="/usr/bin/python3 scripts/bench/torch_bench.py --threads $threads (torch.set_num_threads, inference_mode, eval, NCHW)"
for arch in "${archs[@]}"; do
  /usr/bin/python3 "$root/scripts/bench/torch_bench.py" --arch "$arch" --batch "$batches" --threads "$threads" \
    --repeats "$(reps_for "$arch")" --min-seconds "$min_s" --label main --out "$results" >/dev/null || true
done
if [[ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]]; then
  log "3b. torchvision resnet50 with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/scripts/bench/torch_bench.py" \
    --arch resnet50 --batch 8 --threads "$threads" --repeats "$reps" --min-seconds "$min_s" \
    --label "lever:torch OPENBLAS_* unset" --out "$results" >/dev/null || true
fi

log "levers, ResNet-50, side by side"
lb="8,32"
[[ $quick == 1 ]] && lb="8"
# batch norm folded vs separate: one JVM, samples alternate
TF_ENABLE_ONEDNN_OPTS=1 jvm io.resnetspark.bench.ModelBench --models "$work/models" --arch resnet50 --batch "$lb" \
  --variant "folded;separate" --repeats "$reps" --min-seconds "$min_s" --label "lever:batch norm folded" \
  --out "$results" >/dev/null
# oneDNN's own kernels (process-wide switch): separate JVMs, alternated twice
for round in 1 2; do
  for onednn in 0 1; do
    TF_ENABLE_ONEDNN_OPTS=$onednn jvm io.resnetspark.bench.ModelBench --models "$work/models" --arch resnet50 \
      --batch "$lb" --variant folded --repeats 2 --min-seconds "$min_s" --label "lever:oneDNN kernels" \
      --out "$results" >/dev/null
  done
done
# two concurrent callers on one session, as two Spark tasks in one executor: thread pool settings
TF_ENABLE_ONEDNN_OPTS=1 jvm io.resnetspark.bench.ModelBench --models "$work/models" --arch resnet50 --batch "$lb" \
  --variant "folded:intra=2,inter=1,callers=1;folded:intra=2,inter=1,callers=2;folded:intra=1,inter=2,callers=2;folded:intra=2,inter=2,callers=2" \
  --repeats "$reps" --min-seconds "$min_s" --label "lever:threads per session" --out "$results" >/dev/null
log "input tensor copy"
TF_ENABLE_ONEDNN_OPTS=1 jvm io.resnetspark.bench.InputCopyBench --batch 32 --out "$results" >/dev/null
log "op-type profile, ResNet-50 b=8"
for onednn in 0 1; do
  for bn in folded separate; do
    TF_ENABLE_ONEDNN_OPTS=$onednn jvm io.resnetspark.bench.OpProfileBench --model "$work/models/resnet50-$bn" \
      --batch 8 --runs 3 --out "$results" >/dev/null
  done
done

# 4 and 5 need the udf and job modules; each step says why when it cannot run.
preprocess_skipped="the udf image preprocessor (io.resnetspark.udf.image.ImagePreprocessor) is not in this tree"
job_skipped="the job module's local runner is not in this tree"
if [[ -f "$root/udf/src/main/java/io/resnetspark/udf/image/ImagePreprocessor.java" \
      && -f "$root/udf/src/test/java/io/resnetspark/bench/PreprocessBench.java" ]]; then
  source "$root/scripts/bench/udf-job.sh"
fi

gpu_build="The CUDA build was not checked in this run (BENCH_SKIP_GPU_BUILD=1)."
if [[ "${BENCH_SKIP_GPU_BUILD:-0}" != 1 ]]; then
  log "GPU profile build check (mvn -Pgpu package in a clean copy)"
  gpu_tree="$work/gpu-build"
  rm -rf "$gpu_tree" && mkdir -p "$gpu_tree"
  (cd "$root" && git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$gpu_tree")
  gpu_start=$(date +%s)
  if (cd "$gpu_tree" && mvn -o -q -B -Pgpu -pl model-builder -am -DskipTests package >"$work/gpu-build.log" 2>&1); then
    jar="$(ls "$gpu_tree"/model-builder/target/model-builder-*-cli.jar)"
    gpu_build="\`mvn -B -Pgpu -pl model-builder -am -DskipTests package\` succeeded in $(( $(date +%s) - gpu_start )) s: \
it resolves \`tensorflow-core-native:linux-x86_64-gpu\` 1.1.0 (526 MB) and the CLI jar is $(( $(stat -c %s "$jar") / 1048576 )) MiB."
  else
    gpu_build="\`mvn -Pgpu ... package\` FAILED here; see the last lines: $(tail -3 "$work/gpu-build.log" | tr '\n' ' ')"
  fi
  rm -rf "$gpu_tree"
fi

end_epoch=$(date +%s)
# Facts about this run for the report; it gathers the machine's own facts (lscpu, versions) itself.
export BENCH_WALL_SECONDS=$(( end_epoch - start_epoch )) BENCH_MIN_SECONDS="$min_s" BENCH_LOAD_START="$load_start" \
  BENCH_OURS_ENV="$ours_env" BENCH_TORCH_CMD="$torch_cmd" BENCH_PREPROCESS_SKIPPED="$preprocess_skipped" \
  BENCH_JOB_SKIPPED="$job_skipped" BENCH_GPU_BUILD="$gpu_build"
/usr/bin/python3 "$root/scripts/bench/report.py" --results "$results" \
  --doc "$root/docs/BENCHMARKS.md" --plot "$root/docs/bench-throughput.png"
log "done in $BENCH_WALL_SECONDS s: docs/BENCHMARKS.md, docs/bench-throughput.png (raw samples: $results)"
