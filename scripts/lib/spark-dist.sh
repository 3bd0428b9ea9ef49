# shellcheck shell=bash
# A Spark "distribution" assembled from the project's own Maven dependencies; needs common.sh.
#
# Spark's launcher code (which a standalone worker uses to build executor command lines) expects
# $SPARK_HOME/jars/*.jar. Instead of downloading a Spark tarball, we fill that folder with symbolic links to
# the jars Maven resolved for the job module (Spark, Hadoop, hadoop-aws and the AWS SDK, with their
# dependencies), so the cluster runs exactly the versions the project builds and tests against.

# The job module's dependency jars (every scope, so Spark's `provided` jars are in), without the project's
# own modules (applications ship those) and without the test libraries. Cached until a pom changes.
rs_dist_classpath() {
  if [[ -n "${RESNET_SPARK_DIST_CLASSPATH:-}" ]]; then
    printf '%s\n' "$RESNET_SPARK_DIST_CLASSPATH"
    return 0
  fi
  local cache="$RESNET_SPARK_ROOT/job/target/spark-dist-classpath.txt" pom stale=false
  if [[ ! -s "$cache" ]]; then
    stale=true
  else
    for pom in "$RESNET_SPARK_ROOT"/pom.xml "$RESNET_SPARK_ROOT"/*/pom.xml; do
      [[ "$pom" -nt "$cache" ]] && stale=true
    done
  fi
  if $stale; then
    rs_require_cmd mvn
    rs_info "resolving the Spark class path of the job module with Maven (once; cached in $cache)"
    # `compile` lets the reactor resolve the project's own modules from their target/classes, so this works
    # on a fresh machine where they were never installed into the local repository.
    (cd "$RESNET_SPARK_ROOT" && mvn -B -q -pl job -am compile dependency:build-classpath \
      -Dmdep.outputFile=target/spark-dist-classpath.txt \
      -DexcludeGroupIds=io.resnetspark,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian >&2) ||
      rs_die "mvn dependency:build-classpath failed for the job module"
    # The plugin leaves an unchanged file untouched; the new time stamp records that it is current.
    touch "$cache"
  fi
  cat "$cache"
}

# rs_make_spark_home DIR CLASSPATH: DIR/jars gets one link per jar of CLASSPATH (directories are skipped:
# a distribution holds jars only). Prints DIR.
rs_make_spark_home() {
  local home="$1" classpath="$2" entry name count=0
  rm -rf "$home/jars"
  mkdir -p "$home/jars"
  local IFS=:
  for entry in $classpath; do
    [[ "$entry" == *.jar && -f "$entry" ]] || continue
    name="$(basename "$entry")"
    # Two groups may ship a jar of the same file name (e.g. several "annotations-*.jar"): keep both.
    [[ -e "$home/jars/$name" ]] && name="$count-$name"
    ln -s "$entry" "$home/jars/$name"
    count=$((count + 1))
  done
  ((count > 0)) || rs_die "no jars in the Spark class path"
  compgen -G "$home/jars/*spark-core_*.jar" >/dev/null || rs_die "the class path has no spark-core jar"
  printf '%s\n' "$home"
}
