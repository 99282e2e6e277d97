#!/usr/bin/env bash
# Runs once after the dev container is created: a MySQL client, then the shared bootstrap (the same
# deploy/common/bootstrap.sh compose runs; it is idempotent), then a first build.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq --no-install-recommends default-mysql-client >/dev/null
FLAVOR=mysql SECRETS=/certs/secrets ROOT_PASSWORD_FILE=/certs/secrets/root-password CA=/certs/ca.pem \
  SOURCE_HOST=mysql-primary SOURCE_PORT=3306 PRIMARY="-h mysql-primary -uroot" REPLICA="-h mysql-replica -uroot" \
  bash deploy/common/bootstrap.sh
mvn -B -q -DskipTests package -pl sniper-daemon -am
echo "ready: bin/query-sniper check --config deploy/common/query-sniper.conf --credentials /certs/sniper/credentials.conf"
