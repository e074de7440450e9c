#!/usr/bin/env bash
# Interop of Berth's authentication with skopeo, a client nobody here wrote: basic auth from an htpasswd file that
# the real htpasswd binary writes (bcrypt, apr1, SHA-1), the login flow (401 on /v2/, then 200 with credentials),
# per-repository access rules, and Docker token auth with Berth's built-in token issuer. Run by interop/skopeo.sh.
# Needs: skopeo and htpasswd (Debian: skopeo, apache2-utils), the built server jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. interop/lib.sh

jar=registry-server/target/registry-server.jar
[ -f "$jar" ] || { echo "interop: $jar is missing; run 'mvn -B -DskipTests package' first" >&2; exit 1; }
for tool in skopeo htpasswd curl; do
  command -v $tool >/dev/null || { echo "interop: $tool is missing (apt-get install -y skopeo apache2-utils curl)" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "interop-auth: FAILED: $*" >&2; echo "--- server log:" >&2; tail -n 30 "$work/server.log" >&2 || true; exit 1; }
start_server() { # config file; sets server_pid and reg
  java -jar "$jar" serve "$1" > "$work/server.log" 2>&1 &
  server_pid=$!
  local port
  port=$(await_port "$work/server.log" "$server_pid") || fail "the server did not start or did not report its port"
  reg="127.0.0.1:$port"
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- users, each in another format htpasswd writes
htpasswd -cbB "$work/htpasswd" alice alice-secret 2>/dev/null   # bcrypt
htpasswd -bm "$work/htpasswd" bob bob-secret 2>/dev/null        # apr1 MD5
htpasswd -bs "$work/htpasswd" carol carol-secret 2>/dev/null    # {SHA}
grep -q '^alice:\$2y\$' "$work/htpasswd" && grep -q '^bob:\$apr1\$' "$work/htpasswd" && grep -q '^carol:{SHA}' "$work/htpasswd" \
  || fail "htpasswd did not write the formats expected"

# --- a small image in an OCI layout, to copy in
layout="$work/layout"
make_oci_layout "$layout" "hello from the berth auth interop test"

rules='access:
  rules:
    - {repositories: ["public/**"], who: [everyone], allow: [pull]}
    - {repositories: ["**"], who: [alice], allow: [pull, push, delete]}
    - {repositories: ["team/**"], who: [bob], allow: [pull, push]}
    - {repositories: ["**"], who: [authenticated], allow: [pull]}'
opts=(--src-tls-verify=false --dest-tls-verify=false)

# === basic auth from htpasswd
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: "127.0.0.1:0"}\nauth: {htpasswd: {realm: Berth interop, path: %s}}\n%s\n' \
  "$work/data" "$work/htpasswd" "$rules" > "$work/basic.yml"
start_server "$work/basic.yml"
echo "interop-auth: basic auth on $reg"

# The login flow docker and podman use: /v2/ says 401 with a Basic challenge, then 200 with credentials.
[ "$(status "http://$reg/v2/")" = 401 ] || fail "anonymous GET /v2/ was not 401"
curl -s -D - -o /dev/null "http://$reg/v2/" | tr -d '\r' | grep -qi '^WWW-Authenticate: Basic realm="Berth interop"' \
  || fail "no Basic challenge on /v2/"
skopeo login --tls-verify=false --authfile "$work/auth.json" -u alice -p alice-secret "$reg" >/dev/null \
  || fail "skopeo login as alice (bcrypt)"
if skopeo login --tls-verify=false --authfile "$work/bad.json" -u alice -p wrong "$reg" >/dev/null 2>&1; then
  fail "skopeo login with a wrong password succeeded"
fi

# Pushes: alice (bcrypt) anywhere, bob (apr1) only under team/, carol ({SHA}) nowhere, anonymous nowhere.
skopeo copy "${opts[@]}" --dest-authfile "$work/auth.json" "oci:$layout:v1" "docker://$reg/public/hello:v1" >/dev/null \
  || fail "alice's push to public/hello (logged in)"
skopeo copy "${opts[@]}" --dest-creds bob:bob-secret "oci:$layout:v1" "docker://$reg/team/hello:v1" >/dev/null \
  || fail "bob's push to team/hello"
if skopeo copy "${opts[@]}" --dest-creds bob:bob-secret "oci:$layout:v1" "docker://$reg/private/hello:v1" >/dev/null 2>&1; then
  fail "bob pushed to private/ although the rules do not let him"
fi
if skopeo copy "${opts[@]}" --dest-creds carol:carol-secret "oci:$layout:v1" "docker://$reg/team/carol:v1" >/dev/null 2>&1; then
  fail "carol pushed although she may only pull"
fi
if skopeo copy "${opts[@]}" "oci:$layout:v1" "docker://$reg/public/anon:v1" >/dev/null 2>&1; then
  fail "an anonymous push succeeded"
fi
# Pulls: anonymous only from public/, carol everywhere.
skopeo copy "${opts[@]}" "docker://$reg/public/hello:v1" "oci:$work/anon-out:v1" >/dev/null || fail "anonymous pull of public/hello"
if skopeo inspect --tls-verify=false "docker://$reg/team/hello:v1" >/dev/null 2>&1; then
  fail "an anonymous caller read team/hello"
fi
got=$(skopeo inspect --tls-verify=false --creds carol:carol-secret --format '{{.Digest}}' "docker://$reg/team/hello:v1") \
  || fail "carol's inspect of team/hello"
[ "$got" = "sha256:$manifest" ] || fail "carol read digest $got, expected sha256:$manifest"
cmp -s "$layout/blobs/sha256/$layer" "$work/anon-out/blobs/sha256/$layer" || fail "the layer pulled anonymously differs"
# The catalog shows each caller what they may pull.
[ "$(curl -s "http://$reg/v2/_catalog" | tr -d ' \n')" = '{"repositories":["public/hello"]}' ] \
  || fail "the anonymous catalog is $(curl -s "http://$reg/v2/_catalog")"
[ "$(curl -s -u carol:carol-secret "http://$reg/v2/_catalog" | tr -d ' \n')" = '{"repositories":["public/hello","team/hello"]}' ] \
  || fail "carol's catalog is $(curl -s -u carol:carol-secret "http://$reg/v2/_catalog")"
stop_server

# === Docker token auth with the built-in issuer: the same users and rules, tokens scoped per repository
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: "127.0.0.1:0"}\nauth:\n  token:\n    realm: http://REALM/auth/token\n    service: berth-interop\n    issuer: berth-interop\n    builtin: {htpasswd: {path: %s}, expiration: 5m}\n%s\n' \
  "$work/data-token" "$work/htpasswd" "$rules" > "$work/token.yml"
# The realm must name the server's own address, which is known only once it listens: start it once to learn a
# free port, then pin that port.
start_server "$work/token.yml"
port=${reg#*:}
stop_server
sed -i "s|http://REALM|http://127.0.0.1:$port|; s|addr: \"127.0.0.1:0\"|addr: \"127.0.0.1:$port\"|" "$work/token.yml"
start_server "$work/token.yml"
echo "interop-auth: token auth on $reg"
curl -s -D - -o /dev/null "http://$reg/v2/" | tr -d '\r' \
  | grep -qi "^WWW-Authenticate: Bearer realm=\"http://$reg/auth/token\",service=\"berth-interop\"" \
  || fail "no Bearer challenge on /v2/"
skopeo login --tls-verify=false --authfile "$work/token-auth.json" -u bob -p bob-secret "$reg" >/dev/null \
  || fail "skopeo login as bob through the token issuer"
skopeo copy "${opts[@]}" --dest-authfile "$work/token-auth.json" "oci:$layout:v1" "docker://$reg/team/tok:v1" >/dev/null \
  || fail "bob's push to team/tok with a token"
if skopeo copy "${opts[@]}" --dest-authfile "$work/token-auth.json" "oci:$layout:v1" "docker://$reg/private/tok:v1" >/dev/null 2>&1; then
  fail "bob's token let him push to private/"
fi
skopeo copy "${opts[@]}" --dest-creds alice:alice-secret "oci:$layout:v1" "docker://$reg/public/tok:v1" >/dev/null \
  || fail "alice's push to public/tok with a token"
skopeo copy "${opts[@]}" "docker://$reg/public/tok:v1" "oci:$work/tok-out:v1" >/dev/null \
  || fail "anonymous pull of public/tok with an anonymous token"
if skopeo inspect --tls-verify=false "docker://$reg/team/tok:v1" >/dev/null 2>&1; then
  fail "an anonymous token read team/tok"
fi
token=$(curl -sf -u bob:bob-secret "http://$reg/auth/token?service=berth-interop&scope=repository:team/tok:pull,push&scope=repository:private/x:push" \
  | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "no token from the issuer"
[ "$(status -H "Authorization: Bearer $token" "http://$reg/v2/team/tok/manifests/v1")" = 200 ] \
  || fail "bob's token did not read team/tok"
stop_server

echo "interop-auth: skopeo with htpasswd (bcrypt, apr1, SHA), login, access rules, catalog filtering, built-in token issuer OK"
