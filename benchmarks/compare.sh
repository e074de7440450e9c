#!/usr/bin/env bash
# Berth next to CNCF distribution (Debian's docker-registry, 2.8) in one run, on the same machine and disk, with the
# same config.yml (registry:2's stock one, deletes on; both servers' access logs on, their default): prints a table
# with Berth/distribution ratios. Not a test: it prints numbers.
#
#   bash benchmarks/compare.sh [raw] [transfer] [manifest] [herd] [slow]      (default: all of them, in this order)
#
# raw       the machine's limits: dd of the blob with conv=fsync, openssl speed -evp sha256 at 16 KiB blocks
# transfer  push of the blob in one request (POST, then a PUT with the bytes) and pull: cold (the first
#           request after a start) and warm (after warm-ups), medians of BENCH_ROUNDS, every round printed. Each
#           timed push round is preceded by a dd round of the same bytes (the disk's rate swings 2x within minutes,
#           so each push is set against the dd that ran just before it: "push / dd, per round"). Pulls are measured
#           with two clients, each against both servers: curl -o /dev/null, and a Java reader with a 4 MiB buffer
#           (PullCeiling fetch, warmed up on the blob through a server of its own first, so that its cold pull is the
#           registry's first after a start, not the reader's), because curl on loopback is slower than either
#           server; first, the loopback ceiling of each client: a plain Java server that preads the cached blob into
#           a 1 MiB direct buffer and writes it, or sendfiles it, read by each client (PullCeiling ceiling).
#           (distribution 2.8 does neither: strace shows it read the file 4 MiB and write the socket 32 KiB at a time.)
# manifest  GET manifest by tag (wrk) and HEAD blob (ab -i -k: wrk cannot do HEAD) at 16 connections, after a warm-up
# herd      BENCH_HERD parallel pulls of a BENCH_HERD_MIB blob (the load generator): aggregate MiB/s, all complete,
#           the server's peak and final RSS and CPU; a single client first (median of 3 after 10 warm-up pulls),
#           with the same code
# slow      BENCH_SLOW_READERS slow readers and BENCH_SLOW_UPLOADERS slow uploaders at BENCH_SLOW_RATE bytes/s, held
#           BENCH_SLOW_SECONDS, next to a well-behaved client that GETs the manifest every 20 ms (2 s timeout)
#
# Every part starts each server anew (their data folders stay), so "cold" and the RSS are about that part alone.
# Only one server runs at a time. Environment:
#   BENCH_DIR             the disk: both servers' fresh folders and the blobs go in a temporary folder there (/tmp)
#   BENCH_SIZE_MIB        the transfer blob (1024)           BENCH_ROUNDS / BENCH_WARMUP  timed / warm-up rounds (3 / 2)
#   BENCH_HERD            parallel pulls (500)               BENCH_HERD_MIB               the herd's blob (64)
#   BENCH_SLOW_READERS    (1000)   BENCH_SLOW_UPLOADERS (300)   BENCH_SLOW_RATE (4096)   BENCH_SLOW_SECONDS (20)
#   BENCH_SOURCES         load generator connections from 127.0.0.2..127.0.0.K (0: the kernel's choice; default 0)
#   BENCH_WRK_SECONDS     each wrk / ab measurement (10)     BENCH_KEEP=1                 keep the folder and logs
#   BERTH_JAVA            the java that runs Berth (java), e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   BERTH_LAUNCHER=1      start Berth with registry-server/bin/berth (its documented way: a startup archive
#                         recorded by a training run, here made once in the run's folder before anything is timed),
#                         not java -jar; BERTH_JAVA's JDK runs it (Java 25: the AOT cache; 17: AppCDS)
#   BERTH_OPTS            Berth's JVM flags (-Xmx256m)       BERTH_CONFIG / DIST_CONFIG   a config.yml for one of them
#                         (address and root directory are always set through REGISTRY_HTTP_ADDR and
#                         REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY)
#   LOADGEN_JAVA          the java that runs the load generator (java)
# Needs: the built jar and benchmarks (mvn -B -q -DskipTests package), docker-registry, curl, wrk, ab, openssl.
set -euo pipefail
cd "$(dirname "$0")/.."

all_parts=(raw transfer manifest herd slow)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=("${all_parts[@]}")
for p in "${parts[@]}"; do
  case " ${all_parts[*]} " in *" $p "*) ;; *) echo "unknown part '$p' (parts: ${all_parts[*]})" >&2; exit 2;; esac
done
want() { case " ${parts[*]} " in *" $1 "*) return 0;; esac; return 1; }

jar=registry-server/target/registry-server.jar
classes=benchmarks/target/classes
[ -f "$jar" ] && [ -f "$classes/dev/berth/benchmarks/load/LoadGenerator.class" ] \
  || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
for c in docker-registry curl wrk ab openssl; do
  command -v "$c" >/dev/null || { echo "$c is missing (Debian: docker-registry curl wrk apache2-utils openssl)" >&2; exit 1; }
done

size_mib=${BENCH_SIZE_MIB:-1024}
rounds=${BENCH_ROUNDS:-3}
warmups=${BENCH_WARMUP:-2}
herd_n=${BENCH_HERD:-500}
herd_mib=${BENCH_HERD_MIB:-64}
slow_readers=${BENCH_SLOW_READERS:-1000}
slow_uploaders=${BENCH_SLOW_UPLOADERS:-300}
slow_rate=${BENCH_SLOW_RATE:-4096}
slow_seconds=${BENCH_SLOW_SECONDS:-20}
sources=${BENCH_SOURCES:-0}
wrk_seconds=${BENCH_WRK_SECONDS:-10}
berth_java=${BERTH_JAVA:-java}
berth_opts=${BERTH_OPTS--Xmx256m}
berth_home=$(dirname "$(dirname "$(readlink -f "$(command -v "$berth_java")")")")
loadgen_java=${LOADGEN_JAVA:-java}
accept='application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'

work=$(mktemp -d "${BENCH_DIR:-/tmp}/berth-compare.XXXXXX")
work=$(cd "$work" && pwd)
mkdir -p "$work/logs"
pid=
cleanup() {
  [ -n "$pid" ] && stop_server
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# registry:2's stock /etc/docker/registry/config.yml, with deletes on (the push rounds delete the blob in between).
cat > "$work/config.yml" <<'EOF'
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
berth_config=${BERTH_CONFIG:-$work/config.yml}
dist_config=${DIST_CONFIG:-$work/config.yml}

# ---------------------------------------------------------------------------------------------------------- servers
declare -A R  # results: R[server.key]=value
servers=(berth dist)
declare -A NAME=([berth]=Berth [dist]=distribution)
port=
base=
berth_started=

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port found" >&2; return 1
}

start_server() { # berth|dist: starts it on its folder, sets pid, port, base
  local s=$1 log="$work/logs/$1.log" i from
  echo "--- start $(date +%T) ---" >> "$log"
  from=$(wc -l < "$log")
  if [ "$s" = berth ]; then
    if [ "${BERTH_LAUNCHER:-}" = 1 ]; then
      # exec's the JVM, so $pid is the server's; the first start records the archive (outside any timing: every
      # part waits for the start before it measures)
      REGISTRY_HTTP_ADDR=127.0.0.1:0 REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$work/berth" \
        JAVA_HOME="$berth_home" JAVA_OPTS="$berth_opts" BERTH_CACHE_DIR="$work/archive" \
        registry-server/bin/berth serve "$berth_config" >> "$log" 2>&1 &
    else
      # shellcheck disable=SC2086
      REGISTRY_HTTP_ADDR=127.0.0.1:0 REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$work/berth" \
        "$berth_java" $berth_opts -jar "$jar" serve "$berth_config" >> "$log" 2>&1 &
    fi
    pid=$!
    port=
    # up to 30 s; 3 minutes for a launcher that records its archive first
    for i in $(seq 1 "$( [ "${BERTH_LAUNCHER:-}" = 1 ] && [ -z "$berth_started" ] && echo 1800 || echo 300)"); do
      port=$(tail -n +"$from" "$log" | sed -n 's/.*Berth registry listening on http:\/\/[^ ]*:\([0-9][0-9]*\)\/.*/\1/p' \
        | head -n 1)
      [ -n "$port" ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    berth_started=1
  else
    port=$(free_port)
    REGISTRY_HTTP_ADDR=127.0.0.1:$port REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$work/dist" \
      docker-registry serve "$dist_config" >> "$log" 2>&1 &
    pid=$!
  fi
  base="http://127.0.0.1:$port"
  for i in $(seq 1 300); do
    # 200, or 401 when a configuration turns authentication on
    case $( [ -n "$port" ] && curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/v2/") in 200|401) return 0;; esac
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${NAME[$s]} did not start; the end of $log:" >&2; tail -n 20 "$log" >&2; exit 1
}

stop_server() { # TERM, then KILL after 15 s
  local i
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}

rss_mib() { awk -v k="$1:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
cpu_s() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$pid/stat"; }
mibps() { awk -v b="$1" -v t="$2" 'BEGIN { if (t + 0 > 0) printf "%.0f", b / 1048576 / t; else print "-" }'; }
median() { printf '%s\n' "$@" | grep -v '^-$' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR + 1) / 2)]; else print "-"}'; }

# ------------------------------------------------------------------------------------------------------------ blobs
echo "Berth vs distribution ($(docker-registry --version 2>/dev/null | awk '{print $NF}')) on $(nproc) cores;" \
  "store: $work ($(df -T "$work" | awk 'NR == 2 {print $2}')); Berth: $("$berth_java" -version 2>&1 | head -n 1)" \
  "${berth_opts:-(no flags)}$( [ "${BERTH_LAUNCHER:-}" = 1 ] && echo ", started by registry-server/bin/berth")"
echo "parts: ${parts[*]}; blob ${size_mib} MiB; herd ${herd_n} x ${herd_mib} MiB; slow ${slow_readers} readers +" \
  "${slow_uploaders} uploaders at ${slow_rate} B/s for ${slow_seconds} s; load generator's sources: $( [ "$sources" = 0 ] && echo "the kernel's choice" || echo "127.0.0.2..127.0.0.$sources")"

head -c "${herd_mib}M" /dev/urandom > "$work/small"
small_bytes=$(stat -c %s "$work/small")
small_digest="sha256:$(sha256sum "$work/small" | cut -d' ' -f1)"
if want raw || want transfer; then
  head -c "${size_mib}M" /dev/urandom > "$work/blob"
  bytes=$(stat -c %s "$work/blob")
  digest="sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)"
fi
printf '{"architecture":"amd64","os":"linux"}' > "$work/cfg.json"
cfg_digest="sha256:$(sha256sum "$work/cfg.json" | cut -d' ' -f1)"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
  "$cfg_digest" "$(stat -c %s "$work/cfg.json")" "$small_digest" "$small_bytes" > "$work/manifest.json"

# One push: POST for an upload URL, then PUT with every byte; prints the PUT's seconds, or - when it failed.
push() { # file digest
  local loc sep out
  loc=$(curl -sf --max-time 10 -D - -o /dev/null -X POST "$base/v2/bench/blobs/uploads/" | tr -d '\r' \
    | sed -n 's/^location: //Ip') || true
  [ -n "$loc" ] || { echo -; return; }
  case $loc in http*) ;; *) loc="$base$loc";; esac
  case $loc in *\?*) sep='&';; *) sep='?';; esac
  out=$(curl -s --max-time 600 -o /dev/null -w '%{http_code} %{time_total}' -X PUT -T "$1" -H 'Expect:' \
    -H 'Content-Type: application/octet-stream' "$loc${sep}digest=$2") || true
  case $out in 201\ *) echo "${out#* }";; *) echo "push of $1 answered '$out'" >&2; echo -;; esac
}
pull_java() { # digest expected-bytes n: n pulls on new connections by one Java reader; prints seconds each, or -
  local out
  out=$(timeout 900 "$loadgen_java" -cp "$classes" dev.berth.benchmarks.PullCeiling fetch "$base/v2/bench/blobs/$1" "$3" \
    "$work/blob" 2>&1) || true
  awk -v b="$2" -v n="$3" '$1 == 200 && $2 == b {print $3; k++} END {for (; k < n; k++) print "-"}' <<< "$out"
}
pull() { # digest expected-bytes: prints seconds, or -
  local out
  out=$(curl -s --max-time 600 -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
    "$base/v2/bench/blobs/$1") || true
  case $out in "200 $2 "*) echo "${out##* }";; *) echo "pull answered '$out'" >&2; echo -;; esac
}
delete_blob() { curl -sf --max-time 30 -o /dev/null -X DELETE "$base/v2/bench/blobs/$1" || true; }

seed() { # the herd blob, a config and a manifest tagged bench, for the manifest, herd and slow parts
  local t
  t=$(push "$work/small" "$small_digest"); [ "$t" != - ] || { echo "seeding failed" >&2; exit 1; }
  t=$(push "$work/cfg.json" "$cfg_digest"); [ "$t" != - ] || { echo "seeding failed" >&2; exit 1; }
  curl -sf --max-time 10 -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$work/manifest.json" "$base/v2/bench/manifests/bench" || { echo "seeding failed" >&2; exit 1; }
}
if want manifest || want herd || want slow; then
  for s in "${servers[@]}"; do start_server "$s"; seed; stop_server; done
fi

loadgen() { # scenario args...: runs the load generator, shows its output, leaves its RESULT line in $work/result
  local scenario=$1; shift
  timeout 900 "$loadgen_java" -cp "$classes" dev.berth.benchmarks.load.LoadGenerator "$scenario" --url "$base" \
    --repo bench --blob "$small_digest" --sources "$sources" "$@" 2>&1 | tee "$work/loadgen.out" | sed 's/^/  /' \
    || echo "  the load generator failed or timed out" 
  grep '^RESULT' "$work/loadgen.out" | tail -n 1 > "$work/result" || true
}
result() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$work/result"; } # a field of the last RESULT line, or nothing
sum_results() { # the sum of RESULT fields, or - when one is missing
  local f v n=0
  for f in "$@"; do v=$(result "$f"); case $v in ''|*[!0-9]*) echo -; return;; esac; n=$((n + v)); done
  echo "$n"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
dd_round() { # one dd of the blob with conv=fsync: prints MiB/s
  local t0 t1
  t0=$(date +%s.%N); dd if="$work/blob" of="$work/dd.out" bs=4M conv=fsync status=none; t1=$(date +%s.%N)
  rm -f "$work/dd.out"
  mibps "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')"
}

# -------------------------------------------------------------------------------------------------------------- raw
if want raw; then
  echo "== raw: dd of the ${size_mib} MiB blob (bs=4M conv=fsync), openssl speed -evp sha256"
  all=()
  for _ in $(seq "$rounds"); do all+=("$(dd_round)"); done
  R[raw.dd]=$(median "${all[@]}"); R[raw.dd_all]="${all[*]}"
  R[raw.sha]=$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null \
    | awk '$1 == "sha256" {v = $NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / 1e6}')
  echo "  dd ${R[raw.dd_all]} MiB/s; sha256 ${R[raw.sha]} MB/s"
fi

# --------------------------------------------------------------------------------------------------------- transfer
if want transfer; then
  echo "== transfer: the loopback ceiling of each client (a plain Java server, no registry), median of $rounds"
  out=$(timeout 900 "$loadgen_java" -cp "$classes" dev.berth.benchmarks.PullCeiling ceiling "$work/blob" "$rounds" \
    direct,sendfile 2>&1 || true)
  sed 's/^/  /' <<< "$out"
  for m in direct sendfile; do for c in curl java; do
    R[ceil.$m.$c]=$(awk -v m="$m" -v c="$c" '$1 == "server" && $2 == m && $4 == c {print $6}' <<< "$out")
  done; done
  for s in "${servers[@]}"; do
    echo "== transfer: ${NAME[$s]}, ${size_mib} MiB"
    start_server "$s"
    t=$(push "$work/blob" "$digest"); R[$s.push_cold]=$(mibps "$bytes" "$t"); delete_blob "$digest"
    for _ in $(seq "$warmups"); do push "$work/blob" "$digest" > /dev/null; delete_blob "$digest"; done
    all=(); dds=(); per=()
    for i in $(seq "$rounds"); do
      dd=$(dd_round)
      t=$(push "$work/blob" "$digest"); all+=("$(mibps "$bytes" "$t")")
      dds+=("$dd"); per+=("$(div "${all[-1]}" "$dd")")
      [ "$i" = "$rounds" ] || delete_blob "$digest"
    done
    R[$s.push_warm]=$(median "${all[@]}"); R[$s.push_all]="${all[*]}"
    R[$s.push_dd_all]="${dds[*]}"; R[$s.push_per_dd]="${per[*]}"; R[$s.push_per_dd_median]=$(median "${per[@]}")
    echo "  push: cold ${R[$s.push_cold]} MiB/s, warm ${all[*]} MiB/s (each after a dd round: ${dds[*]} MiB/s)"
    stop_server; start_server "$s"
    t=$(pull "$digest" "$bytes"); R[$s.pull_cold]=$(mibps "$bytes" "$t")
    for _ in $(seq "$warmups"); do pull "$digest" "$bytes" > /dev/null; done
    all=()
    for _ in $(seq "$rounds"); do t=$(pull "$digest" "$bytes"); all+=("$(mibps "$bytes" "$t")"); done
    R[$s.pull_warm]=$(median "${all[@]}"); R[$s.pull_all]="${all[*]}"
    echo "  pull with curl: cold ${R[$s.pull_cold]} MiB/s, warm ${all[*]} MiB/s"
    # The Java reader: one JVM for the cold pull, the warm-ups and the rounds, warmed up first on the blob file
    # through a server of its own, so that its cold pull is the registry's first after a start, not the reader's.
    stop_server; start_server "$s"
    mapfile -t ts < <(pull_java "$digest" "$bytes" $((1 + warmups + rounds)))
    R[$s.jpull_cold]=$(mibps "$bytes" "${ts[0]}")
    all=()
    for t in "${ts[@]:$((1 + warmups))}"; do all+=("$(mibps "$bytes" "$t")"); done
    R[$s.jpull_warm]=$(median "${all[@]}"); R[$s.jpull_all]="${all[*]}"
    echo "  pull with the Java reader: cold ${R[$s.jpull_cold]} MiB/s, warm ${all[*]} MiB/s"
    delete_blob "$digest"
    stop_server
  done
fi

# --------------------------------------------------------------------------------------------------------- manifest
if want manifest; then
  for s in "${servers[@]}"; do
    echo "== manifest: ${NAME[$s]}, 16 connections, ${wrk_seconds} s each"
    start_server "$s"
    url="$base/v2/bench/manifests/bench"
    timeout 60 wrk -t2 -c16 -d5s --timeout 2s -H "Accept: $accept" "$url" > /dev/null || true # warm-up
    timeout 60 ab -q -i -k -c16 -t 3 -n 100000000 "$base/v2/bench/blobs/$small_digest" > /dev/null 2>&1 || true
    out=$(timeout 120 wrk -t2 -c16 -d"${wrk_seconds}s" --timeout 2s -H "Accept: $accept" "$url" || true)
    R[$s.get]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
    R[$s.get_bad]=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {n += 1} END {print n + 0}' <<< "$out")
    out=$(timeout 120 ab -q -i -k -c16 -t "$wrk_seconds" -n 100000000 "$base/v2/bench/blobs/$small_digest" 2>&1 || true)
    R[$s.head]=$(awk '/Requests per second/ {printf "%.0f", $4}' <<< "$out")
    R[$s.head_bad]=$(awk '/^Failed requests/ {n += $3} /^Non-2xx/ {n += $3} END {print n + 0}' <<< "$out")
    echo "  GET manifest ${R[$s.get]:--} req/s (${R[$s.get_bad]} not 2xx or errors)," \
      "HEAD blob ${R[$s.head]:--} req/s (${R[$s.head_bad]} failed or not 2xx)"
    stop_server
  done
fi

# ------------------------------------------------------------------------------------------------------------- herd
if want herd; then
  for s in "${servers[@]}"; do
    echo "== herd: ${NAME[$s]}, ${herd_n} x ${herd_mib} MiB"
    start_server "$s"
    c0=$(cpu_s)
    loadgen herd --parallel "$herd_n" --size "$small_bytes" --timeout-seconds 180 --warmup 10
    c1=$(cpu_s)
    R[$s.herd_single]=$(result single_mibps); R[$s.herd]=$(result aggregate_mibps)
    R[$s.herd_done]="$(result completed)/$herd_n"; R[$s.herd_wall]=$(result wall_s)
    R[$s.herd_hwm]=$(rss_mib VmHWM); R[$s.herd_rss]=$(rss_mib VmRSS)
    R[$s.herd_cpu]=$(awk -v a="$c0" -v b="$c1" -v g="$(( (herd_n + 3 + 10) * small_bytes ))" \
      'BEGIN {printf "%.2f", (b - a) / (g / 1073741824)}')
    echo "  server: peak RSS ${R[$s.herd_hwm]} MiB, RSS after ${R[$s.herd_rss]} MiB," \
      "CPU ${R[$s.herd_cpu]} s per GiB served"
    stop_server
  done
fi

# ------------------------------------------------------------------------------------------------------------- slow
if want slow; then
  for s in "${servers[@]}"; do
    echo "== slow: ${NAME[$s]}"
    start_server "$s"
    # a warm-up of the manifest path, so that the well-behaved client's baseline is not the JIT's
    timeout 60 wrk -t1 -c4 -d3s --timeout 2s -H "Accept: $accept" "$base/v2/bench/manifests/bench" > /dev/null || true
    loadgen slow --readers "$slow_readers" --uploaders "$slow_uploaders" --rate "$slow_rate" \
      --seconds "$slow_seconds" --tag bench
    R[$s.slow_base]=$(result baseline_p50_ms); R[$s.slow_p50]=$(result normal_p50_ms)
    R[$s.slow_p99]=$(result normal_p99_ms)
    R[$s.slow_failed]="$(result normal_failed)/$(result normal_requests)"
    total=$((slow_readers + slow_uploaders))
    R[$s.slow_served]="$(sum_results readers_active uploaders_active)/$total"
    R[$s.slow_open]="$(sum_results readers_open uploaders_open)/$total"
    R[$s.slow_cut]=$(sum_results readers_cut uploaders_cut readers_refused uploaders_refused)
    R[$s.slow_rss]=$(rss_mib VmHWM)
    stop_server
  done
fi

# ------------------------------------------------------------------------------------------------------------ table
# ratio kinds: up (rates, Berth/dist), down (times, dist/Berth: >1 = Berth faster), cpu (dist/Berth: >1 = Berth
# uses less), mem (Berth/dist: >1 = Berth uses more)
ratio() {
  awk -v b="$1" -v d="$2" -v k="$3" 'function f(x) { return x >= 0.1 ? sprintf("%.2f", x) : sprintf("%.2g", x) }
  BEGIN {
    if (b !~ /^[0-9.]+$/ || d !~ /^[0-9.]+$/ || b + 0 == 0 || d + 0 == 0) { print ""; exit }
    if (k == "up") print f(b / d)
    else if (k == "down") print f(d / b) " (inverted: >1 = Berth faster)"
    else if (k == "cpu") print f(d / b) " (inverted: >1 = Berth uses less)"
    else if (k == "mem") print f(b / d) " (>1 = Berth uses more)"
  }'
}
row() { # label berth dist unit kind
  local b=${2:-} d=${3:-}
  b=${b:--}; d=${d:--}
  printf '%-44s %16s %16s   %s\n' "$1" "$b${4:+ $4}" "$d${4:+ $4}" "$( [ -n "${5:-}" ] && ratio "$b" "$d" "$5")"
}
echo
echo "=== Berth vs distribution: ${size_mib} MiB blob on $(df -T "$work" | awk 'NR == 2 {print $2}'), $(nproc) cores"
if want raw; then
  printf '%-44s %16s   rounds: %s\n' "raw: dd bs=4M conv=fsync (median)" "${R[raw.dd]} MiB/s" "${R[raw.dd_all]}"
  printf '%-44s %16s\n' "raw: openssl sha256, 16 KiB blocks" "${R[raw.sha]} MB/s"
fi
printf '%-44s %16s %16s   %s\n' "" Berth distribution "Berth/distribution"
if want transfer; then
  row "push in one request, cold" "${R[berth.push_cold]}" "${R[dist.push_cold]}" MiB/s up
  row "push in one request, warm (median of $rounds)" "${R[berth.push_warm]}" "${R[dist.push_warm]}" MiB/s up
  row "  rounds" "${R[berth.push_all]}" "${R[dist.push_all]}"
  row "  dd conv=fsync just before each round" "${R[berth.push_dd_all]}" "${R[dist.push_dd_all]}"
  row "  push / dd, per round" "${R[berth.push_per_dd]}" "${R[dist.push_per_dd]}"
  row "  push / dd, median of the rounds" "${R[berth.push_per_dd_median]}" "${R[dist.push_per_dd_median]}"
  printf '%-44s %16s   Java server -> curl, median (to sendfile: %s MiB/s)\n' "pull ceiling: direct buffer -> curl" \
    "${R[ceil.direct.curl]:--} MiB/s" "${R[ceil.sendfile.curl]:--}"
  printf '%-44s %16s   Java server -> Java reader (to sendfile: %s MiB/s)\n' "pull ceiling: direct buffer -> Java reader" \
    "${R[ceil.direct.java]:--} MiB/s" "${R[ceil.sendfile.java]:--}"
  row "pull with curl, cold" "${R[berth.pull_cold]}" "${R[dist.pull_cold]}" MiB/s up
  row "pull with curl, warm (median of $rounds)" "${R[berth.pull_warm]}" "${R[dist.pull_warm]}" MiB/s up
  row "  rounds" "${R[berth.pull_all]}" "${R[dist.pull_all]}"
  row "  warm / the curl ceiling (direct buffer)" "$(div "${R[berth.pull_warm]}" "${R[ceil.direct.curl]:-}")" \
    "$(div "${R[dist.pull_warm]}" "${R[ceil.direct.curl]:-}")"
  row "pull with the Java reader, cold" "${R[berth.jpull_cold]}" "${R[dist.jpull_cold]}" MiB/s up
  row "pull with the Java reader, warm (median)" "${R[berth.jpull_warm]}" "${R[dist.jpull_warm]}" MiB/s up
  row "  rounds" "${R[berth.jpull_all]}" "${R[dist.jpull_all]}"
  row "  warm / the reader's ceiling (direct)" "$(div "${R[berth.jpull_warm]}" "${R[ceil.direct.java]:-}")" \
    "$(div "${R[dist.jpull_warm]}" "${R[ceil.direct.java]:-}")"
fi
if want manifest; then
  row "GET manifest by tag, c=16 (wrk)" "${R[berth.get]}" "${R[dist.get]}" req/s up
  row "  not 2xx or socket errors" "${R[berth.get_bad]}" "${R[dist.get_bad]}"
  row "HEAD blob, c=16 (ab -i -k)" "${R[berth.head]}" "${R[dist.head]}" req/s up
  row "  failed or not 2xx" "${R[berth.head_bad]}" "${R[dist.head_bad]}"
fi
if want herd; then
  row "herd: single client pull" "${R[berth.herd_single]}" "${R[dist.herd_single]}" MiB/s up
  row "herd: $herd_n x $herd_mib MiB, aggregate" "${R[berth.herd]}" "${R[dist.herd]}" MiB/s up
  row "herd: aggregate / single client" "$(div "${R[berth.herd]}" "${R[berth.herd_single]}")" \
    "$(div "${R[dist.herd]}" "${R[dist.herd_single]}")"
  row "herd: complete" "${R[berth.herd_done]}" "${R[dist.herd_done]}"
  row "herd: wall time" "${R[berth.herd_wall]}" "${R[dist.herd_wall]}" s down
  row "herd: server peak RSS (VmHWM)" "${R[berth.herd_hwm]}" "${R[dist.herd_hwm]}" MiB mem
  row "herd: server RSS after (VmRSS)" "${R[berth.herd_rss]}" "${R[dist.herd_rss]}" MiB mem
  row "herd: server CPU per GiB served" "${R[berth.herd_cpu]}" "${R[dist.herd_cpu]}" s cpu
fi
if want slow; then
  row "slow: normal client alone, p50" "${R[berth.slow_base]}" "${R[dist.slow_base]}" ms down
  row "slow: normal client under load, p50" "${R[berth.slow_p50]}" "${R[dist.slow_p50]}" ms down
  row "slow: normal client under load, p99" "${R[berth.slow_p99]}" "${R[dist.slow_p99]}" ms down
  row "slow: normal client failed/requests" "${R[berth.slow_failed]}" "${R[dist.slow_failed]}"
  row "slow: slow transfers on schedule at the end" "${R[berth.slow_served]}" "${R[dist.slow_served]}"
  row "slow: slow connections still open" "${R[berth.slow_open]}" "${R[dist.slow_open]}"
  row "slow: cut or refused by the server" "${R[berth.slow_cut]}" "${R[dist.slow_cut]}"
  row "slow: server peak RSS (VmHWM)" "${R[berth.slow_rss]}" "${R[dist.slow_rss]}" MiB mem
fi
