#!/usr/bin/env bash
# Startup: the time from starting the process to the first 200 answer of GET /v2/, for Berth and for CNCF
# distribution (Debian's docker-registry), in one run. Prints a table with each median and its ratio to
# distribution's. Not a test: it prints numbers.
#
#   bash benchmarks/startup.sh
#
# Rows (each a fresh process on an empty temporary storage folder and a port of its own, every run):
#   berth-17          java -jar registry-server.jar on Java 17, no archive
#   berth-17-appcds   registry-server/bin/berth on Java 17: AppCDS, the archive made in the warm-up run
#   berth-25          java -jar on Java 25, no archive (the JVM's default CDS only)
#   berth-25-aot      registry-server/bin/berth on Java 25: the AOT cache, made in the warm-up run
#   distribution      docker-registry serve config.yml (Debian's docker-registry)
# With BENCH_BEFORE_JAR (another build's jar, e.g. an older commit's), each Berth row has a twin "before-<row>" that
# runs that jar, in the same turns: the fair before/after on a machine whose load changes from minute to minute;
# BENCH_BEFORE_LAUNCHER runs those twins with another launcher (e.g. an older commit's bin/berth, for a jar that
# predates the launcher's training run).
# Each row starts with BENCH_WARMUP runs that are not counted (the first makes the archive of an archive row: the
# launcher records it in its training run before it starts the server), then BENCH_RUNS timed runs; the rows take
# turns run by run, so that a busy moment of the machine hits them all alike. A run is timed from just before the process is started
# (date +%s%N) to curl's first 200, polled in a tight loop; the process is then stopped with SIGTERM and waited for.
# Environment:
#   BENCH_RUNS (11)  BENCH_WARMUP (1)  BENCH_ROWS   the rows to run, e.g. "berth-17 distribution" (default: all)
#   JAVA17_HOME (the java on PATH)     JAVA25_HOME (/usr/lib/jvm/temurin-25-jdk-amd64; absent: its rows are skipped)
#   BENCH_JAR         the jar Berth's rows run (registry-server/target/registry-server.jar), e.g. an older build's
#   BENCH_DIR (/tmp)  where the temporary folder goes: storage folders, config, archives and logs
#   BENCH_KEEP=1      keep that folder
# Needs: the built jar (mvn -B -q -DskipTests package), curl, docker-registry (sudo apt-get install docker-registry).
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${BENCH_JAR:-$PWD/registry-server/target/registry-server.jar}
launcher=$PWD/registry-server/bin/berth
before_launcher=${BENCH_BEFORE_LAUNCHER:-$launcher}
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }
runs=${BENCH_RUNS:-11}
warmups=${BENCH_WARMUP:-1}
java17_home=${JAVA17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
java25_home=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

all_rows=(berth-17 berth-17-appcds berth-25 berth-25-aot distribution)
if [ -n "${BENCH_ROWS:-}" ]; then read -r -a rows <<<"$BENCH_ROWS"; else rows=("${all_rows[@]}"); fi
before_jar=${BENCH_BEFORE_JAR:-}
if [ -n "$before_jar" ]; then
  twins=()
  for r in "${rows[@]}"; do twins+=("$r"); [ "$r" = distribution ] || twins+=("before-$r"); done
  rows=("${twins[@]}")
fi
usable=()
for r in "${rows[@]}"; do
  case ${r#before-} in
    berth-25*) [ -x "$java25_home/bin/java" ] || { echo "skipping $r: no Java 25 at $java25_home" >&2; continue; } ;;
    distribution) command -v docker-registry >/dev/null \
        || { echo "skipping $r: docker-registry is missing (sudo apt-get install -y docker-registry)" >&2; continue; } ;;
    berth-17*) ;;
    *) echo "unknown row '$r' (rows: ${all_rows[*]})" >&2; exit 2 ;;
  esac
  usable+=("$r")
done
rows=("${usable[@]}")

work=$(mktemp -d "${BENCH_DIR:-/tmp}/berth-startup.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/archives"
# distribution's minimal configuration; address and folder come from its environment at each start
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n' \
  >"$work/config.yml"

# A port of its own for every run, counting up; one that something listens on is skipped.
next_port=$(( 20000 + $$ % 20000 ))
free_port() {
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port=$next_port
  next_port=$((next_port + 1))
}

# start ROW PORT ROOT: starts the row's process in the background (its pid in $pid: the launcher execs java).
start() {
  local row=$1 port=$2 root=$3 cmd
  local berth=(--port "$port" --root "$root") row_jar=$jar row_launcher=$launcher
  case $row in before-*) row_jar=$before_jar row_launcher=$before_launcher ;; esac
  case ${row#before-} in
    berth-17) cmd=(env JAVA_HOME="$java17_home" BERTH_ARCHIVE=off) ;;
    berth-17-appcds) cmd=(env JAVA_HOME="$java17_home" BERTH_CACHE_DIR="$work/archives") ;;
    berth-25) cmd=(env JAVA_HOME="$java25_home" BERTH_ARCHIVE=off) ;;
    berth-25-aot) cmd=(env JAVA_HOME="$java25_home" BERTH_CACHE_DIR="$work/archives") ;;
    distribution) cmd=(env REGISTRY_HTTP_ADDR="127.0.0.1:$port" REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$root"
        docker-registry serve "$work/config.yml") ;;
  esac
  [ "$row" = distribution ] || cmd+=(BERTH_JAR="$row_jar" "$row_launcher" "${berth[@]}")
  "${cmd[@]}" >>"$work/$row.log" 2>&1 &
  pid=$!
}

# once ROW: one run; sets ms to the milliseconds from start to the first 200.
once() {
  local row=$1 root t0 t1
  free_port
  root=$(mktemp -d "$work/data.XXXXXX")
  t0=$(date +%s%N)
  start "$row" "$port" "$root"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$row exited before answering; its log, $work/$row.log, ends:" >&2
      tail -n 20 "$work/$row.log" >&2
      exit 1
    fi
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  rm -rf "$root"
  ms=$(( (t1 - t0) / 1000000 ))
}

declare -A times
for ((w = 0; w < warmups; w++)); do
  for r in "${rows[@]}"; do once "$r"; done
done
for ((i = 0; i < runs; i++)); do
  for r in "${rows[@]}"; do once "$r"; times[$r]+="$ms "; done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
range() { tr ' ' '\n' | grep . | sort -n | sed -n '1p;$p' | paste -sd- -; }
declare -A med
for r in "${rows[@]}"; do med[$r]=$(median <<<"${times[$r]}"); done
base=${med[distribution]:-}

echo
echo "startup to the first GET /v2/ 200: median of $runs runs after $warmups warm-up run(s), $(nproc) cores, $(date -u +%F)"
printf '%-24s %10s %14s %16s  %s\n' row "median ms" "range ms" "/ distribution" "java"
for r in "${rows[@]}"; do
  case ${r#before-} in berth-17*) v=$("$java17_home/bin/java" -version 2>&1 | head -n 1) ;;
             berth-25*) v=$("$java25_home/bin/java" -version 2>&1 | head -n 1) ;; *) v=- ;; esac
  ratio=-
  [ -n "$base" ] && ratio=$(awk -v a="${med[$r]}" -v b="$base" 'BEGIN {printf "%.1fx", a / b}')
  printf '%-24s %10s %14s %16s  %s\n' "$r" "${med[$r]}" "$(range <<<"${times[$r]}")" "$ratio" "$v"
done
