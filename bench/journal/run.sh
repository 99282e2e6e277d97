#!/usr/bin/env bash
# Journal benchmark: append throughput and kill-to-record latency against a 3-server ZooKeeper
# ensemble (curator-test TestingCluster) on this machine.
#   bench/journal/run.sh [seconds=20] [rate kills/s=2000]
# Each kill writes two records to the same znode (the PENDING intent, then the final record).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
export JAVA_HOME
out="$here/target"
mkdir -p "$out/classes"
cd "$root"
mvn -B -q -o -pl sniper-journal -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >&2
cp="$root/sniper-journal/target/classes:$root/sniper-journal/target/test-classes:$root/sniper-core/target/classes:$(cat sniper-journal/target/bench-cp.txt)"
"$JAVA_HOME/bin/javac" -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')
exec "$JAVA_HOME/bin/java" -Xmx1g ${QS_BENCH_JAVA_OPTS:-} -Dlogback.configurationFile="$here/logback-bench.xml" -cp "$out/classes:$cp" io.querysniper.bench.journal.JournalBench "${1:-20}" "${2:-2000}"
