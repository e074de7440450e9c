#!/usr/bin/env bash
# Records the class list the image's CDS archive is made from (registry-image/README.md, "Start time"), into
# registry-image/src/main/cds/berth.classlist, which is committed: the archive is then the same for the same commit.
# A training run (training-run.sh) lists the classes the JVM loads; what varies from run to run is left out (the
# constant pool entries a run happened to resolve, the ids), and the lines are sorted.
#
#   registry-image/record-classlist.sh [JAVA]
#
# JAVA: the image's runtime, by default the one the last image build made (registry-image/target/base/root); build
# the image first (mvn -B -Pimage -pl registry-image -am package -DskipTests). Run it again when the build says that
# entries of the list are no longer found, or after a change to what the server loads at startup.
set -euo pipefail
cd "$(dirname "$0")"

java=${1:-target/base/root/opt/java/openjdk/bin/java}
jar=target/app/opt/berth/registry-server.jar
[ -x "$java" ] || { echo "record-classlist: no $java (build the image first)" >&2; exit 1; }
[ -f "$jar" ] || { echo "record-classlist: no $jar (build the image first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./training-run.sh "$java" "$jar" -Xshare:off "-XX:DumpLoadedClassList=$work/classes.lst"
mkdir -p src/main/cds
{
  printf '# The classes (and lambdas) the server loads from its start to its first requests, for the image'"'"'s CDS\n'
  printf '# archive (-Xshare:dump -XX:SharedClassListFile). Written by registry-image/record-classlist.sh: do not edit.\n'
  # class names without their ids; the lambda proxies and the JDK's lambda form invokers; not the @cp lines
  grep -v '^[#@]' "$work/classes.lst" | awk '{print $1}' | LC_ALL=C sort -u
  grep '^@lambda-' "$work/classes.lst" | LC_ALL=C sort -u
} > src/main/cds/berth.classlist
echo "record-classlist: $(grep -vc '^[#@]' src/main/cds/berth.classlist) classes and $(grep -c '^@' src/main/cds/berth.classlist) lambdas in src/main/cds/berth.classlist"
