#!/usr/bin/env bash
# Makes what the image is built from, with nothing pulled from an image registry (run by the image module's Maven
# build at package, before Jib; see registry-image/README.md):
#
#   registry-image/build-root.sh JDK SERVER_JAR MODULES OUT [on|off]
#
#   OUT/base/berth-base.tar  the base image, in `docker save`'s format (Jib reads it as tar://...): a Java runtime
#                            jlinked from JDK with MODULES at /opt/java/openjdk (where eclipse-temurin images have
#                            theirs), the few glibc files it needs copied from this host, /etc/passwd and /etc/group
#                            with the user berth (65532), /tmp, and /var/lib/registry owned by berth
#   OUT/app/opt/berth/       registry-server.jar and berth.aot, the JVM's AOT cache (JEP 483/514) recorded by a
#                            training run of that runtime serving a few requests (not with off as the last argument)
#
# Every file gets the modification time 1 s after the epoch, which is also what Jib gives the files it adds: the
# JVM accepts the AOT cache only for a jar with the time it was recorded with, and the tars come out the same for the
# same inputs.
set -euo pipefail

jdk=$1 jar=$2 modules=$3 out=$(realpath -m "$4") aot=${5:-on}
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

# --- the application and its AOT cache: a training run of the image's own runtime with the jar at the same
# modification time (the JVM checks it), serving what a registry does at startup and on its first requests
app=$out/app/opt/berth
cp "$jar" "$app/registry-server.jar"
touch -d @1 "$app/registry-server.jar"
if [ "$aot" = off ]; then
  echo "build-root: runtime $(du -sh "$java_home" | cut -f1), base $(du -h "$base/berth-base.tar" | cut -f1), no AOT cache"
  exit 0
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
printf 'version: 0.1\nlog: {level: info}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp: {addr: "127.0.0.1:0"}\n' \
  "$work/data" > "$work/config.yml"
"$java_home/bin/java" "-XX:AOTCacheOutput=$app/berth.aot" -Xlog:aot=error -Xlog:cds=error \
  -jar "$app/registry-server.jar" serve "$work/config.yml" > "$work/log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\)\/v2\/.*/\1/p' "$work/log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; echo "build-root: the training run stopped" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/log" >&2; echo "build-root: the training run did not start in 60 s" >&2; exit 1; }
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
# 143: the JVM's exit status after SIGTERM (128 + 15), once its shutdown hooks and the cache are done
[ "$status" = 0 ] || [ "$status" = 143 ] || { cat "$work/log" >&2; echo "build-root: the training run did not stop cleanly" >&2; exit 1; }
pid=
[ -s "$app/berth.aot" ] || { cat "$work/log" >&2; echo "build-root: no AOT cache written" >&2; exit 1; }
touch -d @1 "$app/berth.aot"
echo "build-root: runtime $(du -sh "$java_home" | cut -f1), base $(du -h "$base/berth-base.tar" | cut -f1), AOT cache $(du -h "$app/berth.aot" | cut -f1)"
