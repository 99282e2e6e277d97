#!/usr/bin/env bash
# Fleet benchmark: one daemon node watching N databases (config entries) spread over K throwaway mariadbd
# servers, each server also holding 50 idle application sessions; interval 1 s, one rule nothing is near
# (busy-time 1h), journal on (embedded ZooKeeper). After a warm-up it measures, over a window: the daemon's
# CPU share of one core (utime+stime from /proc/<pid>/stat), RSS and threads (/proc/<pid>/status), and its
# polling statements per database per second (the servers' USER_STATISTICS of the daemon's user, and
# Questions deltas, divided by N). Then the daemon is stopped and P pt-kill processes (one per database, as
# pt-kill watches one server each: --interval 1 --busy-time 3600 --kill-query --victims all) run against
# P of the servers, whose process lists are topped up with idle sessions to the size they had under the
# daemon; their CPU and RSS are measured the same way and scaled to N processes (the output says so).
# Usage: bench/fleet/run.sh [N databases (200)] [K servers (20)]
# Env: QS_JAR (jar to run; default the repo's, built when missing), QS_JAVA_OPTS (daemon JVM flags, default
# the launcher's for run: -Xmx256m and G1 marking at 75%), QS_BENCH_EXTRA_CONF (HOCON lines added to every database's block), QS_BENCH_APP_SESSIONS (50),
# QS_BENCH_WARMUP (90 s after every database is owned: the JIT still compiles 40 s after start), QS_BENCH_OWN_TIMEOUT (300 s: measure anyway after it,
# saying how many databases were owned), QS_BENCH_WINDOW (30 s), QS_BENCH_PTKILL (10
# processes; 0 skips pt-kill), QS_BENCH_KEEP=1 (keep the work dir), QS_BENCH_JSON=FILE (append the JSON line, which
# also carries the per-second CPU share and RSS of the window: cpu_series, rss_mb_series).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(cd "$here/../.." && pwd)
n=${1:-200}
k=${2:-20}
app=${QS_BENCH_APP_SESSIONS:-50}
warmup=${QS_BENCH_WARMUP:-90}
window=${QS_BENCH_WINDOW:-30}
ptn=${QS_BENCH_PTKILL:-10}
own_timeout=${QS_BENCH_OWN_TIMEOUT:-300}
[ "$ptn" -le "$n" ] || ptn=$n
export QS_JAVA_OPTS=${QS_JAVA_OPTS:--Xmx256m -XX:InitiatingHeapOccupancyPercent=75 -XX:-G1UseAdaptiveIHOP}
. "$bench_root/bench/precision/lib.sh"
bench_workdir fleet
work=$bench_work
bench_header fleet
per=$(( (n + k - 1) / k ))
# Up to 4 pooled connections per database on its server (poll + kill threads), the application sessions,
# the top-up for pt-kill, the helper's probe and slack.
max_conn=$(( 4 * per + app + 2 * per + 100 ))
fds_needed=$(( 3 * n + 2 * app * k + 1000 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$fds_needed" ]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$fds_needed" ] || {
    echo "bench: ulimit -n is $(ulimit -n), this run needs about $fds_needed open files" >&2; exit 1; }
fi
pw="bench-$RANDOM$RANDOM"
clk=$(getconf CLK_TCK)
echo "bench: $n databases over $k servers ($per per server), $app application sessions per server, max_connections $max_conn, ulimit -n $(ulimit -n), work dir $work"

# Servers: one initialised datadir, copied K times; small buffers so that K servers fit in memory.
small=(--innodb-buffer-pool-size=16M --innodb-log-file-size=16M --innodb-log-buffer-size=4M --key-buffer-size=1M
       --table-open-cache=200 --performance-schema=OFF)
bench_install_template "$work/template" "${small[@]}"
ports=()
for i in $(seq 0 $((k - 1))); do
  p=$(bench_free_port)
  ports+=("$p")
  bench_start_mariadb "$work/template" "$work/s$i" "$p" "${small[@]}" --max-connections="$max_conn"
done
for i in $(seq 0 $((k - 1))); do
  bench_wait_mariadb "$work/s$i"
  mariadb --no-defaults -S "$work/s$i/sock" -uroot <<SQL
CREATE USER sniper@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, CONNECTION ADMIN ON *.* TO sniper@'%';
CREATE USER ptkill@'%' IDENTIFIED BY '$pw';   GRANT PROCESS, SUPER ON *.* TO ptkill@'%';
CREATE USER bench_admin@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO bench_admin@'%';
CREATE USER app@'%' IDENTIFIED BY '$pw';
SQL
done
server_pids=()
for i in $(seq 0 $((k - 1))); do server_pids+=("$(cat "$work/s$i/mariadbd.pid")"); done
echo "bench: $k servers up; mariadbd RSS total $(for i in $(seq 0 $((k - 1))); do awk '/VmRSS/{print $2}' "/proc/$(cat "$work/s$i/mariadbd.pid")/status"; done | awk '{s+=$1} END {printf "%.0f MB", s/1024}')"

# The helper: holds the application sessions, reads the servers' counters (a coprocess, see FleetHelper.java).
coproc HELPER { exec "$JAVA_HOME/bin/java" -Xmx768m -Xss256k -cp "$QS_JAR" "$here/FleetHelper.java" 127.0.0.1 "$pw" "$(IFS=,; echo "${ports[*]}")" 2>"$work/helper.err"; }
bench_pids+=("$HELPER_PID")
helper() { # helper COMMAND...: sends one command, sets $answer to the reply without "ok " (never call it in $(...))
  echo "$*" >&"${HELPER[1]}"
  read -r -t 300 answer <&"${HELPER[0]}" || { echo "bench: the helper did not answer '$*'" >&2; cat "$work/helper.err" >&2; exit 1; }
  case "$answer" in ok*) answer=${answer#ok}; answer=${answer# } ;; *) echo "bench: helper: $answer ($*)" >&2; exit 1 ;; esac
}
for i in $(seq 0 $((k - 1))); do helper open "$i" "$app" app; done
echo "bench: $((app * k)) application sessions open"

# The daemon's config: N entries, database i on server i mod K.
zk_port=$(bench_free_port)
http_port=$(bench_free_port)
{
  echo "query-sniper {"
  echo "  node-id = fleet"
  echo "  data-dir = \"$work/sniper-data\""
  echo "  cluster { embedded-port = $zk_port }"
  echo "  http { listen = \"127.0.0.1:$http_port\" }" # a free port: another daemon on this machine may hold the default
  echo "  journal { enabled = true }"
  echo "  databases {"
  for d in $(seq 1 "$n"); do
    printf '    db%04d {\n' "$d"
    echo "      host = \"127.0.0.1\", port = ${ports[$(( (d - 1) % k ))]}"
    echo "      credentials = \"fleet\""
    echo "      tls { mode = disabled }"
    echo "      interval = 1s"
    echo "      rules = [ { name = \"nothing-near\", busy-time = 1h, action = kill-query } ]"
    bench_extra_conf
    echo "    }"
  done
  echo "  }"
  echo "}"
} >"$work/sniper.conf"
printf 'fleet { user = "sniper", password = "%s" }\n' "$pw" >"$work/credentials.conf"
chmod 600 "$work/credentials.conf"

servers_alive() { # fails, naming them, when servers died (a crashed server would falsify every figure)
  local i dead=""
  for i in $(seq 0 $((k - 1))); do kill -0 "$(cat "$work/s$i/mariadbd.pid" 2>/dev/null || echo none)" 2>/dev/null || dead="$dead s$i"; done
  [ -z "$dead" ] || { first=${dead# s}; first=${first%% *}
    echo "bench: servers died:$dead; the first one's log:" >&2; grep -m1 -A3 'got signal\|ERROR' "$work/s$first/mariadbd.err" >&2 || true
    echo "bench: no figures (QS_BENCH_KEEP=1 keeps the logs)" >&2; exit 1; }
}

proc_sample() { # proc_sample PID...: "<utime+stime ticks> <RSS kB> <threads> <stime ticks>" summed over the processes
  local p t=0 r=0 th=0 st=0 f
  for p in "$@"; do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    t=$(( t + ${f% *} + ${f#* } ))
    st=$(( st + ${f#* } ))
    r=$(( r + $(awk '/^VmRSS/{print $2}' "/proc/$p/status") ))
    th=$(( th + $(awk '/^Threads/{print $2}' "/proc/$p/status") ))
  done
  echo "$t $r $th $st"
}

# measure LABEL USER SERVERS PID...: CPU, RSS (max over the window), threads, statements over $window s.
thread_ticks() { # thread_ticks PID: "<tid> <kind> <utime+stime ticks>" per live thread of the JVM
  local t c st
  for t in /proc/"$1"/task/*; do
    c=$(cat "$t/comm" 2>/dev/null) && st=$(cat "$t/stat" 2>/dev/null) || continue
    st=${st##*) } # after the command name: state is field 1, utime 12 and stime 13
    echo "${t##*/}|$c|$(echo "$st" | awk '{print $12 + $13}')"
  done | awk -F'|' '{k = "other"} $2 ~ /^C[12] CompilerThre/ {k = "jit"} $2 ~ /^(G1 |GC Thread|VM Thread)/ {k = "gc"}
    $2 ~ /^ForkJoinPool/ {k = "carriers"} {print $1, k, $3}'
}

# thread_kinds BEFORE AFTER T0 T1: CPU share by kind from two thread_ticks listings, thread by thread (a thread
# that started in the window counts from 0; one that ended in it counts up to the last listing that had it).
thread_kinds() {
  awk -v t0="$3" -v t1="$4" -v clk="$clk" 'FNR == NR {before[$1] = $3; next}
    {d[$2] += $3 - ($1 in before ? before[$1] : 0)}
    END {s = (t1 - t0) / 1e9; printf "{\"jit\":%.4f,\"gc\":%.4f,\"carriers\":%.4f,\"other\":%.4f}",
      d["jit"]/clk/s, d["gc"]/clk/s, d["carriers"]/clk/s, d["other"]/clk/s}' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

measure() {
  local label=$1 user=$2 servers=$3; shift 3
  local a b t0 t1 rss_max=0 th_max=0 s r th sa sb prev prev_ns now_ns
  helper mark
  t0=$(date +%s%N); a=$(proc_sample "$@"); sa=$(proc_sample "${server_pids[@]}")
  # Per-second CPU share and RSS too, for the report (medians and plots over the window).
  m_cpu_series="" m_rss_series="" prev=${a%% *} prev_ns=$t0
  for _ in $(seq "$window"); do
    sleep 1
    s=$(proc_sample "$@"); r=$(echo "$s" | cut -d' ' -f2); th=$(echo "$s" | cut -d' ' -f3); now_ns=$(date +%s%N)
    [ "$r" -le "$rss_max" ] || rss_max=$r
    [ "$th" -le "$th_max" ] || th_max=$th
    m_cpu_series="$m_cpu_series${m_cpu_series:+,}$(awk -v a="$prev" -v b="${s%% *}" -v t0="$prev_ns" -v t1="$now_ns" -v clk="$clk" 'BEGIN {printf "%.4f", (b - a) / clk / ((t1 - t0) / 1e9)}')"
    m_rss_series="$m_rss_series${m_rss_series:+,}$(awk -v r="$r" 'BEGIN {printf "%.1f", r / 1024}')"
    prev=${s%% *} prev_ns=$now_ns
  done
  b=$(proc_sample "$@"); sb=$(proc_sample "${server_pids[@]}"); t1=$(date +%s%N)
  servers_alive
  helper delta "$user" "$servers"
  read -r m_secs m_questions m_user m_show m_pl m_plmin m_plmax <<<"$answer"
  m_cpu=$(awk -v a="${a%% *}" -v b="${b%% *}" -v t0="$t0" -v t1="$t1" -v clk="$clk" 'BEGIN {printf "%.4f", (b - a) / clk / ((t1 - t0) / 1e9)}')
  # The kernel's part: on loopback a process's sends also pay for the receiver's TCP processing.
  m_sys_cpu=$(awk -v a="${a##* }" -v b="${b##* }" -v t0="$t0" -v t1="$t1" -v clk="$clk" 'BEGIN {printf "%.4f", (b - a) / clk / ((t1 - t0) / 1e9)}')
  m_servers_cpu=$(awk -v a="${sa%% *}" -v b="${sb%% *}" -v t0="$t0" -v t1="$t1" -v clk="$clk" 'BEGIN {printf "%.4f", (b - a) / clk / ((t1 - t0) / 1e9)}')
  m_rss_mb=$(awk -v r="$rss_max" 'BEGIN {printf "%.1f", r / 1024}')
  m_threads=$th_max
  echo "bench: $label: window ${m_secs}s, CPU $(awk -v c="$m_cpu" 'BEGIN {printf "%.1f%%", c * 100}') of one core (kernel $(awk -v c="$m_sys_cpu" 'BEGIN {printf "%.1f%%", c * 100}')), RSS max ${m_rss_mb} MB, threads max $m_threads, process list avg $m_pl (min $m_plmin, max $m_plmax), all $k servers' CPU $(awk -v c="$m_servers_cpu" 'BEGIN {printf "%.0f%%", c * 100}') of one core, Questions $m_questions, $user statements $m_user, SHOW PROCESSLIST $m_show, load average $(bench_loadavg)"
}

load_start=$(bench_loadavg)
bench_start_daemon "$work/sniper.conf" "$work/credentials.conf" "$work/sniper.log"
start_ns=$(date +%s%N)
echo "bench: daemon started (pid $daemon_pid, QS_JAVA_OPTS=$QS_JAVA_OPTS); waiting until it owns all $n databases (at most $own_timeout s)"
owned=0
own_deadline=$(( $(date +%s) + own_timeout ))
while :; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "bench: the daemon exited; its log:" >&2; tail -30 "$work/sniper.log" >&2; exit 1; }
  servers_alive
  owned=$(grep -c 'Now owns database' "$work/sniper.log" 2>/dev/null || true)
  owned=${owned:-0} # the log may not exist yet
  [ "$owned" -lt "$n" ] && [ "$(date +%s)" -lt "$own_deadline" ] || break
  sleep 1
done
own_s=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
echo "bench: owns $owned of $n databases $own_s s after start$([ "$owned" -ge "$n" ] || echo " (NOT ALL: measuring anyway)"); warm-up ${warmup} s"
sleep "$warmup"
kinds_t0=$(date +%s%N); kinds_a=$(thread_ticks "$daemon_pid")
measure "query-sniper, $n databases" sniper all "$daemon_pid"
kinds_b=$(thread_ticks "$daemon_pid"); kinds_t1=$(date +%s%N)
# The daemon's CPU by thread kind over the window: the JIT's compiler threads, the garbage collector's, the
# virtual threads' carriers (the looks, the KILLs) and the rest (I/O pollers, ZooKeeper, cluster, HTTP). A
# thread that ended within the window (HotSpot stops idle compiler threads, the scheduler idle carriers)
# takes its last part with it: the kinds add up to at most the total.
qs_kinds=$(thread_kinds "$kinds_a" "$kinds_b" "$kinds_t0" "$kinds_t1")
echo "bench: query-sniper's CPU by thread kind (share of one core): $qs_kinds"
qs_cpu=$m_cpu qs_sys_cpu=$m_sys_cpu qs_rss=$m_rss_mb qs_threads=$m_threads qs_pl=$m_pl qs_servers_cpu=$m_servers_cpu
qs_cpu_series=$m_cpu_series qs_rss_series=$m_rss_series
qs_stmt_user=$(awk -v u="$m_user" -v n="$n" -v s="$m_secs" 'BEGIN {printf "%.3f", u / n / s}')
qs_stmt_q=$(awk -v u="$m_questions" -v n="$n" -v s="$m_secs" 'BEGIN {printf "%.3f", u / n / s}')
qs_errors=$(grep ' ERROR \| WARN ' "$work/sniper.log" | grep -vc 'cluster.zookeeper is not set\|maxCnxns is not configured' || true)
qs_oom=$(grep -c 'OutOfMemoryError' "$work/sniper.log" || true)
# Process list sizes under the daemon, per server, for the pt-kill top-up.
declare -a pl_daemon
for i in $(seq 0 $((k - 1))); do helper count "$i"; pl_daemon[i]=$answer; done
bench_stop "$daemon_pid"

pt_line="pt-kill: skipped (QS_BENCH_PTKILL=0)"
pt_json='null'
if [ "$ptn" -gt 0 ]; then
  pt_servers=()
  pt_pids=()
  for j in $(seq 0 $((ptn - 1))); do pt_servers+=($(( j % k ))); done
  sleep 2
  for j in $(seq 0 $((ptn - 1))); do
    i=${pt_servers[j]}
    pt-kill --interval 1 --victims all --busy-time 3600 --kill-query --print --run-time $(( window + 120 )) \
      h=127.0.0.1,P="${ports[i]}",u=ptkill,p="$pw" >"$work/pt-kill-$j.log" 2>&1 &
    pt_pids+=($!)
    bench_pids+=($!)
  done
  sleep 3
  # Top each pt-kill server up to the size its process list had under the daemon.
  for i in $(printf '%s\n' "${pt_servers[@]}" | sort -un); do
    helper count "$i"
    [ "$answer" -ge "${pl_daemon[i]}" ] || helper open "$i" $(( pl_daemon[i] - answer )) app
  done
  sleep 5
  pt_csv=$(printf '%s\n' "${pt_servers[@]}" | sort -un | paste -sd,)
  measure "pt-kill, $ptn processes" ptkill "$pt_csv" "${pt_pids[@]}"
  pt_cpu1=$(awk -v c="$m_cpu" -v p="$ptn" 'BEGIN {printf "%.5f", c / p}')
  pt_rss1=$(awk -v r="$m_rss_mb" -v p="$ptn" 'BEGIN {printf "%.2f", r / p}')
  pt_cpu=$(awk -v c="$pt_cpu1" -v n="$n" 'BEGIN {printf "%.4f", c * n}')
  pt_rss=$(awk -v r="$pt_rss1" -v n="$n" 'BEGIN {printf "%.1f", r * n}')
  pt_stmt=$(awk -v s="$m_show" -v p="$ptn" -v t="$m_secs" 'BEGIN {printf "%.3f", s / p / t}')
  pt_line="pt-kill, one process per database, measured on $ptn processes and SCALED to $n: CPU $(awk -v c="$pt_cpu" 'BEGIN {printf "%.0f%%", c * 100}') of one core, RSS $(awk -v r="$pt_rss" 'BEGIN {printf "%.0f MB", r}'), $n processes ($(awk -v c="$pt_cpu1" 'BEGIN {printf "%.2f%%", c * 100}') and $pt_rss1 MB each), $pt_stmt SHOW PROCESSLIST per database per second, process list avg $m_pl"
  pt_json=$(printf '{"measured_processes":%d,"scaled_to":%d,"cpu_share_scaled":%s,"rss_mb_scaled":%s,"cpu_share_per_process":%s,"rss_mb_per_process":%s,"statements_per_db_per_s":%s,"processlist_avg":%s,"servers_cpu_share_measured":%s,"cpu_series":[%s],"rss_mb_series":[%s]}' \
    "$ptn" "$n" "$pt_cpu" "$pt_rss" "$pt_cpu1" "$pt_rss1" "$pt_stmt" "$m_pl" "$m_servers_cpu" "$m_cpu_series" "$m_rss_series")
  for p in "${pt_pids[@]}"; do bench_stop "$p"; done
fi
helper quit || true
load_end=$(bench_loadavg)

echo
echo "fleet: $n databases over $k servers, $app idle application sessions each, interval 1 s, nothing near a limit"
echo "| tool | CPU (share of one core) | RSS | threads | statements per database per second | process list |"
echo "|---|---|---|---|---|---|"
[ "$owned" -ge "$n" ] || echo "NOTE: the daemon owned only $owned of $n databases when the window began ($own_s s after its start)"
echo "servers' CPU during the window (all $k mariadbd, share of one core): $(awk -v c="$qs_servers_cpu" 'BEGIN {printf "%.0f%%", c * 100}') under query-sniper"
printf '| query-sniper (one node, QS_JAVA_OPTS=%s) | %s | %s MB | %s | %s (USER_STATISTICS), %s (Questions) | %s |\n' "$QS_JAVA_OPTS" \
  "$(awk -v c="$qs_cpu" 'BEGIN {printf "%.1f%%", c * 100}')" "$qs_rss" "$qs_threads" "$qs_stmt_user" "$qs_stmt_q" "$qs_pl"
if [ "$ptn" -gt 0 ]; then
  printf '| pt-kill x %d (scaled from %d processes) | %s | %s MB | %d processes | %s (SHOW PROCESSLIST) | %s |\n' "$n" "$ptn" \
    "$(awk -v c="$pt_cpu" 'BEGIN {printf "%.0f%%", c * 100}')" "$(awk -v r="$pt_rss" 'BEGIN {printf "%.0f", r}')" "$n" "$pt_stmt" "$m_pl"
fi
echo "$pt_line"
echo "daemon log: $qs_errors WARN/ERROR lines (besides the embedded-ZooKeeper notices at start), $qs_oom OutOfMemoryError; load average: start $load_start, end $load_end"
if [ "$qs_errors" -gt 0 ]; then
  echo "daemon log, most frequent WARN/ERROR messages (digits as N):"
  grep ' ERROR \| WARN ' "$work/sniper.log" | grep -v 'cluster.zookeeper is not set\|maxCnxns is not configured' \
    | sed 's/^[^ ]* *\(WARN\|ERROR\) *\[[^]]*\] *\([^ ]*\).* - /\1 \2 /; s/[0-9][0-9]*/N/g; s/dbN*/dbN/g' | cut -c1-160 | sort | uniq -c | sort -rn | head -5
fi
json=$(printf '{"bench":"fleet","jar":"%s","java_opts":"%s","databases":%d,"servers":%d,"app_sessions_per_server":%d,"window_s":%d,"loadavg_start":"%s","loadavg_end":"%s","qs":{"owned":%d,"owned_after_s":%s,"cpu_share":%s,"sys_cpu_share":%s,"servers_cpu_share":%s,"rss_mb":%s,"threads":%s,"statements_per_db_per_s":%s,"questions_per_db_per_s":%s,"processlist_avg":%s,"log_warn_error_lines":%s,"cpu_by_thread_kind":%s,"cpu_series":[%s],"rss_mb_series":[%s]},"pt":%s}' \
  "$QS_JAR" "$QS_JAVA_OPTS" "$n" "$k" "$app" "$window" "$load_start" "$load_end" "$owned" "$own_s" "$qs_cpu" "$qs_sys_cpu" "$qs_servers_cpu" "$qs_rss" "$qs_threads" "$qs_stmt_user" "$qs_stmt_q" "$qs_pl" "$qs_errors" "$qs_kinds" "$qs_cpu_series" "$qs_rss_series" "$pt_json")
echo "$json"
if [ -n "${QS_BENCH_JSON:-}" ]; then echo "$json" >>"$QS_BENCH_JSON"; fi
