#!/usr/bin/env bash
# Starts a local S3-compatible server (s3proxy with a filesystem backend) on 127.0.0.1 and creates a bucket,
# for trying the job against s3a:// by hand, for the tests and for .ci/run. Idempotent: when the server
# of this run directory already runs, it only reports it (and makes sure the bucket exists).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/s3.sh
source "$SCRIPT_DIR/lib/s3.sh"

usage() {
  cat <<'EOF'
Usage: scripts/start-s3.sh [--port N] [--bucket NAME] [--fetch-only]

Starts s3proxy on http://127.0.0.1:PORT with its data under <run dir>/s3/data and prints the endpoint.

  --port N       port to listen on (default: $S3_PORT, else the port of the previous start in this run
                 directory, else any free port)
  --bucket NAME  bucket to create (default: $S3_BUCKET or "resnet-spark"; at least 3 characters)
  --fetch-only   only download the s3proxy jar into the cache (for CI before going offline) and print its path

Environment:
  RESNET_SPARK_RUN_DIR        run directory (default: <repo>/.run); state goes to its s3/ folder
  RESNET_SPARK_CACHE_DIR      where the s3proxy jar is kept (default: ~/.cache/resnet-spark)
  RESNET_SPARK_S3_ACCESS_KEY  test-only identity for the server; with RESNET_SPARK_S3_SECRET_KEY
  RESNET_SPARK_S3_SECRET_KEY  (if unset, a random pair is generated once per run directory)
  S3PROXY_JAVA_OPTS           JVM options for the server (default: -Xmx256m)

The key pair is written, never printed, to <run dir>/s3/credentials.env (mode 600) as AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY: `source` it and S3A's default credential chain finds them.
Stop with scripts/stop-s3.sh.
EOF
}

port="${S3_PORT:-}"
bucket="${S3_BUCKET:-resnet-spark}"
fetch_only=false
while (($#)); do
  case "$1" in
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --bucket) bucket="${2:?--bucket needs a value}"; shift 2 ;;
    --fetch-only) fetch_only=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; rs_die "unknown argument: $1" ;;
  esac
done

jar="$(rs_s3proxy_jar)"
if $fetch_only; then
  printf '%s\n' "$jar"
  exit 0
fi

[[ ${#bucket} -ge 3 ]] || rs_die "bucket name '$bucket' is too short: the AWS SDK refuses names under 3 characters"
[[ -z "$port" || "$port" =~ ^[0-9]+$ ]] || rs_die "--port must be a number, got '$port'"

s3_dir="$(rs_s3_dir)"
data_dir="$s3_dir/data"
pidfile="$s3_dir/s3proxy.pid"
logfile="$s3_dir/s3proxy.log"
props="$s3_dir/s3proxy.properties"
state="$s3_dir/s3.env"
credentials="$s3_dir/credentials.env"
mkdir -p "$data_dir"

# Keys: the caller's (the tests generate them per server), else the ones this run directory already has
# (so a restart keeps working with a shell that sourced credentials.env), else a new random pair.
if [[ -n "${RESNET_SPARK_S3_ACCESS_KEY:-}" || -n "${RESNET_SPARK_S3_SECRET_KEY:-}" ]]; then
  access_key="${RESNET_SPARK_S3_ACCESS_KEY:?set both RESNET_SPARK_S3_ACCESS_KEY and RESNET_SPARK_S3_SECRET_KEY}"
  secret_key="${RESNET_SPARK_S3_SECRET_KEY:?set both RESNET_SPARK_S3_ACCESS_KEY and RESNET_SPARK_S3_SECRET_KEY}"
elif [[ -f "$credentials" ]]; then
  access_key="$(sed -n 's/^export AWS_ACCESS_KEY_ID=//p' "$credentials")"
  secret_key="$(sed -n 's/^export AWS_SECRET_ACCESS_KEY=//p' "$credentials")"
else
  access_key="test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  secret_key="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi
[[ -n "$access_key" && -n "$secret_key" ]] || rs_die "no key pair in $credentials; delete it to generate a new one"
[[ "$access_key$secret_key" =~ ^[A-Za-z0-9+/=._-]+$ ]] || rs_die "the S3 keys may only use [A-Za-z0-9+/=._-]"

marker="$props"
if rs_pid_alive "$pidfile" "$marker"; then
  rs_info "s3proxy already running (pid $(<"$pidfile"))"
else
  if [[ -z "$port" ]]; then
    port="$(rs_env_get "$state" S3_PORT)"
    port="${port:-0}"
  fi
  (
    umask 077
    template="$(<"$RESNET_SPARK_ROOT/conf/s3proxy.properties.template")"
    template="${template//@PORT@/$port}"
    template="${template//@IDENTITY@/$access_key}"
    template="${template//@CREDENTIAL@/$secret_key}"
    template="${template//@DATA_DIR@/$data_dir}"
    printf '%s\n' "$template" >"$props"
    printf '# Test-only keys of the local s3proxy in %s; not an AWS secret.\nexport AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n' \
      "$s3_dir" "$access_key" "$secret_key" >"$credentials"
  )
  # A server that starts but then fails (bucket creation) is stopped again rather than left running.
  ready=false
  trap '$ready || { rs_info "start failed; stopping s3proxy"; "$SCRIPT_DIR/stop-s3.sh" || true; }' EXIT
  offset="$(rs_log_size "$logfile")"
  # shellcheck disable=SC2086 # S3PROXY_JAVA_OPTS is a list of options
  rs_start_daemon "$pidfile" "$logfile" "$(rs_java)" ${S3PROXY_JAVA_OPTS:--Xmx256m} \
    -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
    -jar "$jar" --properties "$props"
  # Jetty logs the bound address, which is the only way to learn the port when 0 was asked for.
  started_line="$(rs_wait_for_log "$logfile" "$offset" 'Started .*ServerConnector.*\{127\.0\.0\.1:[0-9]+\}' \
    "$pidfile" "$marker" 60 s3proxy)" || rs_die "s3proxy did not start (port $port busy? set S3_PORT=0)"
  port="$(sed -E 's/.*\{127\.0\.0\.1:([0-9]+)\}.*/\1/' <<<"$started_line")"
  rs_write_env "$state" \
    "S3_ENDPOINT=http://127.0.0.1:$port" "S3_PORT=$port" "S3_PID=$(<"$pidfile")" "S3_BUCKET=$bucket" \
    "S3_DATA_DIR=$data_dir" "S3_LOG=$logfile" "S3_CREDENTIALS_FILE=$credentials"
fi

endpoint="$(rs_env_get "$state" S3_ENDPOINT)"
status="$(rs_s3_signed_request PUT "$endpoint/$bucket" "$access_key" "$secret_key")" || status="curl failed"
case "$status" in
  200) rs_info "created bucket $bucket" ;;
  409) ;; # BucketAlreadyOwnedByYou: a restart over the same data directory
  *) rs_die "creating bucket $bucket at $endpoint answered $status (see $logfile)" ;;
esac
ready=true
if [[ "$(rs_env_get "$state" S3_BUCKET)" != "$bucket" ]]; then
  sed -i "s/^S3_BUCKET=.*/S3_BUCKET=$bucket/" "$state"
fi

# A Spark properties file for this server: the documented S3A template plus the endpoint; no secrets.
{
  cat "$RESNET_SPARK_ROOT/conf/spark-s3a.conf"
  printf '\n# Added by scripts/start-s3.sh for the server in %s\nspark.hadoop.fs.s3a.endpoint %s\n' "$s3_dir" "$endpoint"
} >"$s3_dir/spark-s3a.conf"

cat <<EOF
S3 endpoint:   $endpoint   (pid $(rs_env_get "$state" S3_PID), data in $data_dir)
bucket:        s3a://$bucket/
credentials:   source $credentials   (test-only keys, not printed)
Spark conf:    $s3_dir/spark-s3a.conf   (conf/spark-s3a.conf + this endpoint)
log:           $logfile
stop with:     scripts/stop-s3.sh
EOF
