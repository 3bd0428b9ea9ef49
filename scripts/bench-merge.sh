#!/usr/bin/env bash
# Times one incremental commit of the job's lake tables against a table of N existing rows (default 100000):
# the MERGE of a nightly run that changes 100 files, adds 100 and prunes 10, on Iceberg and on Delta, local disk,
# local[2] (io.resnetspark.job.lake.MergeBench; synthetic rows, no model). Results go to docs/BENCHMARKS.md by hand.
#   scripts/bench-merge.sh [ROWS] [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && mvn -o -q -B -pl job -am test-compile && mvn -o -q -B -pl job dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/job.cp" >/dev/null)
cp="$root/job/target/test-classes:$root/job/target/classes:$root/udf/target/classes:$root/model-builder/target/classes"
cp="$cp:$(cat "$work/job.cp")"
read -r -a jvm_flags <<<"$(rs_spark_jvm_flags)"
SPARK_LOCAL_IP=127.0.0.1 "$(rs_java)" -Xmx3g "${jvm_flags[@]}" -cp "$cp" io.resnetspark.job.lake.MergeBench "$@" \
  2> >(grep -v '^WARNING' >&2)
