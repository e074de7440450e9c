#!/usr/bin/env bash
# HTTP benchmark of the standalone server on 127.0.0.1: push of a 1 GiB blob (one request, and 16 MiB chunks), pull
# of it, and GET manifest / HEAD blob at concurrency 16 (wrk). Not a test: it prints numbers.
# Needs: the built jar (mvn -B -q -DskipTests package), curl, wrk and ab (Debian: wrk, apache2-utils). BENCH_DIR picks the disk (default: a
# temporary folder); BENCH_SIZE_MIB the blob size (default 1024); BENCH_HEAP the server's -Xmx (default 256m).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=registry-server/target/registry-server.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v ab >/dev/null || { echo "ab is missing: apt-get install -y apache2-utils" >&2; exit 1; }

size_mib=${BENCH_SIZE_MIB:-1024}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/berth-bench.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

java -Xmx"${BENCH_HEAP:-256m}" -jar "$jar" --port 0 --root "$work/data" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/0\.0\.0\.0:\([0-9]*\)\/v2\/.*/\1/p' "$work/server.log" | head -n 1)
  [ -n "${port:-}" ] && break; sleep 0.1
done
base="http://127.0.0.1:$port/v2/bench"
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$pid/stat"; }
mibps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / 1048576 / t }'; }

head -c "${size_mib}M" /dev/urandom > "$work/blob"
bytes=$(stat -c %s "$work/blob")
digest="sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)"
echo "Berth HTTP benchmark: ${size_mib} MiB blob, server heap ${BENCH_HEAP:-256m}, store in $work"

# Warm-up: let the JIT compile the upload path (SHA-256 intrinsics included) before anything is timed.
head -c 128M /dev/urandom > "$work/warm"
wdigest="sha256:$(sha256sum "$work/warm" | cut -d' ' -f1)"
for _ in 1 2 3; do
  curl -sf -o /dev/null -X POST -T "$work/warm" "$base/blobs/uploads?digest=$wdigest"
  curl -sf -o /dev/null -X DELETE "$base/blobs/$wdigest"
  curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" || true
done
rm -f "$work/warm"

c0=$(cpu)
t=$(curl -sf -o /dev/null -w '%{time_total}' -X POST -T "$work/blob" -H 'Content-Type: application/octet-stream' \
  "$base/blobs/uploads?digest=$digest")
c1=$(cpu)
echo "push, one request:   $(mibps "$bytes" "$t") MiB/s  ($(awk -v a="$c0" -v b="$c1" -v g="$size_mib" 'BEGIN{printf "%.2f", (b-a)*1024/g}') CPU s per GiB)"

curl -sf -o /dev/null -X DELETE "$base/blobs/$digest"
split -b 16M "$work/blob" "$work/chunk."
start=$(date +%s.%N)
loc=$(curl -sf -D - -o /dev/null -X POST "$base/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
offset=0
for f in "$work"/chunk.*; do
  n=$(stat -c %s "$f")
  loc=$(curl -sf -D - -o /dev/null -X PATCH -T "$f" -H "Content-Range: $offset-$((offset + n - 1))" \
    -H 'Content-Type: application/octet-stream' "$loc" | tr -d '\r' | sed -n 's/^Location: //Ip')
  offset=$((offset + n))
done
curl -sf -o /dev/null -X PUT "$loc?digest=$digest"
end=$(date +%s.%N)
echo "push, 16 MiB chunks: $(mibps "$bytes" "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')") MiB/s"
rm -f "$work"/chunk.*

t=$(curl -sf -o /dev/null -w '%{time_total}' "$base/blobs/$digest")
echo "pull:                $(mibps "$bytes" "$t") MiB/s"

printf '{"architecture":"amd64","os":"linux"}' > "$work/config"
cdig="sha256:$(sha256sum "$work/config" | cut -d' ' -f1)"
curl -sf -o /dev/null -X POST --data-binary @"$work/config" "$base/blobs/uploads/?digest=$cdig"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
  "$cdig" "$(stat -c %s "$work/config")" "$digest" "$bytes" > "$work/manifest"
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary @"$work/manifest" "$base/manifests/v1"

wrk -t2 -c16 -d5s "$base/manifests/v1" > /dev/null  # warm-up
echo "GET manifest by tag, 16 connections: $(wrk -t2 -c16 -d10s "$base/manifests/v1" | awk '/Requests\/sec/ {printf "%.0f", $2}') req/s"
# wrk mishandles bodiless HEAD responses; ab -i sends HEAD properly (keep-alive, 16 at a time).
echo "HEAD blob, 16 connections:           $(ab -q -i -k -c16 -n 100000 "$base/blobs/$digest" | awk '/Requests per second/ {printf "%.0f", $4}') req/s"
echo "server RSS: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"), heap max ${BENCH_HEAP:-256m}"
