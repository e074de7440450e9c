#!/usr/bin/env bash
# The container image with a real Docker engine, used the way registry:2 is: a dockerd of its own (no systemd, no
# iptables, no bridge: containers use the host's network), the image loaded from the tar the build made, then
#   1. plain: docker run with the default command and a named volume; docker push of an image made with docker
#      import, rmi, pull; time to the first 200 of GET /v2/ inside the container; the JVM uses the class archive
#      baked into the image; SIGTERM drains, then the container exits with 0
#   2. --env-file with TLS and an htpasswd file mounted, the htpasswd path and http.secret through REGISTRY_*_FILE
#      variables: a push without the CA fails, with the CA in /etc/docker/certs.d/<name>:<port>/ca.crt docker login,
#      push, rmi, pull and logout work, and an anonymous pull is refused; the secret never appears in the log; a
#      missing secret file stops the container with a message naming the variable
#   3. garbage-collect as the container's command on the same volume frees a deleted image's layer and keeps the rest
# Needs: docker.io (dockerd and docker), openssl, htpasswd (apache2-utils), curl; the image tar (mvn -B -Pimage
# verify builds it at registry-image/target/berth-image.tar). Runs as root (dockerd, /etc/hosts, certs.d). Everything
# it starts and writes is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh

tar_file=registry-image/target/berth-image.tar
[ -f "$tar_file" ] || { echo "docker-image: $tar_file is missing; run 'mvn -B -Pimage verify' first" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "docker-image: dockerd is not installed (apt-get install -y docker.io)" >&2; exit 1; }
for c in openssl htpasswd curl; do
  command -v "$c" >/dev/null || { echo "docker-image: $c is not installed" >&2; exit 1; }
done
# Debian's client, the one that matches its daemon, when another docker is first on the PATH
docker_bin=$(command -v docker)
[ -x /usr/bin/docker ] && docker_bin=/usr/bin/docker
docker() { "$docker_bin" "$@"; }

work=$(mktemp -d /tmp/berth-docker.XXXXXX)
chmod 755 "$work"
name=berth-registry-$$.test # resolved by dockerd through /etc/hosts to ::1: not 127.0.0.0/8, which dockerd trusts
certs_d=
dockerd_pid=
cleanup() {
  set +e
  if [ -n "$dockerd_pid" ]; then
    docker ps -aq | xargs -r "$docker_bin" rm -f >/dev/null 2>&1
    kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
  fi
  [ -n "$certs_d" ] && rm -rf "$certs_d"
  sed -i "/ $name\$/d" /etc/hosts
  # what dockerd may have left mounted below its folders
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "docker-image: FAILED: $*" >&2
  for c in $(docker ps -aq 2>/dev/null); do echo "--- log of container $c:" >&2; docker logs --tail 20 "$c" >&2 2>&1; done
  echo "--- dockerd:" >&2; tail -n 15 "$work/dockerd.log" >&2 || true
  exit 1
}

# --- a Docker engine of our own
export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/client
mkdir -p "$DOCKER_CONFIG"
dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --data-root "$work/data" \
  --exec-root "$work/exec" --pidfile "$work/dockerd.pid" -H "$DOCKER_HOST" > "$work/dockerd.log" 2>&1 &
dockerd_pid=$!
# no event tells when the API is up: poll it, with a deadline
for _ in $(seq 1 300); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited"
  sleep 0.1
done
docker version >/dev/null 2>&1 || fail "dockerd did not answer within 30 s"
image=$(docker load -i "$tar_file" | sed -n 's/^Loaded image: //p')
[ -n "$image" ] || fail "docker load printed no image name"
label() { docker image inspect --format "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "$image"; }
echo "docker-image: dockerd $(docker version --format '{{.Server.Version}}'), $image," \
  "$(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1000000}') unpacked," \
  "revision $(label revision), created $(label created)"

# await_container_port CONTAINER: the port of its "listening on http(s)://HOST:PORT/v2/" line (waits up to 60 s)
await_container_port() {
  local port
  for _ in $(seq 1 600); do
    port=$(docker logs "$1" 2>&1 | sed -n 's/.*registry listening on https\{0,1\}:\/\/.*:\([0-9]*\)\/v2\/.*/\1/p' | head -n 1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    [ "$(docker inspect --format '{{.State.Running}}' "$1")" = true ] || return 1
    sleep 0.1
  done
  return 1
}

# a one-layer image of our own, made without any registry: docker import of a tar
mkdir -p "$work/rootfs" && printf 'hello from the berth docker test\n' > "$work/rootfs/hello.txt"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" hello.txt
docker import "$work/rootfs.tar" berth-test/hello:v1 >/dev/null || fail "docker import"
printf 'a second image\n' > "$work/rootfs/other.txt"
tar -C "$work/rootfs" -cf "$work/other.tar" other.txt
docker import "$work/other.tar" berth-test/other:v1 >/dev/null || fail "docker import (second)"

# === 1. plain, as `docker run -d -p 5000:5000 -v data:/var/lib/registry registry:2` (host network, another port)
docker volume create berth-data >/dev/null
start=$(date +%s%N)
docker run -d --name plain --network host -v berth-data:/var/lib/registry -e REGISTRY_HTTP_ADDR=127.0.0.1:0 \
  "$image" >/dev/null || fail "docker run (plain)"
port=$(await_container_port plain) || fail "the plain container did not start"
until curl -fs -o /dev/null "http://127.0.0.1:$port/v2/"; do sleep 0.01; done
first_200=$(date +%s%N)
# from docker run, and from the container's start (its process launched) to the first 200
first_200_ms=$(( (first_200 - start) / 1000000 ))
in_container_ms=$(( (first_200 - $(date -d "$(docker inspect --format '{{.State.StartedAt}}' plain)" +%s%N)) / 1000000 ))
reg=127.0.0.1:$port
docker tag berth-test/hello:v1 "$reg/demo/hello:v1"
docker push "$reg/demo/hello:v1" >/dev/null || fail "docker push (plain)"
pushed=$(docker image inspect --format '{{index .RepoDigests 0}}' "$reg/demo/hello:v1")
docker rmi "$reg/demo/hello:v1" >/dev/null
docker pull "$reg/demo/hello:v1" >/dev/null || fail "docker pull (plain)"
[ "$(docker image inspect --format '{{index .RepoDigests 0}}' "$reg/demo/hello:v1")" = "$pushed" ] \
  || fail "the pulled image's digest differs from the pushed one"
# the data is in distribution's layout in the volume, written by the image's non-root user
vol=$(docker volume inspect --format '{{.Mountpoint}}' berth-data)
[ -f "$vol/docker/registry/v2/repositories/demo/hello/_manifests/tags/v1/current/link" ] || fail "no tag link in the volume"
[ "$(stat -c %u "$vol/docker")" = 65532 ] || fail "the volume's data is not owned by the image's user 65532"
stop_start=$(date +%s%N)
docker stop plain >/dev/null
stop_ms=$(( ($(date +%s%N) - stop_start) / 1000000 ))
docker logs plain 2>&1 | grep -q "stopping: finishing requests in flight" || fail "SIGTERM did not drain"
docker logs plain 2>&1 | grep -q "stopped" || fail "the server did not say it stopped"
[ "$(docker inspect --format '{{.State.ExitCode}}' plain)" = 0 ] \
  || fail "docker stop: the container exited with $(docker inspect --format '{{.State.ExitCode}}' plain), not 0"
# the class archive the entrypoint names (CDS or AOT cache) is the one the JVM maps: Berth's classes come from it
archive_flag=$(docker image inspect --format '{{json .Config.Entrypoint}}' "$image" | grep -o '"-XX:[A-Za-z]*\(Archive\|AOT\)[A-Za-z]*=[^"]*"' | tr -d '"')
if [ -n "$archive_flag" ]; then
  docker run --rm --entrypoint /opt/java/openjdk/bin/java "$image" "$archive_flag" -Xlog:class+load=info \
    -jar /opt/berth/registry-server.jar --version > "$work/class-load.txt" 2>&1 || fail "java $archive_flag --version"
  grep -q "dev.berth.server.Main source: shared objects file" "$work/class-load.txt" \
    || fail "the JVM does not use the image's class archive ($archive_flag): $(grep -i 'warn\|error' "$work/class-load.txt" | head -n 3)"
  archive_note=", classes from $archive_flag"
else
  archive_note=", no class archive"
fi
echo "docker-image: plain OK (push, rmi, pull; first 200 of GET /v2/ ${in_container_ms} ms after the container" \
  "started, ${first_200_ms} ms after docker run${archive_note}; docker stop ${stop_ms} ms, exit status 0)"

# === 2. TLS and htpasswd through --env-file, secrets through *_FILE, under a name that is not loopback IPv4
echo "::1 $name" >> /etc/hosts
pki=$work/pki secrets=$work/secrets
mkdir -p "$pki" "$secrets"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Berth test CA" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
  -keyout "$pki/registry.key" -out "$pki/registry.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$name" > "$pki/san.ext"
openssl x509 -req -in "$pki/registry.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
  -extfile "$pki/san.ext" -out "$pki/registry.crt" 2>/dev/null
htpasswd -Bbc "$secrets/htpasswd" builder 'pass word!' 2>/dev/null
printf '/run/secrets/htpasswd\n' > "$secrets/htpasswd-path"
http_secret=never-in-the-log-$RANDOM$RANDOM
printf '%s\n' "$http_secret" > "$secrets/http-secret"
chmod 755 "$pki" "$secrets" && chmod 644 "$pki"/* "$secrets"/*
cat > "$work/registry.env" <<ENV
REGISTRY_HTTP_ADDR=[::1]:0
REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt
REGISTRY_HTTP_TLS_KEY=/certs/registry.key
REGISTRY_HTTP_SECRET_FILE=/run/secrets/http-secret
REGISTRY_AUTH_HTPASSWD_REALM=Berth
REGISTRY_AUTH_HTPASSWD_PATH_FILE=/run/secrets/htpasswd-path
REGISTRY_STORAGE_DELETE_ENABLED=true
REGISTRY_LOG_LEVEL=debug
ENV
run_tls() {
  docker run -d --name "$1" --network host -v berth-data:/var/lib/registry --env-file "$work/registry.env" \
    -v "$pki:/certs:ro" -v "$secrets:/run/secrets:ro" "${@:2}" "$image" >/dev/null
}
run_tls tls || fail "docker run (TLS)"
port=$(await_container_port tls) || fail "the TLS container did not start"
reg=$name:$port
docker tag berth-test/hello:v1 "$reg/team/hello:v1"
docker tag berth-test/other:v1 "$reg/team/other:v1"
if docker push "$reg/team/hello:v1" > "$work/untrusted.txt" 2>&1; then
  fail "the push succeeded without the CA: dockerd did not verify the certificate"
fi
grep -qi "x509\|certificate" "$work/untrusted.txt" || fail "the push without the CA failed, not on the certificate: $(cat "$work/untrusted.txt")"
certs_d=/etc/docker/certs.d/$reg
mkdir -p "$certs_d" && cp "$pki/ca.crt" "$certs_d/ca.crt"
if docker push "$reg/team/hello:v1" > "$work/anonymous-push.txt" 2>&1; then fail "an anonymous push was accepted"; fi
printf 'pass word!' | docker login -u builder --password-stdin "$reg" >/dev/null 2>&1 || fail "docker login"
docker push "$reg/team/hello:v1" >/dev/null || fail "docker push (TLS)"
docker push "$reg/team/other:v1" >/dev/null || fail "docker push (TLS, second image)"
pushed=$(docker image inspect --format '{{index .RepoDigests 0}}' "$reg/team/hello:v1")
docker rmi "$reg/team/hello:v1" >/dev/null
docker pull "$reg/team/hello:v1" >/dev/null || fail "docker pull (TLS)"
[ "$(docker image inspect --format '{{index .RepoDigests 0}}' "$reg/team/hello:v1")" = "$pushed" ] \
  || fail "the image pulled over TLS differs from the one pushed"
docker logout "$reg" >/dev/null
docker rmi "$reg/team/hello:v1" >/dev/null
if docker pull "$reg/team/hello:v1" > "$work/anonymous.txt" 2>&1; then fail "an anonymous pull was allowed"; fi
grep -qi "unauthorized\|no basic auth\|authentication required" "$work/anonymous.txt" \
  || fail "the anonymous pull failed for another reason: $(cat "$work/anonymous.txt")"
# the other image's manifest deleted through the API, for the garbage collection below; the layers as pushed
api() { curl -fsS --cacert "$pki/ca.crt" -u 'builder:pass word!' "$@"; }
accept='Accept: application/vnd.docker.distribution.manifest.v2+json'
layer_of() { api -H "$accept" "https://$reg/v2/team/$1/manifests/v1" | grep -o '"digest": *"sha256:[0-9a-f]*"' | tail -n 1 | grep -o '[0-9a-f]\{64\}'; }
other_layer=$(layer_of other) && hello_layer=$(layer_of hello) || fail "reading the pushed manifests"
other=$(docker image inspect --format '{{index .RepoDigests 0}}' "$reg/team/other:v1"); other=${other#*@}
api -X DELETE "https://$reg/v2/team/other/manifests/$other" || fail "deleting the second image's manifest"
docker stop tls >/dev/null
docker logs tls > "$work/tls.log" 2>&1
grep -q "$http_secret" "$work/tls.log" && fail "the secret read from REGISTRY_HTTP_SECRET_FILE is in the log"
grep -q "stopped" "$work/tls.log" || fail "the TLS server did not drain on SIGTERM"
[ "$(docker inspect --format '{{.State.ExitCode}}' tls)" = 0 ] || fail "the TLS container did not exit with 0 on SIGTERM"
# a secret file that is missing stops the start with a message naming the variable
run_tls missing -e REGISTRY_HTTP_SECRET_FILE=/run/secrets/not-there || fail "docker run (missing secret)"
[ "$(docker wait missing)" = 2 ] || fail "a missing secret file did not stop the server with exit code 2"
docker logs missing 2>&1 | grep -q "REGISTRY_HTTP_SECRET_FILE names /run/secrets/not-there, which does not exist" \
  || fail "the error does not name the variable: $(docker logs missing 2>&1 | tail -n 3)"
echo "docker-image: TLS + htpasswd OK (no CA: refused; login, push, rmi, pull, logout; anonymous pull refused;" \
  "*_FILE secrets kept out of the log; a missing one named)"

# === 3. garbage-collect as the container's command, on the same volume
docker run --name gc --network host -v berth-data:/var/lib/registry "$image" \
  garbage-collect /etc/docker/registry/config.yml > "$work/gc.txt" 2>&1 || fail "garbage-collect: $(cat "$work/gc.txt")"
grep -q "deleted blob sha256:$other_layer" "$work/gc.txt" || fail "garbage-collect kept the deleted image's layer: $(cat "$work/gc.txt")"
[ -f "$vol/docker/registry/v2/blobs/sha256/${hello_layer:0:2}/$hello_layer/data" ] || fail "garbage-collect deleted a layer in use"
docker rm -f gc >/dev/null
docker run -d --name after-gc --network host -v berth-data:/var/lib/registry -e REGISTRY_HTTP_ADDR=127.0.0.1:0 \
  "$image" >/dev/null
port=$(await_container_port after-gc) || fail "the server did not start after garbage-collect"
docker pull "127.0.0.1:$port/team/hello:v1" >/dev/null || fail "pull after garbage-collect"
echo "docker-image: garbage-collect OK ($(tail -n 1 "$work/gc.txt"))"
