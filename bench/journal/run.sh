#!/usr/bin/env bash
# Journal benchmark: append throughput and kill-to-record latency against a 3-server ZooKeeper ensemble
# on this machine.
#   bench/journal/run.sh [seconds=20] [rate kills/s=2000] [killer threads=8]
# QS_BENCH_ENSEMBLE=processes (default) starts three QuorumPeerMain JVMs (small heaps, no GC interplay
# with the client); QS_BENCH_ENSEMBLE=inprocess uses curator-test's TestingCluster in the bench JVM.
# QS_BENCH_JAVA_OPTS adds flags to the bench JVM (default: ZGC). Each kill writes two records to the same
# znode (the PENDING intent, awaited as the daemon does, then the final record). The last line is a JSON
# object of the figures (QS_BENCH_JSON=FILE appends it to FILE). Maven runs offline unless MVN_FLAGS is set
# (MVN_FLAGS= runs it online, as bench/run-all does on a fresh machine).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
export JAVA_HOME
out="$here/target"
mkdir -p "$out/classes"
cd "$root"
mvn -B -q ${MVN_FLAGS--o} -pl sniper-journal -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >&2
cp="$root/sniper-journal/target/classes:$root/sniper-journal/target/test-classes:$root/sniper-core/target/classes:$(cat sniper-journal/target/bench-cp.txt)"
"$JAVA_HOME/bin/javac" -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')

zk_opts=()
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "${zk_dir:-}"; }
trap cleanup EXIT
if [ "${QS_BENCH_ENSEMBLE:-processes}" = processes ]; then
  zk_dir=$(mktemp -d -t qs-journal-zk.XXXXXX)
  base=$(( 20000 + RANDOM % 20000 ))
  connect=""
  for i in 1 2 3; do
    mkdir -p "$zk_dir/$i/data"
    echo "$i" > "$zk_dir/$i/data/myid"
    {
      echo "tickTime=2000"; echo "initLimit=10"; echo "syncLimit=5"
      echo "dataDir=$zk_dir/$i/data"; echo "clientPort=$((base + i))"
      echo "admin.enableServer=false"; echo "maxClientCnxns=0"
      for j in 1 2 3; do echo "server.$j=127.0.0.1:$((base + 100 + j)):$((base + 200 + j))"; done
    } > "$zk_dir/$i/zoo.cfg"
    "$JAVA_HOME/bin/java" -Xms256m -Xmx256m -XX:+UseParallelGC -Dzookeeper.4lw.commands.whitelist=ruok \
        -Dlogback.configurationFile="$here/logback-bench.xml" -cp "$cp" \
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$zk_dir/$i/zoo.cfg" > "$zk_dir/$i/out.log" 2>&1 &
    pids+=($!)
    connect="${connect:+$connect,}127.0.0.1:$((base + i))"
  done
  zk_opts=(-Dqs.bench.zk="$connect")
fi
"$JAVA_HOME/bin/java" -Xmx1g ${QS_BENCH_JAVA_OPTS:--XX:+UseZGC} "${zk_opts[@]}" \
    -Dlogback.configurationFile="$here/logback-bench.xml" -cp "$out/classes:$cp" \
    io.querysniper.bench.journal.JournalBench "${1:-20}" "${2:-2000}" "${3:-8}" | tee "$out/result.txt"
if [ -n "${QS_BENCH_JSON:-}" ]; then grep '^{' "$out/result.txt" | tail -1 >>"$QS_BENCH_JSON"; fi
