#!/usr/bin/env bash
# The lease under journal load: lease age (p50..max) of a cluster node, idle and while a journal on the same
# ZooKeeper session writes 2,000 kills/s and the pruner deletes, against a 3-server ensemble on this machine.
#   bench/lease/run.sh [idle seconds=10] [load seconds=30] [records/s=2000] [kills per batch=10] [writer threads=4]
# Three QuorumPeerMain JVMs (tickTime 2 s, so the default 10 s session is granted as asked).
# QS_BENCH_JAVA_OPTS adds flags to the bench JVM (default: ZGC); QS_BENCH_MVN_OPTS to Maven (e.g. -o).
# Each kill writes two records (the PENDING intent, then the final record), a batch of kills at a time as
# the daemon does in a storm: the batch's intents awaited together, its finals queued together.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
export JAVA_HOME
out="$here/target"
mkdir -p "$out/classes"
cd "$root"
# QS_BENCH_CP_READY=1: the modules are compiled and target/bench-cp.txt of both is written already (for
# a machine whose Maven cache lacks the dependency plugin and works offline).
if [ -z "${QS_BENCH_CP_READY:-}" ]; then
  mvn -B -q ${QS_BENCH_MVN_OPTS:-} -pl sniper-journal,sniper-cluster -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >&2
fi
cp="$root/sniper-cluster/target/classes:$root/sniper-journal/target/classes:$root/sniper-core/target/classes:$(cat sniper-journal/target/bench-cp.txt):$(cat sniper-cluster/target/bench-cp.txt)"
"$JAVA_HOME/bin/javac" -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')

zk_opts=()
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "${zk_dir:-}"; }
trap cleanup EXIT
if true; then
  zk_dir=$(mktemp -d -t qs-lease-zk.XXXXXX)
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
    io.querysniper.cluster.LeaseUnderJournalBench "${1:-10}" "${2:-30}" "${3:-2000}" "${4:-10}" "${5:-4}"
