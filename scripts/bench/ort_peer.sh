#!/usr/bin/env bash
# Ours beside ONNX Runtime (issue 14): the same weights exported to ONNX by Debian's torch, the same threads and
# batches, samples alternating in one JVM, ONNX Runtime's own profile by op type and ours (TF step stats) at
# batch 1 and 8. Called by scripts/bench.sh (step 2b); runs alone too, then rewrites section 2b of the doc:
#   scripts/bench/ort_peer.sh WORK RESULTS "OURS_ENV" [--doc docs/BENCHMARKS.md]
# OURS_ENV: the TF process switches for our side, e.g. "TF_CPU_ALLOCATOR_USE_BFC=true" (ONNX Runtime ignores them).
# Environment: ORT_ARCHS (default resnet18,resnet50,resnet152), ORT_BATCHES (1,8,16,32), ORT_REPEATS (3),
# ORT_LABEL (free text stored with the records), ORT_OURS_ARGS (more OrtBench options for our side, e.g. --jit),
# ORT_PROFILES=0 to skip both engines' op profiles (lever runs).
# ONNX Runtime is a benchmark-only dependency: model-builder's onnx-bench profile puts it on the test class path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$1"; results="$2"; ours_env="$3"; doc=""
[[ "${4:-}" == "--doc" ]] && doc="$5"
archs="${ORT_ARCHS:-resnet18,resnet50,resnet152}"
batches="${ORT_BATCHES:-1,8,16,32}"
repeats="${ORT_REPEATS:-3}"
label="${ORT_LABEL:-}"
read -r -a ours_args <<<"${ORT_OURS_ARGS:-}"
models="$work/models"
mkdir -p "$models"
export TF_CPP_MIN_LOG_LEVEL=2
log() { echo "[ort_peer $(date +%H:%M:%S)] $*" >&2; }

(cd "$root" && { mvn -o -q -B -Ponnx-bench -pl model-builder -am test-compile 2>/dev/null \
  || mvn -q -B -Ponnx-bench -pl model-builder -am test-compile; })
(cd "$root" && mvn -o -q -B -Ponnx-bench -pl model-builder dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/model-builder-ort.cp" >/dev/null)
cp="$root/model-builder/target/test-classes:$root/model-builder/target/classes:$(cat "$work/model-builder-ort.cp")"
jvm() { java -Xmx6g -cp "$cp" "$@" 2> >(grep -v -E '^(WARNING|I0000|W0000)' >&2); }

log "our SavedModels and their state_dicts ($archs)"
jvm io.resnetspark.bench.OrtBench --weights-only --arch "$archs" --models "$models" --out /dev/null >/dev/null
for arch in ${archs//,/ }; do
  if [[ ! -f "$models/$arch.onnx" ]]; then
    log "exporting $arch to ONNX with Debian's torch"
    /usr/bin/python3 "$here/export_onnx.py" --arch "$arch" --weights "$models/$arch-weights.safetensors" \
      --out "$models/$arch.onnx" 2> >(grep -v -i warning >&2)
  fi
done

for arch in ${archs//,/ }; do
  log "$arch: ours ($ours_env) and ONNX Runtime alternating, batches $batches"
  profile=(); [[ $arch == resnet50 && "${ORT_PROFILES:-1}" == 1 ]] && profile=(--profile-batch 1,8)
  (export $ours_env
   jvm io.resnetspark.bench.OrtBench --arch "$arch" --batch "$batches" --repeats "$repeats" --models "$models" \
     "${profile[@]}" "${ours_args[@]}" --label "$label" --out "$results" >/dev/null)
done
if [[ ",$archs," == *",resnet50,"* && "${ORT_PROFILES:-1}" == 1 ]]; then
  log "our op profile, resnet50 at batch 1 and 8"
  for b in 1 8; do
    (export $ours_env
     jvm io.resnetspark.bench.OpProfileBench --model "$models/resnet50-folded" --batch "$b" --runs 3 \
       --label "ort peer $label" --out "$results" >/dev/null)
  done
fi
if [[ -n "$doc" ]]; then
  /usr/bin/python3 "$here/ort_report.py" --results "$results" --doc "$doc"
  log "rewrote section 2b of $doc"
fi
