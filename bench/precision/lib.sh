# Sourced by bench/precision, bench/storm and bench/fleet: the jar under test, throwaway mariadbd
# servers, the daemon started as bin/query-sniper starts it, and a cleanup trap.
#   QS_JAR               jar to run (default: the repo's sniper-daemon/target/query-sniper.jar, built when missing)
#   QS_JAVA_OPTS         JVM flags of the daemon, as bin/query-sniper passes them
#   QS_BENCH_EXTRA_CONF  HOCON lines added to every database's block
#   QS_BENCH_KEEP=1      keep the work dir (daemon, pt-kill and server logs)
# The caller sets `bench_root` (the repo) before sourcing.
. "$bench_root/bin/lib/find-jdk.sh"
qs_find_jdk
qs_quiet_maven
export JAVA_HOME

QS_JAR=${QS_JAR:-$bench_root/sniper-daemon/target/query-sniper.jar}
if [ ! -f "$QS_JAR" ]; then
  if [ "$QS_JAR" = "$bench_root/sniper-daemon/target/query-sniper.jar" ]; then
    echo "bench: building $QS_JAR" >&2
    (cd "$bench_root" && mvn -B -q -DskipTests package -pl sniper-daemon -am >&2)
  else
    echo "bench: QS_JAR=$QS_JAR does not exist" >&2; exit 1
  fi
fi
QS_JAR=$(cd "$(dirname "$QS_JAR")" && pwd)/$(basename "$QS_JAR")
command -v pt-kill >/dev/null || { echo "bench: pt-kill missing (apt-get install percona-toolkit)" >&2; exit 1; }
command -v mariadb-install-db >/dev/null || { echo "bench: mariadb-install-db missing (apt-get install mariadb-server)" >&2; exit 1; }

bench_pids=()
bench_work=""
bench_cleanup() {
  local p
  # Tools first (they would log the servers' disappearance), then the servers.
  for p in "${bench_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${bench_pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  if [ -n "$bench_work" ]; then
    if [ -n "${QS_BENCH_KEEP:-}" ]; then echo "bench: kept $bench_work" >&2; else rm -rf "$bench_work"; fi
  fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# bench_workdir NAME: creates and sets bench_work.
bench_workdir() { bench_work=$(mktemp -d "${TMPDIR:-/tmp}/qs-$1.XXXXXX"); }

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_install_template DIR [mariadbd options]: an initialised datadir to copy for each server.
# Its temporary files go to DIR.tmp, not /tmp, for the reason given at bench_start_mariadb (it failed there too:
# "Error on delete of '/tmp/#sql-temptable-...'").
bench_install_template() {
  local dir=$1; shift
  mkdir -p "$dir.tmp"
  mariadb-install-db --no-defaults --datadir="$dir" --auth-root-authentication-method=normal \
    --skip-test-db --tmpdir="$dir.tmp" "$@" >"$dir.install.log" 2>&1 || { cat "$dir.install.log" >&2; return 1; }
}

# bench_start_mariadb TEMPLATE DIR PORT [mariadbd options]: copies the template datadir to DIR/db and
# starts mariadbd on 127.0.0.1:PORT (socket DIR/sock). Appends its pid to bench_pids; does not wait.
# Its temporary files go to DIR/tmp: on a shared machine something removed MariaDB's Aria temporary tables
# from /tmp mid-statement ("Error on delete of '/tmp/#sql-temptable-...'"), and MariaDB 10.11 then crashed.
bench_start_mariadb() {
  local template=$1 dir=$2 port=$3; shift 3
  mkdir -p "$dir/tmp"
  cp -a "$template" "$dir/db"
  /usr/sbin/mariadbd --no-defaults --datadir="$dir/db" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --user="$(id -un)" --skip-log-bin --skip-name-resolve --userstat=1 \
    --open-files-limit=16384 --tmpdir="$dir/tmp" --log-error="$dir/mariadbd.err" --pid-file="$dir/mariadbd.pid" "$@" &
  bench_pids+=($!)
}

# bench_wait_mariadb DIR: waits (up to 60 s) until the server in DIR answers on its socket.
bench_wait_mariadb() {
  local dir=$1 i
  for i in $(seq 600); do
    if [ -S "$dir/sock" ] && mariadb --no-defaults -S "$dir/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "bench: mariadbd in $dir did not start; its log:" >&2; tail -20 "$dir/mariadbd.err" >&2; return 1
}

bench_sql() { # bench_sql DIR SQL...: runs SQL as root over DIR's socket, batch output
  local dir=$1; shift
  mariadb --no-defaults -S "$dir/sock" -uroot -N -B -e "$*"
}

# bench_start_daemon CONFIG CREDENTIALS LOG: `query-sniper run` as bin/query-sniper runs it
# (java ${QS_JAVA_OPTS} -jar ... run). Sets daemon_pid and appends it to bench_pids.
bench_start_daemon() {
  # shellcheck disable=SC2086 # QS_JAVA_OPTS is a list of flags, as in bin/query-sniper
  "$JAVA_HOME/bin/java" ${QS_JAVA_OPTS:-} -jar "$QS_JAR" run --config "$1" --credentials "$2" >"$3" 2>&1 &
  daemon_pid=$!
  bench_pids+=($daemon_pid)
}

# bench_stop PID: stops one process the bench started and waits for it.
bench_stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# bench_extra_conf: QS_BENCH_EXTRA_CONF, indented for a database block.
bench_extra_conf() { [ -z "${QS_BENCH_EXTRA_CONF:-}" ] || printf '%s\n' "$QS_BENCH_EXTRA_CONF" | sed 's/^/      /'; }

bench_header() { # bench_header NAME: what runs, on which load
  echo "bench $1: jar $QS_JAR ($(stat -c %y "$QS_JAR" | cut -d. -f1)), QS_JAVA_OPTS='${QS_JAVA_OPTS:-}', extra conf '${QS_BENCH_EXTRA_CONF:-}'"
  echo "bench $1: $(nproc) cores, load average at start $(bench_loadavg), $(pt-kill --version), $(/usr/sbin/mariadbd --version | awk '{print $3}')"
}
