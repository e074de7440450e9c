#!/usr/bin/env bash
# A training run: the server on the given Java with the given JVM flags serves what a registry does at startup and on
# its first requests (/v2/, a blob pushed and pulled, the catalog), then stops on SIGTERM. build-root.sh uses it to
# record the AOT cache (berth.image.archive=aot); record-classlist.sh to record the class list of the CDS archive.
#
#   registry-image/training-run.sh JAVA JAR [JVM FLAG...]
set -euo pipefail

java=$1 jar=$2
shift 2
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
printf 'version: 0.1\nlog: {level: info}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp: {addr: "127.0.0.1:0"}\n' \
  "$work/data" > "$work/config.yml"
"$java" "$@" -jar "$jar" serve "$work/config.yml" > "$work/log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\)\/v2\/.*/\1/p' "$work/log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; echo "training-run: the server stopped" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/log" >&2; echo "training-run: the server did not start in 60 s" >&2; exit 1; }
reg=http://127.0.0.1:$port
printf 'berth training blob' > "$work/blob"
d=sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)
curl -fsS -o /dev/null "$reg/v2/"
curl -fsS -o /dev/null -X POST --data-binary @"$work/blob" "$reg/v2/train/blobs/uploads/?digest=$d"
curl -fsS -o /dev/null "$reg/v2/train/blobs/$d"
curl -fsS -o /dev/null "$reg/v2/_catalog"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
# 0: the server's exit after SIGTERM once it has drained (and the JVM has written what the flags asked for)
[ "$status" = 0 ] || { cat "$work/log" >&2; echo "training-run: the server exited with $status on SIGTERM" >&2; exit 1; }
