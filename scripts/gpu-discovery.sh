#!/usr/bin/env bash
# Spark resource discovery script for "gpu" (spark.worker.resource.gpu.discoveryScript in standalone mode,
# spark.executor.resource.gpu.discoveryScript on YARN and Kubernetes). Spark runs it and reads one JSON
# object from stdout: {"name":"gpu","addresses":["0","1"]}.
#
# - RESNET_SPARK_FAKE_GPUS set (comma-separated addresses, may be empty): reports those. This is how
#   scripts/start-cluster.sh --gpus and the tests exercise Spark's GPU scheduling on machines without GPUs;
#   the job then finds no CUDA device and runs on the CPU.
# - otherwise: the indices nvidia-smi lists (as Spark's own example script does); none if it is missing.
set -euo pipefail

if [[ -n "${RESNET_SPARK_FAKE_GPUS+set}" ]]; then
  addresses="$RESNET_SPARK_FAKE_GPUS"
elif command -v nvidia-smi >/dev/null 2>&1; then
  addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | paste -sd, -)"
else
  echo "gpu-discovery.sh: no nvidia-smi on PATH and RESNET_SPARK_FAKE_GPUS unset: reporting no GPUs" >&2
  addresses=""
fi
[[ "$addresses" =~ ^([0-9]+(,[0-9]+)*)?$ ]] || {
  echo "gpu-discovery.sh: addresses must be comma-separated numbers, got '$addresses'" >&2
  exit 1
}

json=""
IFS=, read -r -a list <<<"$addresses"
for address in "${list[@]}"; do
  json+="${json:+,}\"$address\""
done
printf '{"name":"gpu","addresses":[%s]}\n' "$json"
