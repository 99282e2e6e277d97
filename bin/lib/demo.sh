#!/usr/bin/env bash
# `bin/query-sniper demo`: the one-command way in. Starts a throwaway MariaDB (or uses the one given by
# --host), an embedded ZooKeeper and the daemon with one rule, runs a runaway query that carries an
# e-mail address, and shows its kill: the daemon's log line, the journal record, the fingerprint and
# `cluster status`. Everything it starts lives in one temp folder and is removed on exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
qs="$here/query-sniper"

usage() {
  cat <<'EOF'
Usage: query-sniper demo [--host H [--port P] [--user U] [--password-file F]] [--limit SECONDS] [--keep]

Without --host the demo starts its own throwaway mariadbd (Debian/Ubuntu: apt-get install mariadb-server).
With --host it uses that server instead: the user needs PROCESS, CONNECTION ADMIN and CREATE to make the
demo schema `qs_demo` (dropped at the end). --limit is the rule's busy-time (default 2). --keep leaves the
temp folder (config, logs, journal data) for a look afterwards.
EOF
}

host="" port=3306 user="" password_file="" limit=2 keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --password-file) password_file=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$limit" in ''|*[!0-9]*) echo "demo: --limit takes whole seconds, got '$limit'" >&2; exit 2 ;; esac

find_bin() { # first executable of the names given, on PATH or in the usual sbin folders
  local name dir
  for name in "$@"; do
    command -v "$name" 2>/dev/null && return 0
    for dir in /usr/sbin /usr/local/sbin /usr/local/mysql/bin; do
      [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }
    done
  done
  return 1
}

client=$(find_bin mariadb mysql) || { echo "demo: no mariadb or mysql client found; apt-get install mariadb-client" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/query-sniper-demo.XXXXXX")
chmod 700 "$work"
daemon_pid="" server_pid=""

cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if [ "${started_server:-true}" = false ]; then
    sql_admin "DROP DATABASE IF EXISTS qs_demo; DROP USER IF EXISTS 'qs_demo_app'@'%'" >/dev/null 2>&1 || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if $keep; then echo "demo: kept $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }

free_port() { # a port nobody listens on, from the ephemeral range's lower neighbour
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  echo "demo: no free port found" >&2; return 1
}

random_secret() { head -c 18 /dev/urandom | base64 | tr -d '/+=' ; }

if [ -z "$host" ]; then
  mariadbd=$(find_bin mariadbd mysqld) || {
    echo "demo: mariadbd is not installed. Install it (Debian/Ubuntu: apt-get install mariadb-server)," >&2
    echo "demo: or point the demo at a server you have: query-sniper demo --host H --user U --password-file F" >&2
    exit 1; }
  install_db=$(find_bin mariadb-install-db mysql_install_db) || { echo "demo: mariadb-install-db not found" >&2; exit 1; }
  port=$(free_port)
  step "Starting a throwaway MariaDB on 127.0.0.1:$port"
  "$install_db" --no-defaults --user="$(id -un)" --auth-root-authentication-method=socket --skip-test-db \
    --datadir="$work/mysql" >"$work/install-db.log" 2>&1 || { cat "$work/install-db.log" >&2; exit 1; }
  "$mariadbd" --no-defaults --user="$(id -un)" --datadir="$work/mysql" --port="$port" --bind-address=127.0.0.1 \
    --socket="$work/mysqld.sock" --pid-file="$work/mysqld.pid" --log-error="$work/mysqld.err" \
    --skip-name-resolve --innodb-buffer-pool-size=16M --skip-log-bin >/dev/null 2>&1 &
  server_pid=$!
  sql_admin() { "$client" --no-defaults --protocol=socket --socket="$work/mysqld.sock" -uroot -N -e "$1"; }
  for _ in $(seq 1 100); do
    sql_admin "SELECT 1" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "demo: mariadbd did not start:" >&2; tail -n 20 "$work/mysqld.err" >&2; exit 1; }
    sleep 0.1
  done
  sql_admin "SELECT 1" >/dev/null
  host=127.0.0.1
  sniper_user=qs_demo_sniper
  random_secret >"$work/sniper-password"
  sql_admin "CREATE USER '$sniper_user'@'127.0.0.1' IDENTIFIED BY '$(cat "$work/sniper-password")';
             GRANT PROCESS, CONNECTION ADMIN ON *.* TO '$sniper_user'@'127.0.0.1'"
  started_server=true
else
  [ -n "$user" ] || { echo "demo: --host needs --user (and usually --password-file)" >&2; exit 2; }
  sniper_user=$user
  if [ -n "$password_file" ]; then cp "$password_file" "$work/sniper-password"; else : >"$work/sniper-password"; fi
  sql_admin() { "$client" --no-defaults -h "$host" -P "$port" -u "$sniper_user" --password="$(cat "$work/sniper-password")" -N -e "$1"; }
  sql_admin "SELECT 1" >/dev/null || { echo "demo: cannot log in to $host:$port as $user" >&2; exit 1; }
  started_server=false
  # The server is not ours: the daemon's embedded ZooKeeper and data still live in the temp folder.
  host_note=" (yours)"
fi
chmod 600 "$work/sniper-password"

app_password=$(random_secret)
sql_admin "CREATE DATABASE IF NOT EXISTS qs_demo;
           CREATE TABLE IF NOT EXISTS qs_demo.customers (id INT PRIMARY KEY, email VARCHAR(100));
           INSERT IGNORE INTO qs_demo.customers VALUES (1, 'alice.doe@example.com');
           CREATE USER IF NOT EXISTS 'qs_demo_app'@'%' IDENTIFIED BY '$app_password';
           GRANT SELECT ON qs_demo.* TO 'qs_demo_app'@'%'"

cat >"$work/query-sniper.conf" <<EOF
# Written by \`query-sniper demo\`: one database, one rule.
query-sniper {
  node-id = "demo-node"
  data-dir = "data"
  http { listen = off }   # the demo ends before anyone would read its metrics
  databases {
    demo {
      host = "$host"
      port = $port
      tls { mode = preferred }
      rules = [
        { name = "runaway-select", match { info = "(?i)^\\\\s*select" }, busy-time = ${limit}s, action = kill-query }
      ]
    }
  }
}
EOF
cat >"$work/credentials.conf" <<EOF
demo { user = "$sniper_user", password-file = "sniper-password" }
EOF
chmod 600 "$work/credentials.conf"

step "Starting query-sniper (embedded ZooKeeper under $work/data)"
echo "config:"; sed 's/^/  /' "$work/query-sniper.conf"
"$qs" run --config "$work/query-sniper.conf" --credentials "$work/credentials.conf" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "demo: the daemon stopped:" >&2; tail -n 30 "$work/daemon.log" >&2; exit 1; }
  "$qs" cluster status --config "$work/query-sniper.conf" >/dev/null 2>&1 && break
  sleep 0.2
done
"$qs" cluster status --config "$work/query-sniper.conf" >/dev/null 2>&1 \
  || { echo "demo: the daemon did not take the database within 60 s:" >&2; tail -n 30 "$work/daemon.log" >&2; exit 1; }

query="SELECT id FROM qs_demo.customers WHERE email = 'alice.doe@example.com' AND SLEEP(60) = 0"
step "A runaway query on ${host}:${port}${host_note:-}, with an e-mail address in it (the rule allows ${limit} s)"
echo "  $query"
start=$(date +%s.%N)
set +e
"$client" --no-defaults -h "$host" -P "$port" -u qs_demo_app --password="$app_password" --protocol=tcp \
  -e "$query" >"$work/client.out" 2>&1
rc=$?
set -e
end=$(date +%s.%N)
printf '  the client got, after %s s: %s\n' "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" "$(tr -d '\n' <"$work/client.out")"
[ $rc -ne 0 ] || { echo "demo: the query was not killed" >&2; exit 1; }

step "The daemon's log line"
for _ in $(seq 1 50); do grep -q 'KILLED' "$work/daemon.log" && break; sleep 0.1; done
grep 'KILLED' "$work/daemon.log" | sed 's/^/  /'

step "The journal record (bin/query-sniper journal --config ...)"
"$qs" journal --config "$work/query-sniper.conf" --since 10m | sed 's/^/  /'

step "The fingerprint (bin/query-sniper fingerprint): the address is gone"
echo "$query" | "$qs" fingerprint | sed 's/^/  /'

step "Who watches what (bin/query-sniper cluster status --config ...)"
"$qs" cluster status --config "$work/query-sniper.conf" | sed 's/^/  /'

step "The address appears nowhere in what the daemon wrote"
if grep -rqa 'alice.doe' "$work/daemon.log" "$work/data" 2>/dev/null; then
  echo "  FOUND: this is a bug, please report it" >&2; exit 1
fi
echo "  checked the log and the journal's data folder: not found"
if $started_server; then step "Done: stopping the daemon and the server, removing $work"; else step "Done: stopping the daemon, dropping qs_demo, removing $work"; fi
