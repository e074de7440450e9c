#!/usr/bin/env bash
# The server's tests (unit and *IT) once more with the JVM the server is best run on: Temurin 25, where requests run on
# virtual threads (on Java 17 they run on a bounded pool of platform threads; the library stays on release 17 and
# `mvn -B verify` covers it there). Same build, tests forked on Java 25 through surefire's and failsafe's `jvm`.
set -euo pipefail
cd "$(dirname "$0")/.."
jdk=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$jdk/bin/java" ] || { echo "no Java 25 at $jdk (set JAVA25_HOME)" >&2; exit 1; }
"$jdk/bin/java" -version
mvn -B -pl registry-server -am verify -Djvm="$jdk/bin/java" \
  -Dtest='dev/berth/server/**/*Test.java' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='dev/berth/server/**/*IT.java' -Dfailsafe.failIfNoSpecifiedTests=false
