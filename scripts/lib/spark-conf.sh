# shellcheck shell=bash
# The Spark settings options that scripts/submit.sh and scripts/run-local.sh share: --s3a, --properties FILE and
# --conf KEY=VALUE, and the one properties file they make. Source it after lib/common.sh.

RS_CONF_FILES=()
RS_CONFS=()
RS_CONF_SHIFT=0

# rs_conf_arg ARGS...: if $1 is --s3a, --properties FILE or --conf KEY=VALUE (or their --opt=value forms),
# records it and sets RS_CONF_SHIFT to the number of arguments it took; otherwise sets RS_CONF_SHIFT=0.
rs_conf_arg() {
  RS_CONF_SHIFT=0
  case "${1:-}" in
    --s3a) RS_CONF_FILES+=("$RESNET_SPARK_ROOT/conf/spark-s3a.conf"); RS_CONF_SHIFT=1 ;;
    --properties) (($# >= 2)) || rs_die "--properties needs a file"; RS_CONF_FILES+=("$2"); RS_CONF_SHIFT=2 ;;
    --properties=*) RS_CONF_FILES+=("${1#*=}"); RS_CONF_SHIFT=1 ;;
    --conf) (($# >= 2)) || rs_die "--conf needs KEY=VALUE"; RS_CONFS+=("$2"); RS_CONF_SHIFT=2 ;;
    --conf=*) RS_CONFS+=("${1#*=}"); RS_CONF_SHIFT=1 ;;
  esac
  return 0
}

# rs_conf_usage: the help lines of those options.
rs_conf_usage() {
  cat <<'USAGE'
  --s3a                 add conf/spark-s3a.conf (s3a:// input or output; credentials from the environment)
  --properties FILE     add another Spark properties file; later files win over earlier ones (repeatable)
  --conf KEY=VALUE      one Spark setting, winning over every file (repeatable)
USAGE
}

# rs_conf_check FILES...: every file exists and every --conf is KEY=VALUE.
rs_conf_check() {
  local file kv
  for file in "$@" "${RS_CONF_FILES[@]+"${RS_CONF_FILES[@]}"}"; do
    [[ -f "$file" ]] || rs_die "no such properties file: $file"
  done
  for kv in "${RS_CONFS[@]+"${RS_CONFS[@]}"}"; do
    [[ "$kv" == *=* ]] || rs_die "--conf takes KEY=VALUE, got '$kv'"
  done
}

# rs_conf_merge OUT DROP_KEYS_ERE BASE_FILES...: the base files, then the --s3a and --properties files, in one
# properties file (java.util.Properties keeps a key's last value, so later files win). Keys matching the
# extended regular expression DROP_KEYS_ERE (empty: none) are left out. --conf values are not in it: they win
# over every file and each script passes them its own way.
rs_conf_merge() {
  local out="$1" drop="$2" file
  shift 2
  {
    echo "# Written by ${0##*/} from: $* ${RS_CONF_FILES[*]+"${RS_CONF_FILES[*]}"}"
    for file in "$@" "${RS_CONF_FILES[@]+"${RS_CONF_FILES[@]}"}"; do
      echo "# --- $file"
      if [[ -n "$drop" ]]; then
        grep -vE "^[[:space:]]*(${drop})[[:space:]]" "$file" || true
      else
        cat "$file"
      fi
      echo
    done
  } >"$out"
}
