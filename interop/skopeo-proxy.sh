#!/usr/bin/env bash
# Interop of Berth's pull-through cache with skopeo: an upstream Berth behind htpasswd basic auth, a mirror Berth
# with proxy.upstreams pointing at it (with credentials); skopeo pulls through the mirror anonymously, then again
# with the upstream stopped (served from the mirror's storage), pushes to a local repository of the mirror, and is
# refused pushing into the mirrored prefix. Run by interop/skopeo.sh. Needs skopeo, htpasswd, curl, the server jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh

jar=registry-server/target/registry-server.jar
[ -f "$jar" ] || { echo "interop: $jar is missing; run 'mvn -B -DskipTests package' first" >&2; exit 1; }
work=$(mktemp -d)
upstream_pid=
mirror_pid=
cleanup() {
  for p in "$upstream_pid" "$mirror_pid"; do
    [ -n "$p" ] && { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "interop-proxy: FAILED: $*" >&2
  for l in upstream mirror; do echo "--- $l log:" >&2; tail -n 20 "$work/$l.log" >&2 || true; done
  exit 1
}

layout="$work/layout"
make_oci_layout "$layout" "hello from the berth pull-through interop test"
opts=(--src-tls-verify=false --dest-tls-verify=false)
htpasswd -cbB "$work/htpasswd" mirror mirror-secret 2>/dev/null

# --- the upstream: basic auth, the mirror user may pull and push
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.1:0"}\nauth: {htpasswd: {realm: upstream, path: %s}}\n' \
  "$work/upstream-data" "$work/htpasswd" > "$work/upstream.yml"
java -jar "$jar" serve "$work/upstream.yml" > "$work/upstream.log" 2>&1 &
upstream_pid=$!
up=127.0.0.1:$(await_port "$work/upstream.log" "$upstream_pid") || fail "the upstream did not start"
skopeo copy "${opts[@]}" --dest-creds mirror:mirror-secret "oci:$layout:v1" "docker://$up/interop/app:v1" >/dev/null \
  || fail "push to the upstream"

# --- the mirror: up/* comes from the upstream, everything else is local
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.1:0"}\nproxy:\n  upstreams:\n    - {prefix: up, remoteurl: "http://%s", username: mirror, password: mirror-secret, ttl: 1s}\n' \
  "$work/mirror-data" "$up" > "$work/mirror.yml"
java -jar "$jar" serve "$work/mirror.yml" > "$work/mirror.log" 2>&1 &
mirror_pid=$!
mirror=127.0.0.1:$(await_port "$work/mirror.log" "$mirror_pid") || fail "the mirror did not start"
echo "interop-proxy: upstream on $up (basic auth), mirror on $mirror"

got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$mirror/up/interop/app:v1") || fail "inspect through the mirror"
[ "$got" = "sha256:$manifest" ] || fail "the mirror served manifest $got, expected sha256:$manifest"
skopeo copy "${opts[@]}" "docker://$mirror/up/interop/app:v1" "oci:$work/out:v1" >/dev/null || fail "pull through the mirror"
for b in "$layer" "$config" "$manifest"; do
  cmp -s "$layout/blobs/sha256/$b" "$work/out/blobs/sha256/$b" || fail "blob sha256:$b differs after pulling through"
  [ -f "$work/mirror-data/docker/registry/v2/blobs/sha256/${b:0:2}/$b/data" ] || fail "the mirror did not store sha256:$b"
done

# --- the upstream goes away: cached content is still served, the stale tag included (ttl 1s)
kill "$upstream_pid"; wait "$upstream_pid" 2>/dev/null || true; upstream_pid=
sleep 1.2
rm -rf "$work/out"
skopeo copy "${opts[@]}" "docker://$mirror/up/interop/app:v1" "oci:$work/out:v1" >/dev/null || fail "pull from the mirror with the upstream down"
cmp -s "$layout/blobs/sha256/$layer" "$work/out/blobs/sha256/$layer" || fail "layer differs when served from the cache"
grep -q 'serving up/interop/app:v1 as cached' "$work/mirror.log" || fail "the mirror did not log serving a stale tag"

# --- local pushes beside the mirrored prefix; none into it
skopeo copy "${opts[@]}" "oci:$layout:v1" "docker://$mirror/local/app:v1" >/dev/null || fail "push to a local repository of the mirror"
if skopeo copy "${opts[@]}" "oci:$layout:v1" "docker://$mirror/up/interop/pushed:v1" > "$work/refused.txt" 2>&1; then
  fail "a push into the mirrored prefix was accepted"
fi
echo "interop-proxy: skopeo pull through the mirror (token-less basic upstream), served with the upstream down, local push OK"
