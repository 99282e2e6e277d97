#!/usr/bin/env bash
# The journal's footprint (issue 9): ZooKeeper heap per record, and the heap a spool replay needs.
#   bench/journal-disk/run.sh [records=100000] [spool MB=1024] [replay -Xmx=64m]
# The disk after 100,000 records written and pruned is measured by EmbeddedZooKeeperDiskIT (it prints it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
records=${1:-100000}
spool_mb=${2:-1024}
xmx=${3:-64m}
cd "$root"
mvn -B -q -pl sniper-journal -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >&2
cp="$root/sniper-journal/target/classes:$root/sniper-journal/target/test-classes:$root/sniper-core/target/classes:$(cat sniper-journal/target/bench-cp.txt)"
work=$(mktemp -d -t qs-journal-disk.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== ZooKeeper heap per journal record ($records records, in-process server)"
"$JAVA_HOME/bin/java" -Xmx2g -XX:+UseSerialGC -Dlogback.configurationFile="$root/bench/journal/logback-bench.xml" \
    -cp "$cp" io.querysniper.journal.ZkMemoryPerRecordMain "$records"
echo "== replay of a ${spool_mb} MB spool with -Xmx$xmx"
"$JAVA_HOME/bin/java" -Xmx"$xmx" -XX:+UseSerialGC -Dlogback.configurationFile="$root/bench/journal/logback-bench.xml" \
    -cp "$cp" io.querysniper.journal.SpoolReplayMain "$work/spool" "$spool_mb"
