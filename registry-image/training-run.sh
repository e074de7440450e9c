#!/usr/bin/env bash
# A training run: the server's own (registry-server.jar train-startup, as bin/berth runs it) on the given Java with the
# given JVM flags: the server on a loopback port and a temporary folder, an image (config, a 2 MiB layer, a manifest)
# pushed and pulled through it over HTTP a few times, then stopped, and the JVM exits, writing what the flags asked
# for. build-root.sh uses it to record the AOT cache (berth.image.archive=aot); record-classlist.sh to record the
# class list of the CDS archive.
#
#   registry-image/training-run.sh JAVA JAR [JVM FLAG...]
set -euo pipefail

java=$1 jar=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# quiet unless it fails: the server's log lines are of no use to a build that went well
"$java" "$@" -jar "$jar" train-startup > "$log" 2>&1 || {
  cat "$log" >&2
  echo "training-run: the training failed" >&2
  exit 1
}
