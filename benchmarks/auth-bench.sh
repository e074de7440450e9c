#!/usr/bin/env bash
# Benchmark of authenticated requests: GET manifest by tag at concurrency 16 (wrk) on the standalone server with
# htpasswd basic auth (bcrypt, as `htpasswd -B` writes it), with the verification cache on (the default) and off
# (cachettl: 0, bcrypt on every request, which is what distribution does), against the same server without auth.
# Not a test: it prints numbers. Needs: the built jar (mvn -B -q -DskipTests package), curl, wrk, htpasswd
# (Debian: wrk, apache2-utils). BENCH_BCRYPT_COST picks the bcrypt cost (default 5, htpasswd -B's default).
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh # await_port
jar=registry-server/target/registry-server.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
for tool in wrk htpasswd curl; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install -y wrk apache2-utils curl" >&2; exit 1; }
done
cost=${BENCH_BCRYPT_COST:-5}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
htpasswd -cbB -C "$cost" "$work/htpasswd" bench bench-password 2>/dev/null

start() { # config file; sets pid and port
  java -Xmx256m -jar "$jar" serve "$1" > "$work/server.log" 2>&1 &
  pid=$!
  port=$(await_port "$work/server.log" "$pid") || { cat "$work/server.log" >&2; exit 1; }
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
config() { # auth yaml fragment
  printf 'version: 0.1\nlog: {level: info, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: "127.0.0.1:0"}\n%s\n' \
    "$work/data" "$1" > "$work/config.yml"
  echo "$work/config.yml"
}
seed() { # pushes one manifest as the bench user
  local base="http://127.0.0.1:$port/v2/bench" auth=(-u bench:bench-password)
  printf '{"architecture":"amd64","os":"linux"}' > "$work/config"
  local cdig="sha256:$(sha256sum "$work/config" | cut -d' ' -f1)"
  curl -sf "${auth[@]}" -o /dev/null -X POST --data-binary @"$work/config" "$base/blobs/uploads/?digest=$cdig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}' \
    "$cdig" "$(stat -c %s "$work/config")" > "$work/manifest"
  curl -sf "${auth[@]}" -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$work/manifest" "$base/manifests/v1"
}
measure() { # label, extra wrk args...
  local label=$1; shift
  local url="http://127.0.0.1:$port/v2/bench/manifests/v1"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" 2>/dev/null || true)" = 200 ] || true
  wrk -t2 -c16 -d3s "$@" "$url" > /dev/null
  printf '%-46s %6s req/s\n' "$label" "$(wrk -t2 -c16 -d10s "$@" "$url" | awk '/Requests\/sec/ {printf "%.0f", $2}')"
}
basic="Authorization: Basic $(printf 'bench:bench-password' | base64)"
echo "Berth auth benchmark: GET manifest by tag, 16 connections, bcrypt cost $cost"

start "$(config "auth: {htpasswd: {realm: bench, path: $work/htpasswd}}")"
seed
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/bench/manifests/v1")" = 401 ] \
  || { echo "an anonymous GET was not refused" >&2; exit 1; }
measure "htpasswd, verification cache on (default):" -H "$basic"
stop

start "$(config "auth: {htpasswd: {realm: bench, path: $work/htpasswd, cachettl: 0}}")"
measure "htpasswd, cache off (bcrypt on every request):" -H "$basic"
stop

start "$(config "")"
measure "no auth:"
stop
