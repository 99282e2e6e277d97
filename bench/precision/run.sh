#!/usr/bin/env bash
# Precision benchmark: query-sniper and pt-kill side by side on one throwaway mariadbd.
# Each tool gets its own victim user (30 victims per tool, limit 3 s); bystanders (another user's long
# queries, the victim users' short queries) must survive.
#   lock  (default): GET_LOCK waits, staggered 370 ms apart, so limits fall at every phase of the polls;
#   sleep: SELECT SLEEP(60), same staggering (see the README for why those measure MariaDB);
#   dense: the victims' starts spread uniformly over 3 s (one per tool every 100 ms), so they cross their
#          limits close together; run twice, with row-lock waits (UPDATE of a row another connection
#          holds FOR UPDATE) and with GET_LOCK waits;
#   all:   every victim kind (row-lock, GET_LOCK, SLEEP), sparse (lock's staggering) then dense (bench/run-all).
# Prints overshoot p50/p95/max, misses and false kills per tool, the daemon's idle poll rate (statements
# per second per server while nothing is near a limit, MariaDB USER_STATISTICS) and a JSON line (with every
# killed victim's overshoot, for the report's plots).
# Usage: bench/precision/run.sh [victims-per-tool (30)] [idle-seconds (20)] [lock|sleep|dense|all (lock)]
# Env: QS_JAR (jar to run), QS_JAVA_OPTS, QS_BENCH_EXTRA_CONF (HOCON lines added to the database's block),
# QS_BENCH_NO_PTKILL=1 runs the daemon alone; QS_BENCH_VERBOSE=1 lists every overshoot;
# QS_BENCH_KEEP=1 keeps the work dir (logs of both tools, the server's error log);
# QS_BENCH_JSON=FILE also appends the JSON line to FILE.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(cd "$here/../.." && pwd)
victims=${1:-30}
idle=${2:-20}
kind=${3:-lock}
case "$kind" in lock|sleep|dense|all) ;; *) echo "bench: kind must be lock, sleep, dense or all: $kind" >&2; exit 2 ;; esac
. "$here/lib.sh"
bench_workdir precision
work=$bench_work
bench_header precision >&2
port=$(bench_free_port)
zk_port=$(bench_free_port)
pw="bench-$RANDOM$RANDOM"

echo "bench: mariadbd on port $port (work dir $work)" >&2
bench_install_template "$work/template"
bench_start_mariadb "$work/template" "$work/server" "$port" --innodb-buffer-pool-size=64M
bench_wait_mariadb "$work/server"
mariadb --no-defaults -S "$work/server/sock" -uroot <<SQL
CREATE USER sniper@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, CONNECTION ADMIN ON *.* TO sniper@'%';
CREATE USER ptkill@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, SUPER ON *.* TO ptkill@'%';
CREATE USER bench_admin@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO bench_admin@'%';
CREATE USER victim_qs@'%' IDENTIFIED BY '$pw';
CREATE USER victim_pt@'%' IDENTIFIED BY '$pw';
CREATE USER bystander@'%' IDENTIFIED BY '$pw';
CREATE DATABASE bench;
CREATE TABLE bench.hot (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench.hot VALUES (1, 0);
GRANT SELECT, UPDATE ON bench.* TO victim_qs@'%';
GRANT SELECT, UPDATE ON bench.* TO victim_pt@'%';
SQL

cat >"$work/sniper.conf" <<CONF
query-sniper {
  node-id = bench
  data-dir = "$work/sniper-data"
  cluster { embedded-port = $zk_port }
  databases {
    bench {
      host = "127.0.0.1", port = $port
      credentials = "bench"
      tls { mode = disabled }
      interval = 1s
      # Every mode kills 20 to 60 victims within a minute (all: 120): above the default guard of 60 a
      # minute, which would stop killing half-way. The guard's semantics stay; the bench raises it, as storm does.
      max-kills-per-minute = 100000
      rules = [ { name = "bench-victims", match { user = ["victim_qs"] }, busy-time = 3s, action = kill-query } ]
$(bench_extra_conf)
    }
  }
}
CONF
cat >"$work/credentials.conf" <<CONF
bench { user = "sniper", password = "$pw" }
CONF
chmod 600 "$work/credentials.conf"

bench_start_daemon "$work/sniper.conf" "$work/credentials.conf" "$work/sniper.log"
if [ -z "${QS_BENCH_NO_PTKILL:-}" ]; then
  pt-kill --interval 1 --victims all --busy-time 3 --match-user victim_pt --kill-query --print \
    h=127.0.0.1,P="$port",u=ptkill,p="$pw" >"$work/pt-kill.log" 2>&1 &
  bench_pids+=($!)
fi
# Let both tools connect and settle before the idle window starts.
sleep 5
kill -0 "$daemon_pid" 2>/dev/null || { echo "bench: the daemon exited; its log:" >&2; tail -30 "$work/sniper.log" >&2; exit 1; }

"$JAVA_HOME/bin/java" -cp "$QS_JAR" "$here/PrecisionBench.java" 127.0.0.1 "$port" "$pw" "$victims" sniper "$idle" "$kind" \
  | tee "$work/result.txt"
echo "bench: daemon kills logged: $(grep -c 'KILLED kill-query' "$work/sniper.log" || true); pt-kill kills printed: $(grep -c 'KILL' "$work/pt-kill.log" 2>/dev/null || true); load average at end $(bench_loadavg)" >&2
if [ -n "${QS_BENCH_JSON:-}" ]; then grep '^{' "$work/result.txt" | tail -1 >>"$QS_BENCH_JSON"; fi
