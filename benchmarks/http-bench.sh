#!/usr/bin/env bash
# HTTP benchmark of the standalone server on 127.0.0.1: push of a 1 GiB blob (one request, and 16 MiB chunks), pull
# of it, and GET manifest / HEAD blob at concurrency 16 (wrk). Not a test: it prints numbers.
# Needs: the built jar (mvn -B -q -DskipTests package), curl, wrk and ab (Debian: wrk, apache2-utils). BENCH_DIR picks the disk (default: a
# temporary folder); BENCH_SIZE_MIB the blob size (default 1024); BENCH_HEAP the server's -Xmx (default 256m);
# BENCH_ROUNDS the timed rounds of each transfer (default 3).
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

rounds=${BENCH_ROUNDS:-3}
push_once() { # one request; prints seconds
  curl -sf -o /dev/null -w '%{time_total}' -X POST -T "$work/blob" -H 'Content-Type: application/octet-stream' \
    "$base/blobs/uploads?digest=$digest"
}
push_chunked() { # 16 MiB PATCHes on one kept-alive connection, as docker and containerd send them; prints seconds
  local start end loc offset=0 n f args=()
  start=$(date +%s.%N)
  loc=$(curl -sf -D - -o /dev/null -X POST "$base/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
  for f in "$work"/chunk.*; do
    n=$(stat -c %s "$f")
    [ ${#args[@]} -gt 0 ] && args+=(--next)
    args+=(-sf -o /dev/null -w '%{http_code}\n' -X PATCH -T "$f" -H "Content-Range: $offset-$((offset + n - 1))"
      -H 'Content-Type: application/octet-stream' "$loc")
    offset=$((offset + n))
  done
  # Berth's upload URL stays the same from chunk to chunk, so one curl can send them all on one connection.
  local codes; codes=$(curl "${args[@]}" | sort -u) || true
  [ "$codes" = 202 ] || { echo "a chunk was refused: $codes" >&2; exit 1; }
  curl -sf -o /dev/null -X PUT "$loc?digest=$digest"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN{print b-a}'
}
delete_blob() { curl -sf -o /dev/null -X DELETE "$base/blobs/$digest"; }
report() { # label, then seconds of each round: every round's MiB/s, and the best
  local label=$1 best=0 all="" r; shift
  for t in "$@"; do r=$(mibps "$bytes" "$t"); all="$all $r"; [ "$r" -gt "$best" ] && best=$r; done
  printf '%-22s best %5s MiB/s   (rounds:%s)\n' "$label" "$best" "$all"
}

# Warm-up: the JIT needs about 2 GiB through the upload path (SHA-256 intrinsics included) before it is at speed;
# a registry that serves pushes all day runs warm. The cold number is printed too.
cold=$(push_once); delete_blob
for _ in 1 2; do push_once > /dev/null; delete_blob; done
echo "push, one request, cold JVM: $(mibps "$bytes" "$cold") MiB/s"

times=(); c0=$(cpu)
for _ in $(seq "$rounds"); do times+=("$(push_once)"); delete_blob; done
c1=$(cpu)
report "push, one request:" "${times[@]}"
echo "  server CPU: $(awk -v a="$c0" -v b="$c1" -v g="$size_mib" -v r="$rounds" 'BEGIN{printf "%.2f", (b-a)*1024/g/r}') s per GiB pushed"

split -b 16M "$work/blob" "$work/chunk."
times=()
for _ in $(seq "$rounds"); do times+=("$(push_chunked)"); delete_blob; done
report "push, 16 MiB chunks:" "${times[@]}"
rm -f "$work"/chunk.*

push_once > /dev/null
times=()
for _ in $(seq "$rounds"); do times+=("$(curl -sf -o /dev/null -w '%{time_total}' "$base/blobs/$digest")"); done
report "pull:" "${times[@]}"

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
