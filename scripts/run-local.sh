#!/usr/bin/env bash
# Labels images on this machine with Spark in local mode: the README's main command.
#
# With no arguments it needs nothing but Java and Maven: it builds the job jar if it is missing or older than
# the sources, builds a ResNet-50 SavedModel (once) with torchvision's IMAGENET1K_V2 weights (downloaded once and
# verified; RANDOM weights when they cannot be had), writes a small sample set of photographs and a few broken
# files (once), runs the job and prints its summary and the first labelled rows. Arguments are the job's options (see
# --help); whatever they leave out is filled in as above. Exit code: the job's (0 ok, 1 configuration error,
# 2 bad command line, 3 error rate exceeded, 4 run failed).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/spark-dist.sh
source "$SCRIPT_DIR/lib/spark-dist.sh"
# shellcheck source=lib/spark-conf.sh
source "$SCRIPT_DIR/lib/spark-conf.sh"

usage() {
  cat <<'EOF'
Usage: scripts/run-local.sh [--s3a] [--properties FILE] [--conf KEY=VALUE] [JOB OPTIONS...]

Runs io.resnetspark.job.LabelImagesJob in Spark local mode. Options you leave out are filled in:
  --model/--arch  a ResNet-50 SavedModel with torchvision's IMAGENET1K_V2 weights, built once into
                  <run dir>/models/resnet50-imagenet1k_v2; when the weights cannot be had (no network, no
                  cached copy), one with RANDOM weights (labels meaningless) in <run dir>/models/resnet50-random.
                  With --weights FILE|NAME: --arch resnet50 --weights FILE|NAME
  --input         sample files written once into <run dir>/sample-images: 5 photographs, 6 drawings
                  and 3 broken files (error rows)
  --output        <run dir>/labels, with --mode overwrite
  --config        conf/job-defaults.properties
  --show-rows     10
Spark settings come from conf/spark-defaults.local.conf, then (as for scripts/submit.sh):
EOF
  rs_conf_usage
  cat <<'EOF'
Logging comes from conf/log4j2.properties. An s3a:// --output needs --s3a (the S3A committer).

Examples:
  scripts/run-local.sh
  scripts/run-local.sh --weights IMAGENET1K_V1 --input ~/Pictures
  scripts/run-local.sh --weights resnet50-0676ba61.pth --input ~/Pictures
  scripts/run-local.sh --model models/resnet50 --input /data/images --output /data/labels --mode incremental
  scripts/run-local.sh --s3a --conf spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000 \
      --input s3a://lake/images --output s3a://lake/labels --mode incremental

Environment:
  RESNET_SPARK_RUN_DIR   where models, sample images and labels go (default: <repo>/.run)
  RESNET_SPARK_CACHE_DIR where downloaded weights are kept, under weights/ (default: ~/.cache/resnet-spark);
                         a copy in torch's cache ($TORCH_HOME/hub/checkpoints) is used as it is
  RESNET_SPARK_WEIGHTS_URL  a mirror of torchvision's models/ folder, instead of download.pytorch.org
  RUN_LOCAL_JAVA_OPTS    JVM options of the job (default: -Xmx from spark.driver.memory)
EOF
}

# has_option NAME ARGS...: true if the job's arguments, or the --config file they name, set option NAME.
has_option() {
  local name="$1" arg config=""
  shift
  local args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    arg="${args[i]}"
    [[ "$arg" == "--" ]] && break
    [[ "$arg" == "--$name" || "$arg" == "--$name="* ]] && return 0
    if [[ "$arg" == "--config" ]] && ((i + 1 < ${#args[@]})); then config="${args[i + 1]}"; fi
    if [[ "$arg" == --config=* ]]; then config="${arg#--config=}"; fi
  done
  [[ -n "$config" && -f "$config" ]] && grep -qE "^[[:space:]]*${name}[[:space:]]*[=:]" "$config"
}

# The job jar (shaded), built when missing or older than any source or pom.
job_jar() {
  local version jar
  version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$RESNET_SPARK_ROOT/pom.xml" | sed -n 1p)"
  jar="$RESNET_SPARK_ROOT/job/target/job-${version}.jar"
  if [[ ! -f "$jar" ]] || [[ -n "$(find "$RESNET_SPARK_ROOT"/{model-builder,udf,job}/src/main "$RESNET_SPARK_ROOT"/pom.xml \
      "$RESNET_SPARK_ROOT"/{model-builder,udf,job}/pom.xml -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
    rs_require_cmd mvn
    rs_info "building the job jar with Maven (the first build downloads dependencies and takes a few minutes) ..."
    (cd "$RESNET_SPARK_ROOT" && mvn -q -B -pl job -am package -DskipTests >&2) || rs_die "the Maven build failed"
  fi
  printf '%s\n' "$jar"
}

# JVM system properties from a Spark properties file ("key value" lines), so the job's SparkConf sees them as
# spark-submit's --properties-file would; spark.driver.memory becomes the heap size instead.
spark_properties() {
  local file="$1" key value
  while read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    if [[ "$key" == "spark.driver.memory" ]]; then
      printf -- '-Xmx%s\n' "$value"
    else
      printf -- '-D%s=%s\n' "$key" "$value"
    fi
  done <"$file"
}

# The Spark settings options (shared with scripts/submit.sh) are the script's; everything else is the job's.
args=()
while (($#)); do
  case "$1" in
    --) args+=("$@"); break ;;
    --s3a | --properties | --properties=* | --conf | --conf=*) rs_conf_arg "$@"; shift "$RS_CONF_SHIFT" ;;
    *) args+=("$1"); shift ;;
  esac
done
rs_conf_check "$RESNET_SPARK_ROOT/conf/spark-defaults.local.conf"
help_asked=false
for arg in "${args[@]+"${args[@]}"}"; do
  [[ "$arg" == "--" ]] && break
  [[ "$arg" == "-h" || "$arg" == "--help" || "$arg" == "-V" || "$arg" == "--version" ]] && help_asked=true
done
if $help_asked; then
  usage
  echo
  echo "The job's own options:"
fi

run_dir="$(rs_run_dir)"
java="$(rs_java)"
jar="$(job_jar)"
classpath="$jar:$(rs_dist_classpath)"
read -r -a jvm_flags <<<"$(rs_spark_jvm_flags)"
mkdir -p "$run_dir/run-local"
rs_conf_merge "$run_dir/run-local/spark.conf" "" "$RESNET_SPARK_ROOT/conf/spark-defaults.local.conf"
mapfile -t spark_props < <(spark_properties "$run_dir/run-local/spark.conf")
for kv in "${RS_CONFS[@]+"${RS_CONFS[@]}"}"; do
  mapfile -t -O "${#spark_props[@]}" spark_props < <(printf '%s %s\n' "${kv%%=*}" "${kv#*=}" | spark_properties /dev/stdin)
done
if [[ -n "${RUN_LOCAL_JAVA_OPTS:-}" ]]; then
  read -r -a java_opts <<<"$RUN_LOCAL_JAVA_OPTS"
else
  java_opts=()
fi
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# TF's pooling CPU allocator: without it every large activation is fetched from the OS on each run (thousands of
# page faults per image) and throughput falls at batch 32-64 (docs/BENCHMARKS.md). TF reads it once per process.
export TF_CPU_ALLOCATOR_USE_BFC="${TF_CPU_ALLOCATOR_USE_BFC:-true}"
# Eigen's convolutions rather than oneDNN's: where TF turns oneDNN on by default (AVX-512 VNNI/BF16, AVX-VNNI, AMX)
# they did the same graph in ~60% of the CPU time (docs/BENCHMARKS.md, issue 14); elsewhere TF runs Eigen anyway.
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-0}"
java_cmd=("$java" "${spark_props[@]}" "${java_opts[@]}" "${jvm_flags[@]}" -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$RESNET_SPARK_ROOT/conf/log4j2.properties" -cp "$classpath")

extra=()
if ! $help_asked; then
  if ! has_option config "${args[@]}"; then
    extra+=(--config "$RESNET_SPARK_ROOT/conf/job-defaults.properties")
  fi
  if ! has_option model "${args[@]}" && ! has_option arch "${args[@]}"; then
    if has_option weights "${args[@]}"; then
      extra+=(--arch resnet50)
    else
      model="$run_dir/models/resnet50-imagenet1k_v2"
      if [[ ! -f "$model/saved_model.pb" ]]; then
        rs_info "building a ResNet-50 SavedModel with torchvision's IMAGENET1K_V2 weights into $model (once) ..."
        "${java_cmd[@]}" io.resnetspark.model.cli.ModelBuilderCli build --arch resnet50 --weights IMAGENET1K_V2 \
          --out "$model" --overwrite >&2 || true
      fi
      if [[ ! -f "$model/saved_model.pb" ]]; then
        model="$run_dir/models/resnet50-random"
        if [[ ! -f "$model/saved_model.pb" ]]; then
          rs_info "building a ResNet-50 SavedModel with RANDOM weights into $model (once) ..."
          "${java_cmd[@]}" io.resnetspark.model.cli.ModelBuilderCli build --arch resnet50 --out "$model" \
            --overwrite >&2 || rs_die "could not build the ResNet-50 model"
        fi
        rs_info "note: torchvision's ResNet-50 weights could not be had (see above), so the model has RANDOM"
        rs_info "      weights and its labels are meaningless. For real labels, run with internet access, put the"
        rs_info "      checkpoint where the line above says, or point RESNET_SPARK_WEIGHTS_URL at a mirror."
      fi
      extra+=(--model "$model")
    fi
  fi
  if ! has_option input "${args[@]}"; then
    samples="$run_dir/sample-images"
    # The set is written once; one without the photographs' NOTICE predates them and is replaced.
    if [[ ! -f "$samples/photos/NOTICE" ]]; then
      rm -rf "$samples"
      "${java_cmd[@]}" io.resnetspark.job.SampleImages "$samples" >&2 || rs_die "could not write sample images"
    fi
    extra+=(--input "$samples")
  fi
  if ! has_option output "${args[@]}"; then
    extra+=(--output "$run_dir/labels")
    has_option mode "${args[@]}" || extra+=(--mode overwrite)
  fi
  has_option show-rows "${args[@]}" || extra+=(--show-rows 10)
fi

set +e
"${java_cmd[@]}" io.resnetspark.job.LabelImagesJob "${extra[@]}" "${args[@]}"
code=$?
set -e
if ((code == 0)) && ! $help_asked && ! has_option output "${args[@]}"; then
  echo
  echo "The labels are in $run_dir/labels (Parquet); the chart is $run_dir/labels/_run_report.png."
fi
exit "$code"
