#!/usr/bin/env bash
# Soak: sysbench oltp_read_write against a throwaway mariadbd primary with a GTID replica, the daemon watching
# both with rules the OLTP traffic must never meet (busy-time 3 s kill-query; an idle transaction of 5 s
# kill-connection), while SoakBench.java injects, every few seconds in turn, a long query on the primary, an idle
# transaction on the primary and a long query on the replica. Checks:
#   false kills: every KILL the journal recorded hit an injected thread (and sysbench saw no error);
#   misses: every injection was killed (within 10 s of its limit);
#   replication: Slave_IO/SQL running with no error at every sample, and the replica catches up at the end;
#   the daemon's RSS and CPU, sampled every few seconds: their slopes (flat is the target).
# Usage: bench/soak/run.sh [seconds (600)]
# Env: QS_JAR, QS_JAVA_OPTS (as bench/precision), QS_SOAK_THREADS (4) and QS_SOAK_RATE (200 transactions/s in
# total, 0 = as fast as it goes) of sysbench, QS_SOAK_TABLES (4) x QS_SOAK_TABLE_SIZE (10000) rows,
# QS_SOAK_EVERY_MS (3000) between injections, QS_SOAK_SAMPLE_MS (5000) between samples,
# QS_BENCH_JSON=FILE appends the JSON line, QS_BENCH_KEEP=1 keeps the work dir (logs, injections, journal).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(cd "$here/../.." && pwd)
seconds=${1:-600}
threads=${QS_SOAK_THREADS:-4}
rate=${QS_SOAK_RATE:-200}
tables=${QS_SOAK_TABLES:-4}
table_size=${QS_SOAK_TABLE_SIZE:-10000}
every_ms=${QS_SOAK_EVERY_MS:-3000}
sample_ms=${QS_SOAK_SAMPLE_MS:-5000}
. "$bench_root/bench/precision/lib.sh"
command -v sysbench >/dev/null || { echo "bench: sysbench missing (apt-get install sysbench)" >&2; exit 1; }
bench_workdir soak
work=$bench_work
bench_header soak
pw="bench-$RANDOM$RANDOM"
p_port=$(bench_free_port)
r_port=$(bench_free_port)
zk_port=$(bench_free_port)

echo "bench: primary on port $p_port, GTID replica on port $r_port (work dir $work)"
bench_install_template "$work/template"
binlog=(--log-bin=mysql-bin --binlog-format=ROW --log-slave-updates --gtid-strict-mode=ON --relay-log=relay-bin
        --innodb-buffer-pool-size=128M --max-connections=500)
bench_start_mariadb "$work/template" "$work/primary" "$p_port" --server-id=1 "${binlog[@]}"
bench_start_mariadb "$work/template" "$work/replica" "$r_port" --server-id=2 "${binlog[@]}"
bench_wait_mariadb "$work/primary"
bench_wait_mariadb "$work/replica"
# The replica starts from the primary's first GTID: everything below reaches it through replication.
mariadb --no-defaults -S "$work/primary/sock" -uroot <<SQL
CREATE USER repl@'%' IDENTIFIED BY '$pw'; GRANT REPLICATION SLAVE ON *.* TO repl@'%';
SQL
bench_sql "$work/replica" "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$p_port, MASTER_USER='repl', MASTER_PASSWORD='$pw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE"
mariadb --no-defaults -S "$work/primary/sock" -uroot <<SQL
CREATE USER sniper@'%' IDENTIFIED BY '$pw';      GRANT PROCESS, CONNECTION ADMIN, REPLICATION CLIENT ON *.* TO sniper@'%';
CREATE USER bench_admin@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO bench_admin@'%';
CREATE USER sbtest@'%' IDENTIFIED BY '$pw';
CREATE USER soak_victim@'%' IDENTIFIED BY '$pw';
CREATE DATABASE sbtest;
CREATE DATABASE soak;
CREATE TABLE soak.inj (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB;
GRANT ALL ON sbtest.* TO sbtest@'%';
GRANT SELECT, INSERT, UPDATE ON soak.* TO soak_victim@'%';
SQL
sb=(sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$p_port" --mysql-user=sbtest
    --mysql-password="$pw" --mysql-db=sbtest --tables="$tables" --table-size="$table_size")
"${sb[@]}" prepare >"$work/sysbench-prepare.log" 2>&1 || { tail -20 "$work/sysbench-prepare.log" >&2; exit 1; }
for i in $(seq 300); do
  [ "$(bench_sql "$work/replica" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='sbtest'" 2>/dev/null || echo 0)" -ge "$tables" ] && break
  sleep 0.2
done
echo "bench: sysbench tables prepared ($tables x $table_size rows) and replicated"

rules='rules = [
        { name = "long-queries", busy-time = 3s, action = kill-query },
        { name = "idle-transactions", match { command = [Sleep] }, transaction-time = 5s, action = kill-connection }
      ]'
cat >"$work/sniper.conf" <<CONF
query-sniper {
  node-id = soak
  data-dir = "$work/sniper-data"
  cluster { embedded-port = $zk_port }
  journal { enabled = true }
  databases {
    primary {
      host = "127.0.0.1", port = $p_port
      credentials = "soak"
      tls { mode = disabled }
      interval = 1s
      $rules
$(bench_extra_conf)
    }
    replica {
      host = "127.0.0.1", port = $r_port
      credentials = "soak"
      tls { mode = disabled }
      interval = 1s
      $rules
$(bench_extra_conf)
    }
  }
}
CONF
printf 'soak { user = "sniper", password = "%s" }\n' "$pw" >"$work/credentials.conf"
chmod 600 "$work/credentials.conf"
bench_start_daemon "$work/sniper.conf" "$work/credentials.conf" "$work/sniper.log"
sleep 5
kill -0 "$daemon_pid" 2>/dev/null || { echo "bench: the daemon exited; its log:" >&2; tail -30 "$work/sniper.log" >&2; exit 1; }

echo "bench: soak of $seconds s: sysbench oltp_read_write, $threads threads, rate $rate/s; an injection every $every_ms ms"
"${sb[@]}" --threads="$threads" --rate="$rate" --time="$seconds" --report-interval=10 run >"$work/sysbench.log" 2>&1 &
sb_pid=$!
bench_pids+=($sb_pid)
"$JAVA_HOME/bin/java" -cp "$QS_JAR" "$here/SoakBench.java" 127.0.0.1 "$p_port" "$r_port" "$pw" "$seconds" "$daemon_pid" \
  "$every_ms" "$sample_ms" "$work/injections.tsv" | tee "$work/result.txt"
sb_rc=0
wait "$sb_pid" || sb_rc=$?
# Every record the daemon journaled (read through its embedded ZooKeeper while it still runs).
journal_rc=0
"$JAVA_HOME/bin/java" -jar "$QS_JAR" journal --config "$work/sniper.conf" --since 2h --json >"$work/journal.jsonl" 2>"$work/journal.err" \
  || { journal_rc=$?; echo "bench: reading the journal failed:" >&2; cat "$work/journal.err" >&2; }
kill -0 "$daemon_pid" 2>/dev/null && daemon_alive=true || daemon_alive=false
bench_stop "$daemon_pid"
daemon_errors=$(grep -c ' ERROR ' "$work/sniper.log" || true)
json=$(python3 "$here/verdict.py" "$work/result.txt" "$work/injections.tsv" "$work/journal.jsonl" "$work/sysbench.log" \
  "$sb_rc" "$daemon_alive" "$daemon_errors" "$journal_rc")
echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("soak verdict: false kills %d, misses %d, replication broken %s, caught up %s, sysbench errors %s, RSS slope %.2f MB/min, CPU slope %.3f points/min" % (d["false_kills"], d["misses"], d["replication_broken"], d["replica_caught_up"], d["sysbench"].get("errors"), d["rss_slope_mb_per_min"], d["cpu_slope_points_per_min"]))'
echo "$json" >"$work/soak.json"
if [ -n "${QS_BENCH_JSON:-}" ]; then echo "$json" >>"$QS_BENCH_JSON"; fi
