#!/usr/bin/env bash
# Failover benchmark: ownership gap during rolling restarts and crashes of one of three nodes.
# Usage: bench/failover/run.sh [reps] [session-timeout] [zk-tick-ms]   e.g. bench/failover/run.sh 10 10s 2000
# Needs JAVA_HOME pointing at a JDK 21+. Add MVN_FLAGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${1:-10}"
SESSION="${2:-10s}"
TICK="${3:-2000}"
OUT="$(pwd)/bench/failover/last-run-${SESSION}-tick${TICK}.txt"
mvn -B -q ${MVN_FLAGS:-} -pl sniper-cluster -am test \
  -Dtest=FailoverBenchRun -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dqs.bench.reps=${REPS} -Dqs.bench.session=${SESSION} -Dqs.bench.tick=${TICK} -Dqs.bench.out=${OUT}"
cat "$OUT"
