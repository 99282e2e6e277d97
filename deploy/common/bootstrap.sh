#!/usr/bin/env bash
# The bootstrap that docker-compose.yml and bin/dev-cluster share, so the two cannot drift apart.
# On the primary: the replication user (TLS required), the sniper's user with least privileges, the
# `test` user with replication rights and the `test.config` sample table. On the replica: GTID
# replication from the primary over TLS that verifies the CA and the host name. Idempotent.
#
# Environment:
#   FLAVOR           mysql (8.4) or mariadb (10.11+)
#   SECRETS          folder with repl-password, sniper-password, test-password (gen-certs.sh makes them)
#   CA               the CA file as the replica's server sees it
#   SOURCE_HOST/PORT the primary as the replica reaches it (a name in the server certificate's SANs)
#   PRIMARY, REPLICA client arguments for each server, e.g. "-h mysql-primary -uroot" or "--socket=/x -uroot"
#   ROOT_PASSWORD_FILE  optional: the root password, passed to the client through MYSQL_PWD (never argv)
set -euo pipefail
if [ -n "${ROOT_PASSWORD_FILE:-}" ]; then MYSQL_PWD=$(cat "$ROOT_PASSWORD_FILE"); export MYSQL_PWD; fi
: "${FLAVOR:?mysql or mariadb}" "${SECRETS:?}" "${CA:?}" "${SOURCE_HOST:?}" "${PRIMARY:?}" "${REPLICA:?}"
SOURCE_PORT=${SOURCE_PORT:-3306}
client=$(command -v mysql || command -v mariadb)
# shellcheck disable=SC2086 # the client arguments are words on purpose
primary() { "$client" --no-defaults $PRIMARY -N -B -e "$1"; }
# shellcheck disable=SC2086
replica() { "$client" --no-defaults $REPLICA -N -B -e "$1"; }

for who in primary replica; do
  for _ in $(seq 1 120); do "$who" "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
  "$who" "SELECT 1" >/dev/null
done

repl_password=$(cat "$SECRETS/repl-password")
sniper_password=$(cat "$SECRETS/sniper-password")
test_password=$(cat "$SECRETS/test-password")

case "$FLAVOR" in
  mysql)
    # PROCESS to see every session, CONNECTION_ADMIN to kill them, performance_schema for the
    # statement timers and thread types the daemon reads on MySQL 8.
    sniper_grants="GRANT PROCESS, CONNECTION_ADMIN ON *.* TO 'query_sniper'@'%';
                   GRANT SELECT ON performance_schema.* TO 'query_sniper'@'%';"
    replication="CHANGE REPLICATION SOURCE TO SOURCE_HOST='$SOURCE_HOST', SOURCE_PORT=$SOURCE_PORT,
                   SOURCE_USER='repl', SOURCE_PASSWORD='$repl_password', SOURCE_AUTO_POSITION=1,
                   SOURCE_SSL=1, SOURCE_SSL_CA='$CA', SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_CONNECT_RETRY=2;
                 START REPLICA;"
    running="SHOW REPLICA STATUS" ;;
  mariadb)
    sniper_grants="GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'query_sniper'@'%';"
    replication="CHANGE MASTER TO MASTER_HOST='$SOURCE_HOST', MASTER_PORT=$SOURCE_PORT,
                   MASTER_USER='repl', MASTER_PASSWORD='$repl_password', MASTER_USE_GTID=slave_pos,
                   MASTER_SSL=1, MASTER_SSL_CA='$CA', MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_CONNECT_RETRY=2;
                 START SLAVE;"
    running="SHOW SLAVE STATUS" ;;
  *) echo "bootstrap: FLAVOR must be mysql or mariadb, not '$FLAVOR'" >&2; exit 2 ;;
esac

primary "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '$repl_password' REQUIRE SSL;
         GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
         CREATE USER IF NOT EXISTS 'query_sniper'@'%' IDENTIFIED BY '$sniper_password';
         $sniper_grants
         CREATE USER IF NOT EXISTS 'test'@'%' IDENTIFIED BY '$test_password';
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'test'@'%';
         CREATE DATABASE IF NOT EXISTS test;
         GRANT ALL ON test.* TO 'test'@'%';
         CREATE TABLE IF NOT EXISTS test.config (
           name  VARCHAR(64) PRIMARY KEY,
           value VARCHAR(255) NOT NULL,
           updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);
         INSERT IGNORE INTO test.config (name, value) VALUES ('greeting', 'hello'), ('limit', '42');"

if [ -z "$(replica "$running")" ]; then
  replica "$replication"
fi
for _ in $(seq 1 60); do
  [ "$(replica "SELECT COUNT(*) FROM test.config" 2>/dev/null || true)" = 2 ] && break
  sleep 1
done
[ "$(replica "SELECT COUNT(*) FROM test.config")" = 2 ] || { echo "bootstrap: the replica did not catch up" >&2; exit 1; }
echo "bootstrap: primary ready, replica replicating over TLS (GTID)"
