#!/usr/bin/env bash
# Makes what the image is built from, with nothing pulled from an image registry (run by the image module's Maven
# build at package, before Jib; see registry-image/README.md):
#
#   registry-image/build-root.sh JDK SERVER_JAR MODULES OUT [cds|aot|off] [CLASSLIST]
#   registry-image/build-root.sh --check-archive OUT CLASSLIST
#
#   OUT/base/berth-base.tar  the base image, in `docker save`'s format (Jib reads it as tar://...): a Java runtime
#                            jlinked from JDK with MODULES at /opt/java/openjdk (where eclipse-temurin images have
#                            theirs), the few glibc files it needs copied from this host, /etc/passwd and /etc/group
#                            with the user berth (65532), /tmp, and /var/lib/registry owned by berth
#   OUT/app/opt/berth/       registry-server.jar, and the JVM's archive of the server's classes:
#                            cds (the default): berth.jsa, a static CDS archive (-Xshare:dump) of the classes in
#                              CLASSLIST (committed, written by record-classlist.sh); the same bytes for the same
#                              inputs, so the image is reproducible
#                            aot: berth.aot, Java 25's AOT cache (JEP 483/514) recorded by a training run
#                              (training-run.sh); starts faster, but differs on every build
#                            off: none
#
# --check-archive dumps the CDS archive again, from the same runtime, jar and class list, and fails unless it has the
# same bytes as OUT/app/opt/berth/berth.jsa (run at verify: the one part of the image a JVM writes).
#
# Every file gets the modification time 1 s after the epoch, which is also what Jib gives the files it adds: the
# JVM accepts an archive only for a jar (and runtime) with the time it was made with, and the tars come out the same
# for the same inputs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# The archive holds the jar's path as it was at dump time (the JVM then accepts the jar at another path with the same
# name, /opt/berth/ in the image): the dump takes the jar from this fixed path, so that the archive does not depend on
# where the checkout is. Builds on this host take turns (flock), each removing the copy when done.
cds_dir=/tmp/berth-image-cds

# dump_cds JAVA_HOME JAR CLASSLIST ARCHIVE: the static CDS archive of the classes in CLASSLIST. The archived heap
# objects depend on the dumping JVM's collector and maximum heap, which it otherwise chooses from the host's processors
# and memory (SerialGC on one processor, a quarter of the RAM): both are fixed, so that any host dumps the same bytes.
# Its output is kept short: how many entries of the list this jar no longer has (the list is then out of date).
dump_cds() {
  local log stale status=0
  log=$(mktemp)
  flock "$cds_dir.lock" bash -c '
    set -e
    rm -rf "$1" && mkdir -p "$1" && cp "$3" "$1/registry-server.jar" && touch -d @1 "$1/registry-server.jar"
    status=0
    "$2/bin/java" -Xshare:dump -XX:+UseG1GC -Xmx4g "-XX:SharedClassListFile=$4" "-XX:SharedArchiveFile=$5" \
      -Xlog:cds=warning -cp "$1/registry-server.jar" || status=$?
    rm -rf "$1"
    exit $status' dump "$cds_dir" "$1" "$2" "$(realpath "$3")" "$(realpath -m "$4")" > "$log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    cat "$log" >&2; rm -f "$log"
    echo "build-root: the CDS dump failed" >&2
    return 1
  fi
  stale=$(grep -c 'Cannot find\|out-of-date' "$log" || true)
  rm -f "$log"
  touch -d @1 "$4"
  if [ "$stale" != 0 ]; then
    echo "build-root: $stale entries of $3 are not in the jar any more: run registry-image/record-classlist.sh" >&2
  fi
}

if [ "${1:-}" = --check-archive ]; then
  out=$(realpath -m "$2") classlist=$3
  app=$out/app/opt/berth
  [ -f "$app/berth.jsa" ] || { echo "build-root: no CDS archive to check (berth.image.archive is not cds)"; exit 0; }
  again=$(mktemp -d)
  trap 'rm -rf "$again"' EXIT
  dump_cds "$out/base/root/opt/java/openjdk" "$app/registry-server.jar" "$classlist" "$again/berth.jsa"
  cmp -s "$app/berth.jsa" "$again/berth.jsa" || {
    echo "build-root: the CDS archive is not reproducible: a second dump differs in $(cmp -l "$app/berth.jsa" \
      "$again/berth.jsa" 2>/dev/null | wc -l) bytes" >&2
    exit 1
  }
  echo "build-root: the CDS archive dumped again has the same bytes ($(sha256sum "$app/berth.jsa" | cut -c1-16)...)"
  exit 0
fi

jdk=$1 jar=$2 modules=$3 out=$(realpath -m "$4") archive=${5:-cds} classlist=${6:-$here/src/main/cds/berth.classlist}
case $archive in cds | aot | off) ;; *) echo "build-root: berth.image.archive is cds, aot or off, not $archive" >&2; exit 1 ;; esac
[ -x "$jdk/bin/jlink" ] || { echo "build-root: no jlink in $jdk (set berth.image.jdk to a JDK 25)" >&2; exit 1; }
[ -f "$jar" ] || { echo "build-root: no $jar (build registry-server first: mvn -B -Pimage package at the root)" >&2; exit 1; }

rm -rf "$out/base" "$out/app"
# Jib wants the module's (empty) class output folder to exist
mkdir -p "$out/classes"
root=$out/base/root
java_home=$root/opt/java/openjdk
mkdir -p "$root/opt/java" "$out/app/opt/berth"

# --- the runtime: only the modules the server uses (jdeps --print-module-deps on the jar), no debug symbols
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --output "$java_home"

# --- the C library the JVM links against (ldd of its binaries: libc, libm, libdl, libpthread, librt and the loader),
# laid out as on Debian (merged /usr: /lib and /lib64 are links)
lib=$root/usr/lib/x86_64-linux-gnu
mkdir -p "$lib" "$root/usr/lib64"
for f in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 ld-linux-x86-64.so.2; do
  src=/usr/lib/x86_64-linux-gnu/$f
  [ -e "$src" ] || src=/lib/x86_64-linux-gnu/$f
  [ -e "$src" ] || { echo "build-root: $f not found on this host" >&2; exit 1; }
  cp -L "$src" "$lib/$f"
done
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
# the JVM checks that the libraries' folder exists before it loads a library by name
mkdir -p "$root/usr/bin" "$root/bin" "$root/etc" "$root/tmp" "$root/var/lib/registry" "$root/etc/docker/registry"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nberth:x:65532:65532:berth:/var/lib/registry:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nberth:x:65532:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
find "$root" -exec touch -h -d @1 {} +

# --- the base image: one layer, everything root's but the data folder, which is berth's (a volume created from the
# image inherits it, so the non-root server can write there)
tar_opts=(--format=gnu --mtime=@1 --numeric-owner)
base=$out/base
tar --create --file "$base/layer.tar" "${tar_opts[@]}" --sort=name --owner=0 --group=0 \
  --exclude=./var/lib/registry -C "$root" .
tar --append --file "$base/layer.tar" "${tar_opts[@]}" --owner=65532 --group=65532 --no-recursion \
  -C "$root" ./var/lib/registry
diff_id=sha256:$(sha256sum "$base/layer.tar" | cut -d' ' -f1)
cat > "$base/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:01Z",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk"],"User":"65532:65532"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:01Z","created_by":"registry-image/build-root.sh: jlink $modules"}]}
JSON
printf '[{"Config":"config.json","RepoTags":["berth-base:local"],"Layers":["layer.tar"]}]\n' > "$base/manifest.json"
touch -d @1 "$base/layer.tar" "$base/config.json" "$base/manifest.json"
tar --create --file "$base/berth-base.tar" "${tar_opts[@]}" --owner=0 --group=0 -C "$base" \
  manifest.json config.json layer.tar
rm "$base/layer.tar"

# --- the application and its archive, made by the image's own runtime with the jar at the same modification time
# (the JVM checks it)
app=$out/app/opt/berth
cp "$jar" "$app/registry-server.jar"
touch -d @1 "$app/registry-server.jar"
sizes="runtime $(du -sh "$java_home" | cut -f1), base $(du -h "$base/berth-base.tar" | cut -f1)"
case $archive in
  off)
    echo "build-root: $sizes, no class archive"
    ;;
  cds)
    [ -f "$classlist" ] || { echo "build-root: no class list $classlist" >&2; exit 1; }
    dump_cds "$java_home" "$app/registry-server.jar" "$classlist" "$app/berth.jsa"
    echo "build-root: $sizes, CDS archive $(du -h "$app/berth.jsa" | cut -f1)"
    ;;
  aot)
    # a training run records the AOT cache (Java 25's one-step workflow: written when the JVM exits)
    "$here/training-run.sh" "$java_home/bin/java" "$app/registry-server.jar" "-XX:AOTCacheOutput=$app/berth.aot" \
      -Xlog:aot=error -Xlog:cds=error
    [ -s "$app/berth.aot" ] || { echo "build-root: no AOT cache written" >&2; exit 1; }
    touch -d @1 "$app/berth.aot"
    echo "build-root: $sizes, AOT cache $(du -h "$app/berth.aot" | cut -f1)"
    ;;
esac
