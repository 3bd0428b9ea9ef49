# shellcheck shell=bash
# Paths and helpers for the local s3proxy server; needs common.sh.

rs_s3_dir() {
  local dir
  dir="$(rs_run_dir)/s3"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# The s3proxy jar-with-dependencies from Maven Central, fetched once into the cache directory.
# It runs as its own JVM: its Jetty 12 (Servlet 6) and AWS SDK clash with Spark's on one class path.
rs_s3proxy_jar() {
  local version cache jar tmp
  version="$(rs_pom_property s3proxy.version)"
  cache="$(rs_cache_dir)/s3proxy"
  jar="$cache/s3proxy-$version-jar-with-dependencies.jar"
  if [[ ! -s "$jar" ]]; then
    rs_require_cmd mvn
    rs_info "fetching org.gaul:s3proxy:$version (jar-with-dependencies, about 55 MB) with Maven into $cache"
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
    # Run outside the project so the reactor does not execute the goal once per module; the plugin version
    # is the one the project pins, so it is already in the local repository after a build.
    if ! (cd "$tmp" && mvn -B -q "org.apache.maven.plugins:maven-dependency-plugin:$(rs_pom_plugin_version maven-dependency-plugin):copy" \
      -Dartifact="org.gaul:s3proxy:$version:jar:jar-with-dependencies" -DoutputDirectory="$tmp" >&2); then
      rm -rf "$tmp"
      rs_die "could not fetch org.gaul:s3proxy:$version with Maven"
    fi
    mv -f "$tmp/s3proxy-$version-jar-with-dependencies.jar" "$jar"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$jar"
}

# rs_s3_signed_request METHOD URL ACCESS_KEY SECRET_KEY: an empty-body SigV4 request with curl; prints the
# HTTP status. The key pair goes to curl on stdin, so it never shows in `ps` or in a log.
rs_s3_signed_request() {
  local method="$1" url="$2" access="$3" secret="$4"
  local empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  rs_require_cmd curl
  printf 'user = "%s:%s"\n' "$access" "$secret" |
    curl -sS -K - --aws-sigv4 "aws:amz:us-east-1:s3" -H "x-amz-content-sha256: $empty_sha256" \
      -X "$method" -o /dev/null -w '%{http_code}' --max-time 10 "$url"
}
