#!/usr/bin/env bash
# Precision benchmark: query-sniper and pt-kill side by side on one throwaway mariadbd.
# Each tool gets its own victim user (30 staggered victims, limit 3 s: lock waits by default, which
# measure the tools; `sleep` uses SELECT SLEEP(60), see the README for why those measure MariaDB); bystanders
# (another user's long queries, the victim users' short queries) must survive.
# Prints overshoot p50/p95/max, misses and false kills per tool, and the daemon's idle poll rate.
# Usage: bench/precision/run.sh [victims-per-tool (30)] [idle-seconds (20)] [lock|sleep (lock)]
# Env: QS_BENCH_NO_PTKILL=1 runs the daemon alone; QS_BENCH_VERBOSE=1 lists every overshoot;
# QS_BENCH_KEEP=1 keeps the work dir (logs of both tools, the server's error log).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
victims=${1:-30}
idle=${2:-20}
kind=${3:-lock}
jar="$root/sniper-daemon/target/query-sniper.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package -pl sniper-daemon -am)
command -v pt-kill >/dev/null || { echo "bench: pt-kill missing (apt-get install percona-toolkit)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/qs-precision.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${QS_BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pw="bench-$RANDOM$RANDOM"

echo "bench: mariadbd on port $port (work dir $work)" >&2
mariadb-install-db --no-defaults --datadir="$work/db" --auth-root-authentication-method=normal \
  --skip-test-db >"$work/install.log" 2>&1
/usr/sbin/mariadbd --no-defaults --datadir="$work/db" --socket="$work/sock" --port="$port" \
  --bind-address=127.0.0.1 --user="$(id -un)" --skip-log-bin --userstat=1 --innodb-buffer-pool-size=64M \
  --log-error="$work/mariadbd.err" &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/sock" ] && break; sleep 0.1; done
mariadb --no-defaults -S "$work/sock" -uroot <<SQL
CREATE USER sniper@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, CONNECTION ADMIN ON *.* TO sniper@'%';
CREATE USER ptkill@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, SUPER ON *.* TO ptkill@'%';
CREATE USER bench_admin@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO bench_admin@'%';
CREATE USER victim_qs@'%' IDENTIFIED BY '$pw';
CREATE USER victim_pt@'%' IDENTIFIED BY '$pw';
CREATE USER bystander@'%' IDENTIFIED BY '$pw';
SQL

cat >"$work/sniper.conf" <<CONF
query-sniper {
  node-id = bench
  data-dir = "$work/sniper-data"
  databases {
    bench {
      host = "127.0.0.1", port = $port
      credentials = "bench"
      tls { mode = disabled }
      interval = 1s
      rules = [ { name = "bench-victims", match { user = ["victim_qs"] }, busy-time = 3s, action = kill-query } ]
    }
  }
}
CONF
cat >"$work/credentials.conf" <<CONF
bench { user = "sniper", password = "$pw" }
CONF
chmod 600 "$work/credentials.conf"

"$JAVA_HOME/bin/java" -jar "$jar" run --config "$work/sniper.conf" --credentials "$work/credentials.conf" \
  >"$work/sniper.log" 2>&1 &
pids+=($!)
[ -n "${QS_BENCH_NO_PTKILL:-}" ] || pt-kill --interval 1 --victims all --busy-time 3 --match-user victim_pt --kill-query --print \
  h=127.0.0.1,P="$port",u=ptkill,p="$pw" >"$work/pt-kill.log" 2>&1 &
pids+=($!)
# Let both tools connect and settle before the idle window starts.
sleep 5

"$JAVA_HOME/bin/java" -cp "$jar" "$here/PrecisionBench.java" 127.0.0.1 "$port" "$pw" "$victims" sniper "$idle" "$kind"
echo "bench: daemon kills logged: $(grep -c 'KILLED kill-query' "$work/sniper.log" || true); pt-kill kills printed: $(grep -c 'KILL' "$work/pt-kill.log" || true)" >&2
