#!/usr/bin/env bash
# Runs the whole test suite (bin/run-tests) N times in a row while a busy loop keeps one core busy, and
# prints the pass count: the check that no test bound depends on an idle machine (issue 15).
# Usage: bench/suite-under-load/run.sh [runs (5)]. Each run's log goes to $QS_BENCH_LOGS (default a temp dir).
# The busy loop is bounded: it ends with this script (trap) and after 3 hours at the latest.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${1:-5}
logs=${QS_BENCH_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/qs-suite-under-load.XXXXXX")}
mkdir -p "$logs"
timeout 3h bash -c 'while :; do :; done' &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
passed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if "$root/bin/run-tests" >"$logs/run-$i.log" 2>&1; then result=passed; passed=$((passed + 1)); else result=FAILED; fi
  failing=$(grep -h '^\[ERROR\]   [A-Za-z]*IT\?\.\|^\[ERROR\]   [A-Za-z]*Test\.' "$logs/run-$i.log" | sed 's/^\[ERROR\]   //' | cut -d' ' -f1 | sort -u | tr '\n' ' ')
  echo "suite-under-load: run $i of $runs $result in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)${failing:+; failing: $failing}"
done
echo "suite-under-load: $passed of $runs runs passed with one core kept busy (logs in $logs)"
[ "$passed" -eq "$runs" ]
