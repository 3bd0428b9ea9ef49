#!/usr/bin/env bash
# Stops the s3proxy of this run directory (SIGTERM, SIGKILL after a timeout). Idempotent.
# The data directory is kept, so start-s3.sh brings back the same buckets and objects; --purge deletes it.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/lib/s3.sh
source "$SCRIPT_DIR/lib/s3.sh"

purge=false
while (($#)); do
  case "$1" in
    --purge) purge=true; shift ;;
    -h | --help)
      echo "Usage: scripts/stop-s3.sh [--purge]   (--purge also deletes the buckets, keys and logs of <run dir>/s3)"
      exit 0
      ;;
    *) rs_die "unknown argument: $1" ;;
  esac
done

s3_dir="$(rs_s3_dir)"
rs_stop_daemon "$s3_dir/s3proxy.pid" "$s3_dir/s3proxy.properties" s3proxy "${S3_STOP_TIMEOUT:-15}"
if $purge; then
  rm -rf "$s3_dir"
  rs_info "deleted $s3_dir"
fi
