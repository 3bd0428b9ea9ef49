#!/usr/bin/env bash
# Submits the label-images job to a Spark cluster (standalone, YARN or Kubernetes) with spark-submit and the
# settings in conf/. Uses the Spark installation in SPARK_HOME or spark-submit on PATH; without either, Spark's
# own launcher from the project's Maven jars (the jars scripts/start-cluster.sh runs, no download).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/spark-dist.sh
source "$SCRIPT_DIR/lib/spark-dist.sh"
# shellcheck source=lib/spark-conf.sh
source "$SCRIPT_DIR/lib/spark-conf.sh"

MAIN_CLASS=io.resnetspark.job.LabelImagesJob

usage() {
  cat <<'EOF'
Usage: scripts/submit.sh --master URL [SUBMIT OPTIONS...] [--] JOB OPTIONS...

Submit options (everything else is passed to the job; use -- before job options that clash):
  --master URL          spark://host:7077 (standalone), yarn, k8s://https://host:port, or local[N] to try it
  --deploy-mode MODE    client (default: the driver runs here) or cluster
  --gpu                 add conf/spark-defaults.gpu.conf (one GPU per executor)
EOF
  rs_conf_usage
  cat <<'EOF'
  --jar FILE            the application jar (default: job/target/job-<version>.jar, built if missing)
  --image IMAGE         Kubernetes: the container image with Java 17 and Spark 4.0.x
  --print-command       print the spark-submit command and the merged properties file, run nothing
  -h, --help            this text

The Spark settings are conf/spark-defaults.cluster.conf, then --gpu, --s3a and --properties files, merged into
one properties file (spark.master and spark.submit.deployMode lines are dropped: --master and --deploy-mode
decide). spark.driver.host/bindAddress in it name 127.0.0.1 (the loopback cluster of scripts/start-cluster.sh);
they are dropped too unless the master itself is on 127.0.0.1 or localhost. The template sizes executors for
that loopback cluster (1 core, 1g); give a real cluster its own sizes with --properties or --conf.
Executors log with conf/log4j2.properties (shipped with --files). In cluster mode the driver runs on the
cluster: give --jar a path it can read (hdfs:, s3a:, https:, or local:/// inside the image), and inputs,
model and output on shared storage.

Examples:
  scripts/submit.sh --master spark://127.0.0.1:7077 --input /data/images --model /models/resnet50 \
      --output /data/labels --mode incremental
  scripts/submit.sh --master yarn --deploy-mode cluster --s3a --jar s3a://bucket/jobs/job.jar \
      --conf spark.executor.instances=8 -- --input s3a://bucket/images --model s3a://bucket/models/r50 \
      --output s3a://bucket/labels --mode incremental
  scripts/submit.sh --master k8s://https://k8s.example:6443 --deploy-mode cluster --gpu \
      --image registry/resnet-spark:0.1.0 --jar local:///opt/resnet-spark/job.jar -- --input ...

Environment:
  SPARK_HOME             the Spark installation whose bin/spark-submit is used
  SPARK_SUBMIT           the spark-submit command itself (wins over SPARK_HOME and PATH)
  Without either, and with no spark-submit on PATH, Spark 4.0.1 is assembled from the project's Maven
  dependencies under <run dir>/submit/spark-home and started through its launcher, as bin/spark-submit does.
  RESNET_SPARK_RUN_DIR   where the merged properties file is written (default: <repo>/.run)
EOF
}

master="" deploy_mode=client jar="" image="" print=false
template="$RESNET_SPARK_ROOT/conf/spark-defaults.cluster.conf"
job_args=()
while (($#)); do
  case "$1" in
    --master) master="${2:?--master needs a URL}"; shift 2 ;;
    --master=*) master="${1#*=}"; shift ;;
    --deploy-mode) deploy_mode="${2:?--deploy-mode needs client or cluster}"; shift 2 ;;
    --deploy-mode=*) deploy_mode="${1#*=}"; shift ;;
    --gpu) RS_CONF_FILES+=("$RESNET_SPARK_ROOT/conf/spark-defaults.gpu.conf"); shift ;;
    --s3a | --properties | --properties=* | --conf | --conf=*) rs_conf_arg "$@"; shift "$RS_CONF_SHIFT" ;;
    --jar) jar="${2:?--jar needs a file}"; shift 2 ;;
    --jar=*) jar="${1#*=}"; shift ;;
    --image) image="${2:?--image needs an image name}"; shift 2 ;;
    --image=*) image="${1#*=}"; shift ;;
    --print-command) print=true; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; job_args+=("$@"); break ;;
    *) job_args+=("$1"); shift ;;
  esac
done

[[ -n "$master" ]] || { usage >&2; rs_die "--master is required (spark://host:port, yarn or k8s://https://host:port)"; }
[[ "$deploy_mode" == client || "$deploy_mode" == cluster ]] || rs_die "--deploy-mode must be client or cluster"
[[ "$master" == spark://* || "$master" == yarn || "$master" == k8s://* || "$master" == local* ]] ||
  rs_die "--master must be spark://host:port, yarn or k8s://https://host:port, got '$master'"
if [[ "$master" == k8s://* && -z "$image" ]] &&
  ! grep -qs '^spark.kubernetes.container.image' "$template" "${RS_CONF_FILES[@]+"${RS_CONF_FILES[@]}"}" &&
  ! printf '%s\n' "${RS_CONFS[@]+"${RS_CONFS[@]}"}" | grep -q '^spark.kubernetes.container.image='; then
  rs_die "Kubernetes needs a container image: --image IMAGE"
fi
rs_conf_check "$template"
((${#job_args[@]} > 0)) || rs_die "no job options: give at least --input, --model (or --arch) and --output (see --help)"

if [[ -z "$jar" ]]; then
  version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$RESNET_SPARK_ROOT/pom.xml" | sed -n 1p)"
  jar="$RESNET_SPARK_ROOT/job/target/job-${version}.jar"
  if [[ ! -f "$jar" ]] && ! $print; then
    rs_require_cmd mvn
    rs_info "building the job jar with Maven ..."
    (cd "$RESNET_SPARK_ROOT" && mvn -q -B -pl job -am package -DskipTests >&2) || rs_die "the Maven build failed"
  fi
fi

# One properties file: spark-submit takes only one. java.util.Properties keeps a key's last value, so
# concatenating the files in order makes later files win.
loopback=false
[[ "$master" =~ ^(spark://)?(127\.0\.0\.1|localhost)(:|$) || "$master" == local* ]] && loopback=true
merged_dir="$(rs_run_dir)/submit"
mkdir -p "$merged_dir"
merged="$merged_dir/spark-submit.conf"
# The master and deploy mode are spark-submit's own arguments; the files' values would only confuse.
dropped="spark\.(master|submit\.deployMode)"
$loopback || dropped="spark\.(master|submit\.deployMode|driver\.host|driver\.bindAddress)"
rs_conf_merge "$merged" "$dropped" "$template"

# launcher_submit ARGS...: what bin/spark-submit does through bin/spark-class. Spark's launcher prints any
# messages line by line, then a line holding a NUL, then the driver's java command (NUL-separated); the exit
# code of the launcher follows. Then the command runs in place of this script.
launcher_submit() {
  local cmd=() arg delim=$'\n' started=false
  while IFS= read -d "$delim" -r arg; do
    if $started; then
      cmd+=("$arg")
    elif [[ -z "$arg" ]]; then
      # The NUL line (bash reads it as empty): the command follows, NUL-separated.
      delim=''
      started=true
    else
      printf '%s\n' "$arg" >&2
    fi
  done < <("$(rs_java)" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
    org.apache.spark.deploy.SparkSubmit "$@" 2> >(grep -v 'ignored null byte' >&2); printf '%d\0' $?)
  local last=$((${#cmd[@]} - 1))
  ((last >= 0)) || rs_die "Spark's launcher printed no command"
  [[ "${cmd[$last]}" == 0 ]] || exit "${cmd[$last]}"
  exec "${cmd[@]:0:$last}"
}

from_jars=false
if [[ -n "${SPARK_SUBMIT:-}" ]]; then
  read -r -a submit <<<"$SPARK_SUBMIT"
elif [[ -n "${SPARK_HOME:-}" ]]; then
  submit=("$SPARK_HOME/bin/spark-submit")
elif command -v spark-submit >/dev/null 2>&1; then
  submit=("$(command -v spark-submit)")
else
  from_jars=true
  submit=(launcher_submit)
fi

log_conf="$RESNET_SPARK_ROOT/conf/log4j2.properties"
command=("${submit[@]}" --master "$master" --deploy-mode "$deploy_mode" --class "$MAIN_CLASS"
  --properties-file "$merged"
  --files "$log_conf"
  --conf "spark.executor.extraJavaOptions=-Dlog4j2.configurationFile=log4j2.properties")
if [[ "$deploy_mode" == client ]]; then
  command+=(--driver-java-options "-Dlog4j2.configurationFile=file:$log_conf")
else
  command+=(--conf "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=log4j2.properties")
fi
# TensorFlow's C++ INFO lines (model loading, graph passes) would drown the job's own log.
command+=(--conf "spark.executorEnv.TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}")
# TF's pooling CPU allocator on executors (docs/BENCHMARKS.md: no batch-size cliff, 20-30% less CPU per image).
command+=(--conf "spark.executorEnv.TF_CPU_ALLOCATOR_USE_BFC=${TF_CPU_ALLOCATOR_USE_BFC:-true}")
# Eigen's convolutions on executors (docs/BENCHMARKS.md, issue 14: ~60% of oneDNN's CPU time where TF enables it).
command+=(--conf "spark.executorEnv.TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-0}")
[[ -n "$image" ]] && command+=(--conf "spark.kubernetes.container.image=$image")
for kv in "${RS_CONFS[@]+"${RS_CONFS[@]}"}"; do
  command+=(--conf "$kv")
done
command+=("$jar" "${job_args[@]}")

if $print; then
  $from_jars && echo "# spark-submit: Spark's launcher from the project's Maven jars (no SPARK_HOME, none on PATH)"
  printf '%q ' "${command[@]}"
  echo
  echo "# properties file $merged:"
  grep -vE '^[[:space:]]*(#|$)' "$merged"
  exit 0
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
if $loopback && [[ -z "${SPARK_LOCAL_IP:-}" ]]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi
if $from_jars; then
  SPARK_HOME="$(rs_make_spark_home "$merged_dir/spark-home" "$(rs_dist_classpath)")"
  SPARK_SCALA_VERSION="$(rs_pom_property scala.binary.version)"
  export SPARK_HOME SPARK_SCALA_VERSION
fi
"${command[@]}"
