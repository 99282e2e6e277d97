#!/usr/bin/env bash
# Storm benchmark: a pile-up of victims crosses a 3 s busy-time limit within 100 ms; how long after the
# limit is the last one dead? query-sniper and pt-kill side by side on one throwaway mariadbd, each tool
# its own victim user, one storm after the other in the same run.
#   row-lock: N victims (500), connected in advance, run UPDATE of one row that another connection holds
#             FOR UPDATE, all started within 100 ms;
#   sleep:    M victims (100) run SELECT SLEEP(60) (MariaDB's KILL of a sleeper can block inside the server).
# The daemon: rule busy-time 3 s kill-query, interval 1 s, journal on with the embedded ZooKeeper,
# max-kills-per-minute raised to 100000. pt-kill 3.2.1: --interval 1 --victims all --busy-time 3 --kill-query.
# Prints p50, p95, last (time of death after the limit, from the client) and misses per tool, the ratios,
# and a JSON line of the figures with every victim's time of death (also appended to $QS_BENCH_JSON when set).
# Usage: bench/storm/run.sh [row-lock victims (500)] [sleep victims (100)] [repetitions (1)]
# Env: QS_JAR (jar to run; default the repo's, built when missing), QS_JAVA_OPTS (daemon JVM flags),
# QS_BENCH_EXTRA_CONF (HOCON lines added to the database's block), QS_BENCH_NO_PTKILL=1 (daemon alone),
# QS_BENCH_KEEP=1 (keep the work dir with all logs).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(cd "$here/../.." && pwd)
lock_victims=${1:-500}
sleep_victims=${2:-100}
reps=${3:-1}
. "$bench_root/bench/precision/lib.sh"
bench_workdir storm
work=$bench_work
bench_header storm
port=$(bench_free_port)
zk_port=$(bench_free_port)
pw="bench-$RANDOM$RANDOM"
# Each tool's victims plus both tools, the bench's admin connections and slack.
max_conn=$(( (lock_victims > sleep_victims ? lock_victims : sleep_victims) * 2 + 200 ))
[ "$max_conn" -ge 1200 ] || max_conn=1200

echo "bench: mariadbd on port $port, max_connections $max_conn (work dir $work)" >&2
bench_install_template "$work/template"
bench_start_mariadb "$work/template" "$work/server" "$port" --innodb-buffer-pool-size=64M \
  --max-connections="$max_conn" --innodb-lock-wait-timeout=120 --thread-cache-size=1200
bench_wait_mariadb "$work/server"
mariadb --no-defaults -S "$work/server/sock" -uroot <<SQL
CREATE USER sniper@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, CONNECTION ADMIN ON *.* TO sniper@'%';
CREATE USER ptkill@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, SUPER ON *.* TO ptkill@'%';
CREATE USER bench_admin@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO bench_admin@'%';
CREATE USER victim_qs@'%' IDENTIFIED BY '$pw';
CREATE USER victim_pt@'%' IDENTIFIED BY '$pw';
CREATE USER victim_warm@'%' IDENTIFIED BY '$pw';
CREATE DATABASE bench;
CREATE TABLE bench.hot (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench.hot VALUES (1, 0);
GRANT SELECT, UPDATE ON bench.* TO victim_qs@'%';
GRANT SELECT, UPDATE ON bench.* TO victim_pt@'%';
GRANT SELECT, UPDATE ON bench.* TO victim_warm@'%';
SQL

cat >"$work/sniper.conf" <<CONF
query-sniper {
  node-id = bench
  data-dir = "$work/sniper-data"
  cluster { embedded-port = $zk_port }
  journal { enabled = true }
  databases {
    bench {
      host = "127.0.0.1", port = $port
      credentials = "bench"
      tls { mode = disabled }
      interval = 1s
      max-kills-per-minute = 100000
      rules = [ { name = "storm-victims", match { user = ["victim_qs"] }, busy-time = 3s, action = kill-query } ]
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
  # --run-time bounds it even if the trap never runs.
  pt-kill --interval 1 --victims all --busy-time 3 --match-user victim_pt --kill-query --print --run-time 1h \
    h=127.0.0.1,P="$port",u=ptkill,p="$pw" >"$work/pt-kill.log" 2>&1 &
  bench_pids+=($!)
fi
sleep 3
kill -0 "$daemon_pid" 2>/dev/null || { echo "bench: the daemon exited; its log:" >&2; tail -30 "$work/sniper.log" >&2; exit 1; }

# Bounded: each storm gives up 30 s after its start at the latest.
timeout $(( 120 + reps * 4 * 45 )) "$JAVA_HOME/bin/java" -Xss512k -cp "$QS_JAR" "$here/StormBench.java" \
  127.0.0.1 "$port" "$pw" "$lock_victims" "$sleep_victims" "$reps" "$QS_JAR" | tee "$work/result.txt"
echo "bench: daemon decisions logged: KILLED $(grep -c 'KILLED' "$work/sniper.log" || true), GONE_ALREADY $(grep -c 'GONE_ALREADY' "$work/sniper.log" || true), ERROR $(grep -c ' ERROR ' "$work/sniper.log" || true), GUARD_TRIPPED $(grep -c 'GUARD_TRIPPED' "$work/sniper.log" || true); pt-kill KILLs printed: $(grep -c 'KILL' "$work/pt-kill.log" 2>/dev/null || true)"
if [ -n "${QS_BENCH_JSON:-}" ]; then grep '^{' "$work/result.txt" | tail -1 >>"$QS_BENCH_JSON"; fi
