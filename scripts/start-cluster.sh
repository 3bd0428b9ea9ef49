#!/usr/bin/env bash
# Starts a Spark standalone cluster on 127.0.0.1: one master and N workers, each its own JVM, built from the
# project's own Maven dependency jars (no Spark download). Idempotent: if the cluster of this run directory
# runs, it only reports it. Stop it with scripts/stop-cluster.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/spark-dist.sh
source "$SCRIPT_DIR/lib/spark-dist.sh"

usage() {
  cat <<'EOF'
Usage: scripts/start-cluster.sh [--workers N] [--cores C] [--memory SIZE] [--gpus G]

  --workers N     worker JVMs (default 2)
  --cores C       cores each worker offers (default 1)
  --memory SIZE   memory each worker offers to executors (default 1536m; executors ask 1g by default)
  --gpus G        fake GPUs per worker (default 0): workers advertise "gpu" resources found by
                  scripts/gpu-discovery.sh; worker i gets addresses i*G .. i*G+G-1, so no two workers on
                  this host hand out the same address. CUDA itself is not needed.

Prints the master URL; pid files, logs and executor work directories go to <run dir>/cluster.
Submit with the settings of conf/spark-defaults.cluster.conf (and conf/spark-defaults.gpu.conf).

Environment:
  RESNET_SPARK_RUN_DIR         run directory (default: <repo>/.run)
  RESNET_SPARK_DIST_CLASSPATH  jars for the cluster (default: the job module's, from mvn, cached). For
                               only what a Spark binary distribution ships, as on a user's cluster (the
                               application jar must bring the rest): run
                               `mvn -pl spark-distribution generate-resources` and pass the content of
                               spark-distribution/target/spark-distribution.classpath
  SPARK_MASTER_PORT            master port (default: any free port)
  SPARK_DAEMON_MEMORY          heap of the master and worker JVMs (default 256m)
  SPARK_DAEMON_JAVA_OPTS       more JVM options for them (default: serial GC, C1 only: they do little
                               work, and start faster on a 2-core machine that way)
EOF
}

workers=2 cores=1 memory=1536m gpus=0
while (($#)); do
  case "$1" in
    --workers) workers="${2:?}"; shift 2 ;;
    --cores) cores="${2:?}"; shift 2 ;;
    --memory) memory="${2:?}"; shift 2 ;;
    --gpus) gpus="${2:?}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; rs_die "unknown argument: $1" ;;
  esac
done
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || rs_die "--workers must be a positive number"
[[ "$cores" =~ ^[1-9][0-9]*$ ]] || rs_die "--cores must be a positive number"
[[ "$gpus" =~ ^[0-9]+$ ]] || rs_die "--gpus must be a number"
[[ "$memory" =~ ^[0-9]+[mMgG]$ ]] || rs_die "--memory must look like 1536m or 2g"

cluster_dir="$(rs_run_dir)/cluster"
state="$cluster_dir/cluster.env"
marker="-Dresnet.spark.cluster=$cluster_dir"
mkdir -p "$cluster_dir"

if rs_pid_alive "$cluster_dir/master.pid" "$marker"; then
  rs_info "cluster already running (stop it with scripts/stop-cluster.sh to change its shape)"
  printf 'master: %s\n' "$(rs_env_get "$state" MASTER_URL)"
  exit 0
fi

java="$(rs_java)"
read -r -a jvm_flags <<<"$(rs_spark_jvm_flags)"
spark_home="$(rs_make_spark_home "$cluster_dir/spark-home" "$(rs_dist_classpath)")"
daemon_heap="-Xmx${SPARK_DAEMON_MEMORY:-256m}"
read -r -a daemon_opts <<<"${SPARK_DAEMON_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

# The launcher code in the worker builds executor command lines from these; SPARK_CONF_DIR lands on the
# executors' class path, which is how they find conf/log4j2.properties.
export SPARK_HOME="$spark_home"
SPARK_SCALA_VERSION="$(rs_pom_property scala.binary.version)"
export SPARK_SCALA_VERSION
export SPARK_CONF_DIR="$RESNET_SPARK_ROOT/conf"
export SPARK_LOCAL_IP=127.0.0.1
common=("$java" "$daemon_heap" "${daemon_opts[@]}" "${jvm_flags[@]}" "$marker"
  "-Dlog4j2.configurationFile=$RESNET_SPARK_ROOT/conf/log4j2.properties" -cp "$spark_home/jars/*")

# A half-started cluster (master up, a worker failing) is stopped again rather than left running.
ready=false
trap '$ready || { rs_info "start failed; stopping what was started"; "$SCRIPT_DIR/stop-cluster.sh" || true; }' EXIT

started=$SECONDS
offset="$(rs_log_size "$cluster_dir/master.log")"
rs_start_daemon "$cluster_dir/master.pid" "$cluster_dir/master.log" "${common[@]}" \
  org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "${SPARK_MASTER_PORT:-0}" --webui-port 0
line="$(rs_wait_for_log "$cluster_dir/master.log" "$offset" 'Starting Spark master at spark://' \
  "$cluster_dir/master.pid" "$marker" 90 "Spark master")" || rs_die "the Spark master did not start"
master_url="$(grep -oE 'spark://[0-9.]+:[0-9]+' <<<"$line")"

worker_pids=() gpu_state=()
for ((i = 1; i <= workers; i++)); do
  resources=()
  addresses=""
  if ((gpus > 0)); then
    addresses="$(seq -s, $(((i - 1) * gpus)) $((i * gpus - 1)))"
    resources=("-Dspark.worker.resource.gpu.amount=$gpus"
      "-Dspark.worker.resource.gpu.discoveryScript=$RESNET_SPARK_ROOT/scripts/gpu-discovery.sh")
    gpu_state+=("WORKER_${i}_GPUS=$addresses")
  fi
  mkdir -p "$cluster_dir/work/worker-$i"
  rm -f "$cluster_dir/worker-$i.log"
  RESNET_SPARK_FAKE_GPUS="$addresses" rs_start_daemon "$cluster_dir/worker-$i.pid" "$cluster_dir/worker-$i.log" \
    "${common[@]}" "${resources[@]}" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores "$cores" --memory "$memory" \
    --work-dir "$cluster_dir/work/worker-$i" "$master_url"
  worker_pids+=("$(<"$cluster_dir/worker-$i.pid")")
done
for ((i = 1; i <= workers; i++)); do
  rs_wait_for_log "$cluster_dir/worker-$i.log" 0 'Successfully registered with master' \
    "$cluster_dir/worker-$i.pid" "$marker" 90 "Spark worker $i" >/dev/null ||
    rs_die "Spark worker $i did not register with $master_url"
done

rs_write_env "$state" "MASTER_URL=$master_url" "MASTER_PID=$(<"$cluster_dir/master.pid")" \
  "WORKER_PIDS=$(IFS=,; echo "${worker_pids[*]}")" "WORKERS=$workers" "CORES_PER_WORKER=$cores" \
  "MEMORY_PER_WORKER=$memory" "GPUS_PER_WORKER=$gpus" "${gpu_state[@]}" "SPARK_HOME=$spark_home" \
  "SPARK_JVM_FLAGS=${jvm_flags[*]}" "CLUSTER_DIR=$cluster_dir"
ready=true

cat <<EOF
master: $master_url   ($workers workers x $cores core(s), $memory$( ((gpus > 0)) && echo ", $gpus fake GPU(s) each"); up in $((SECONDS - started))s)
logs:   $cluster_dir/{master,worker-N}.log, executors under $cluster_dir/work
submit: --master $master_url with conf/spark-defaults.cluster.conf
stop:   scripts/stop-cluster.sh
EOF
