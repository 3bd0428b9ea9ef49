# shellcheck shell=bash
# Shared helpers for the resnet-spark scripts. Source it; it defines functions and RESNET_SPARK_ROOT only.
#
# Daemons (s3proxy, Spark master and workers) are started detached (setsid, stdin from /dev/null, output to a
# log file) so they outlive the script that started them and a Ctrl-C in the developer's terminal, and are
# tracked through pid files. A pid file only counts while its process is alive AND its command line still
# contains a marker unique to this run directory: after a reboot or a crash the pid may belong to
# something else, and stop scripts must never signal a stranger.

RESNET_SPARK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

rs_info() { printf '%s\n' "$*" >&2; }

rs_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

rs_require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || rs_die "'$cmd' is required but not on PATH"
  done
}

# Where runtime state (pid files, logs, data) goes; tests point this at a temporary directory.
rs_run_dir() {
  local dir="${RESNET_SPARK_RUN_DIR:-$RESNET_SPARK_ROOT/.run}"
  mkdir -p "$dir"
  (cd "$dir" && pwd)
}

# Downloaded tools that survive `mvn clean` (the s3proxy jar).
rs_cache_dir() {
  local dir="${RESNET_SPARK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/resnet-spark}"
  mkdir -p "$dir"
  (cd "$dir" && pwd)
}

# A <properties> value of the parent pom, so versions and JVM flags have a single source.
rs_pom_property() {
  local name="$1" value
  value="$(sed -n "s:.*<${name}>\(.*\)</${name}>.*:\1:p" "$RESNET_SPARK_ROOT/pom.xml" | sed -n 1p)"
  [[ -n "$value" ]] || rs_die "property <$name> not found in $RESNET_SPARK_ROOT/pom.xml"
  printf '%s\n' "$value"
}

# The version the parent pom pins for a plugin (the <version> right after its <artifactId>).
rs_pom_plugin_version() {
  local artifact="$1" value
  value="$(grep -A 1 "<artifactId>${artifact}</artifactId>" "$RESNET_SPARK_ROOT/pom.xml" |
    sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | sed -n 1p)"
  [[ -n "$value" ]] || rs_die "no version for plugin $artifact in $RESNET_SPARK_ROOT/pom.xml"
  printf '%s\n' "$value"
}

# The module openings spark-submit adds (pom property spark.jvm.flags), as one line for word splitting.
rs_spark_jvm_flags() {
  rs_pom_property spark.jvm.flags
}

rs_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    rs_require_cmd java
    command -v java
  fi
}

# rs_pid_alive PIDFILE MARKER: true if the recorded process runs and is ours.
rs_pid_alive() {
  local pidfile="$1" marker="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# rs_start_daemon PIDFILE LOGFILE COMMAND...: the pid written is the one that becomes COMMAND (exec).
rs_start_daemon() {
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  local waited=0
  while [[ ! -s "$pidfile" ]]; do
    ((waited++ < 100)) || rs_die "process for $pidfile did not start"
    sleep 0.05
  done
}

# rs_log_size LOGFILE: the current size in bytes, to pass as rs_wait_for_log's offset (logs are appended to
# across restarts, and a line from the previous run must not count as ready).
rs_log_size() {
  if [[ -f "$1" ]]; then stat -c %s "$1"; else echo 0; fi
}

# rs_wait_for_log LOGFILE OFFSET REGEX PIDFILE MARKER TIMEOUT_SECONDS WHAT: prints the first line after byte
# OFFSET that matches REGEX. Fails early, with the log's tail, if the process dies first.
rs_wait_for_log() {
  local logfile="$1" offset="$2" regex="$3" pidfile="$4" marker="$5" timeout="$6" what="$7"
  local deadline=$((SECONDS + timeout)) line
  while ((SECONDS < deadline)); do
    if line="$(tail -c +"$((offset + 1))" "$logfile" 2>/dev/null | grep -m 1 -E -- "$regex")"; then
      printf '%s\n' "$line"
      return 0
    fi
    if ! rs_pid_alive "$pidfile" "$marker"; then
      rs_info "$what exited during start-up; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  rs_info "$what did not become ready within ${timeout}s; last lines of $logfile:"
  tail -n 30 "$logfile" >&2 || true
  return 1
}

# rs_stop_daemon PIDFILE MARKER WHAT [TIMEOUT_SECONDS]: SIGTERM, then SIGKILL after the timeout.
# Idempotent: a missing or stale pid file is not an error.
rs_stop_daemon() {
  local pidfile="$1" marker="$2" what="$3" timeout="${4:-15}" pid
  if ! rs_pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    rs_info "$what: not running"
    return 0
  fi
  pid="$(<"$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while rs_pid_alive "$pidfile" "$marker" && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if rs_pid_alive "$pidfile" "$marker"; then
    rs_info "$what (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while [[ -d "/proc/$pid" ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.05
    done
  fi
  rm -f "$pidfile"
  rs_info "$what (pid $pid): stopped"
}

# rs_write_env FILE KEY=VALUE...: a state file of plain KEY=VALUE lines (no quoting), read by rs_env_get
# and by the Java test fixtures. Written to a temporary file first so a reader never sees half of it.
rs_write_env() {
  local file="$1" tmp pair
  shift
  tmp="$(mktemp "$file.XXXXXX")"
  for pair in "$@"; do
    [[ "$pair" != *$'\n'* ]] || rs_die "state value with a newline: ${pair%%=*}"
    printf '%s\n' "$pair" >>"$tmp"
  done
  mv -f "$tmp" "$file"
}

# rs_env_get FILE KEY: the value of KEY in a state file, empty if absent.
rs_env_get() {
  local file="$1" key="$2"
  [[ -f "$file" ]] || return 0
  sed -n "s/^${key}=//p" "$file" | tail -n 1
}
