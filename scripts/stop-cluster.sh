#!/usr/bin/env bash
# Stops the Spark standalone cluster of this run directory: workers first (each kills its executors on
# SIGTERM), then the master. Idempotent. Logs and executor work directories are kept for inspection.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

case "${1:-}" in
  "") ;;
  -h | --help) echo "Usage: scripts/stop-cluster.sh"; exit 0 ;;
  *) rs_die "unknown argument: $1" ;;
esac

cluster_dir="$(rs_run_dir)/cluster"
marker="-Dresnet.spark.cluster=$cluster_dir"
shopt -s nullglob
for pidfile in "$cluster_dir"/worker-*.pid; do
  name="$(basename "$pidfile" .pid)"
  rs_stop_daemon "$pidfile" "$marker" "Spark $name" 20
done
rs_stop_daemon "$cluster_dir/master.pid" "$marker" "Spark master" 20

# Executors whose worker was SIGKILLed exit on their own once they notice; whatever still runs inside this
# cluster's work directory is ours, and is ended here so that nothing outlives stop-cluster.sh.
for cwd in /proc/[0-9]*/cwd; do
  target="$(readlink "$cwd" 2>/dev/null)" || continue
  if [[ "$target" == "$cluster_dir/work/"* ]]; then
    pid="${cwd#/proc/}"
    pid="${pid%/cwd}"
    rs_info "ending leftover executor (pid $pid) in $target"
    kill -KILL "$pid" 2>/dev/null || true
  fi
done
rm -f "$cluster_dir/cluster.env"
