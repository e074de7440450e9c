#!/usr/bin/env bash
# Interop with skopeo, a registry client nobody here wrote: copies a small OCI image into Berth (as OCI and as Docker
# schema2), inspects it, lists tags, copies it back out and deletes it, checking digests at each step.
# Needs: skopeo (Debian), the built server jar (mvn -B verify builds it). Fails loudly on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh

jar=registry-server/target/registry-server.jar
[ -f "$jar" ] || { echo "interop: $jar is missing; run 'mvn -B -DskipTests package' first" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "interop: skopeo is not installed (apt-get install -y skopeo)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "interop: FAILED: $*" >&2; echo "--- server log:" >&2; tail -n 30 "$work/server.log" >&2 || true; exit 1; }

# --- a small OCI image layout, written by hand
layout="$work/layout"
make_oci_layout "$layout" "hello from the berth interop test"

# --- the server, on a free port
java -jar "$jar" --port 0 --root "$work/data" > "$work/server.log" 2>&1 &
server_pid=$!
port=$(await_port "$work/server.log" "$server_pid") || fail "the server did not start or did not report its port"
reg="127.0.0.1:$port"
opts=(--src-tls-verify=false --dest-tls-verify=false)
echo "interop: Berth on $reg, skopeo $(skopeo --version | awk '{print $3}')"

# --- push as OCI: the manifest goes in byte for byte
skopeo copy "${opts[@]}" "oci:$layout:v1" "docker://$reg/interop/oci:v1" >/dev/null || fail "copy in (OCI)"
got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$reg/interop/oci:v1") || fail "inspect (OCI)"
[ "$got" = "sha256:$manifest" ] || fail "OCI manifest digest is $got, expected sha256:$manifest"
skopeo inspect --tls-verify=false --raw "docker://$reg/interop/oci:v1" | cmp -s - "$layout/blobs/sha256/$manifest" \
  || fail "the OCI manifest served differs from the one pushed"

# --- push as Docker schema2
skopeo copy "${opts[@]}" --format v2s2 "oci:$layout:v1" "docker://$reg/interop/docker:v1" >/dev/null || fail "copy in (v2s2)"
skopeo inspect --tls-verify=false --raw "docker://$reg/interop/docker:v1" > "$work/v2s2.json" || fail "inspect (v2s2)"
grep -q '"application/vnd.docker.distribution.manifest.v2+json"' "$work/v2s2.json" || fail "not a Docker schema2 manifest"
got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$reg/interop/docker:v1")
[ "$got" = "sha256:$(sha "$work/v2s2.json")" ] || fail "v2s2 digest $got does not match the manifest's bytes"

# --- tags, a second tag by copying between repositories (cross-repository mount)
skopeo copy "${opts[@]}" "docker://$reg/interop/oci:v1" "docker://$reg/interop/oci:v2" >/dev/null || fail "copy v1 to v2"
tags=$(skopeo list-tags --tls-verify=false "docker://$reg/interop/oci" | tr -d ' \n')
[ "$tags" = '{"Repository":"'"$reg"'/interop/oci","Tags":["v1","v2"]}' ] || fail "list-tags gave $tags"

# --- pull back out and compare every blob
skopeo copy "${opts[@]}" "docker://$reg/interop/oci:v1" "oci:$work/out:v1" >/dev/null || fail "copy out"
for b in "$layer" "$config" "$manifest"; do
  cmp -s "$layout/blobs/sha256/$b" "$work/out/blobs/sha256/$b" || fail "blob sha256:$b differs after the round trip"
done

# --- delete
skopeo delete --tls-verify=false "docker://$reg/interop/docker:v1" || fail "delete"
if skopeo inspect --tls-verify=false "docker://$reg/interop/docker:v1" >/dev/null 2>&1; then
  fail "the deleted image is still served"
fi

# --- the store is distribution's layout
[ -f "$work/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data" ] || fail "layer not at distribution's path"
[ -f "$work/data/docker/registry/v2/repositories/interop/oci/_manifests/tags/v1/current/link" ] || fail "tag link missing"

# --- README's push-and-pull-by-hand example, run as written (only the port differs), so it cannot rot
readme_example=$(awk '/^Then push and pull/ {found=1} found && /^```sh$/ {inside=1; next} inside && /^```$/ {exit} inside' README.md)
[ -n "$readme_example" ] || fail "README.md has no push-and-pull example after 'Then push and pull'"
pulled=$(cd "$work" && bash -euo pipefail -c "${readme_example//localhost:5000/$reg}" 2>&1) || fail "README's example failed: $pulled"
[ "$(printf %s "$pulled" | tail -c 5)" = hello ] || fail "README's example pulled '$pulled', not the blob it pushed"

echo "interop: skopeo round trip OK (OCI and v2s2 push, inspect, list-tags, mount, pull, delete) and README's curl example"

# --- offline garbage collection on the store the server wrote: the deleted v2s2 manifest's bytes and README's
# unreferenced demo blob go, the OCI image (whose config and layer the v2s2 one shared) stays whole
kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
server_pid=
printf 'version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %s}\n' "$work/data" > "$work/gc.yml"
v2s2=$(sha "$work/v2s2.json")
java -jar "$jar" garbage-collect "$work/gc.yml" --dry-run > "$work/gc-dry.txt" 2>&1 || fail "garbage-collect --dry-run: $(cat "$work/gc-dry.txt")"
grep -q "would delete blob sha256:$v2s2" "$work/gc-dry.txt" || fail "dry run does not list the deleted manifest: $(cat "$work/gc-dry.txt")"
[ -f "$work/data/docker/registry/v2/blobs/sha256/${v2s2:0:2}/$v2s2/data" ] || fail "the dry run deleted something"
java -jar "$jar" garbage-collect "$work/gc.yml" --delete-untagged > "$work/gc.txt" 2>&1 || fail "garbage-collect: $(cat "$work/gc.txt")"
grep -q "deleted blob sha256:$v2s2" "$work/gc.txt" || fail "garbage-collect kept the deleted manifest: $(cat "$work/gc.txt")"
grep -q "deleted blob sha256:$(printf hello | sha256sum | cut -d' ' -f1)" "$work/gc.txt" \
  || fail "garbage-collect kept the unreferenced blob: $(cat "$work/gc.txt")"
grep -q "deleted 0 manifests and 2 blobs" "$work/gc.txt" || fail "garbage-collect deleted more than it should: $(cat "$work/gc.txt")"
java -jar "$jar" --port 0 --root "$work/data" > "$work/server.log" 2>&1 &
server_pid=$!
port=$(await_port "$work/server.log" "$server_pid") || fail "the server did not restart after garbage-collect"
reg="127.0.0.1:$port"
rm -rf "$work/out"
skopeo copy "${opts[@]}" "docker://$reg/interop/oci:v2" "oci:$work/out:v2" >/dev/null || fail "copy out after garbage-collect"
for b in "$layer" "$config" "$manifest"; do
  cmp -s "$layout/blobs/sha256/$b" "$work/out/blobs/sha256/$b" || fail "blob sha256:$b differs after garbage-collect"
done
echo "interop: garbage-collect OK ($(tail -n 1 "$work/gc.txt"))"

# --- authentication: htpasswd, access rules and token auth, with skopeo again
kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
server_pid=
bash interop/skopeo-auth.sh
bash interop/skopeo-proxy.sh
