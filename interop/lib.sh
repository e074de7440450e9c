# shellcheck shell=bash
# Shared by the interop scripts: a small OCI image written by hand, and waiting for the server's ready line.

sha() { sha256sum "$1" | cut -d' ' -f1; }

# make_oci_layout DIR TEXT: a one-layer OCI image layout in DIR, tagged v1, whose layer holds hello.txt with TEXT.
# Sets layer, config and manifest to the hex digests of its blobs; the manifest's bytes are
# DIR/blobs/sha256/$manifest.
make_oci_layout() {
  local dir=$1 text=$2 scratch
  scratch=$(mktemp -d)
  mkdir -p "$dir/blobs/sha256" "$scratch/rootfs"
  printf '%s\n' "$text" > "$scratch/rootfs/hello.txt"
  tar -C "$scratch/rootfs" -cf - hello.txt | gzip -n > "$scratch/layer.tar.gz"
  local diff_id; diff_id=$(tar -C "$scratch/rootfs" -cf - hello.txt | sha256sum | cut -d' ' -f1)
  layer=$(sha "$scratch/layer.tar.gz"); cp "$scratch/layer.tar.gz" "$dir/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/hello.txt"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diff_id" > "$scratch/config.json"
  config=$(sha "$scratch/config.json"); cp "$scratch/config.json" "$dir/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
    "$config" "$(stat -c %s "$scratch/config.json")" "$layer" "$(stat -c %s "$scratch/layer.tar.gz")" > "$scratch/manifest.json"
  manifest=$(sha "$scratch/manifest.json"); cp "$scratch/manifest.json" "$dir/blobs/sha256/$manifest"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
    "$manifest" "$(stat -c %s "$scratch/manifest.json")" > "$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  rm -rf "$scratch"
}

# await_port LOG PID: prints the port of the server's "listening on http://HOST:PORT/v2/" line, waiting up to 10 s;
# fails when the process exits first or the line does not come.
await_port() {
  local log=$1 pid=$2 port
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\)\/v2\/.*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
