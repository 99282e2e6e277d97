#!/usr/bin/env bash
# Failover benchmark: ownership gap during rolling restarts and crashes of one of three nodes.
# Usage: bench/failover/run.sh [reps] [session-timeout] [zk-tick-ms] [process|inprocess]
#   e.g. bench/failover/run.sh 10 10s 500 process
# process (default): each node is its own JVM; rolling = SIGTERM + restart, crash = kill -9.
# inprocess: three nodes in one JVM; crash = the node's network black-holed (as ZooKeeper sees kill -9).
# Finds a JDK 21+ like bin/run-tests does. Add MVN_FLAGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bin/lib/find-jdk.sh
qs_find_jdk
qs_quiet_maven
REPS="${1:-10}"
SESSION="${2:-10s}"
TICK="${3:-500}"
MODE="${4:-process}"
case "$MODE" in
  process)   TEST=ProcessFailoverBenchRun; OUT="$(pwd)/bench/failover/last-run-process-${SESSION}-tick${TICK}.txt" ;;
  inprocess) TEST=FailoverBenchRun;        OUT="$(pwd)/bench/failover/last-run-${SESSION}-tick${TICK}.txt" ;;
  *) echo "mode must be process or inprocess: $MODE" >&2; exit 2 ;;
esac
# QS_BENCH_OUT=FILE writes the figures there instead (bench/run-all: the committed last runs stay as they are);
# QS_BENCH_JSON=FILE also appends them as one JSON line (to-json.py).
OUT="${QS_BENCH_OUT:-$OUT}"
mvn -B -q ${MVN_FLAGS:-} -pl sniper-cluster -am test \
  -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dqs.bench.reps=${REPS} -Dqs.bench.session=${SESSION} -Dqs.bench.tick=${TICK} -Dqs.bench.out=${OUT}"
cat "$OUT"
if [ -n "${QS_BENCH_JSON:-}" ]; then python3 bench/failover/to-json.py "$OUT" "$MODE" >>"$QS_BENCH_JSON"; fi
