#!/usr/bin/env sh
# Makes the development TLS material that docker-compose.yml and bin/dev-cluster share: a CA, one server
# certificate whose SANs name every service given (so `tls.mode = verify-identity` and the replica's
# SOURCE_SSL_VERIFY_SERVER_CERT work against those names), and random passwords for the bootstrap users.
# Idempotent: what exists is kept, so restarting a stack does not invalidate a running replica.
#
#   gen-certs.sh OUT_DIR [DNS_NAME...]      (localhost and 127.0.0.1 are always included)
#
# The server key is 0640, owned by $CERT_UID:$CERT_GID when set (the mysql image's server runs as uid 999).
set -eu
out=${1:?usage: gen-certs.sh OUT_DIR [DNS_NAME...]}
shift
mkdir -p "$out/secrets"
chmod 755 "$out"
umask 027

san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do san="$san,DNS:$name"; done

if [ ! -f "$out/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=query-sniper dev CA" \
    -keyout "$out/ca-key.pem" -out "$out/ca.pem" 2>/dev/null
fi
if [ ! -f "$out/server.pem" ] || [ "$(cat "$out/server.san" 2>/dev/null)" != "$san" ]; then
  openssl req -newkey rsa:2048 -nodes -subj "/CN=${1:-localhost}" \
    -keyout "$out/server-key.pem" -out "$out/server.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$out/server.ext"
  openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" -CAcreateserial \
    -days 825 -extfile "$out/server.ext" -out "$out/server.pem" 2>/dev/null
  rm -f "$out/server.csr" "$out/server.ext"
  printf '%s' "$san" >"$out/server.san"
fi
chmod 644 "$out/ca.pem" "$out/server.pem"
chmod 640 "$out/server-key.pem" "$out/ca-key.pem"
if [ -n "${CERT_UID:-}" ]; then chown "$CERT_UID:${CERT_GID:-$CERT_UID}" "$out/server-key.pem"; fi

# Passwords, each where only its readers see it:
#   secrets/  (root only)        every password: the bootstrap reads them
#   mysql/    ($CERT_UID)        the root password the mysql image reads (MYSQL_ROOT_PASSWORD_FILE)
#   sniper/   ($SNIPER_UID)      the daemon's credentials file and its password file, nothing else
#   prometheus/ ($PROMETHEUS_UID) the HTTP bearer token, to scrape /metrics
mkdir -p "$out/mysql" "$out/sniper"
for who in root repl sniper test; do
  [ -s "$out/secrets/$who-password" ] || \
    head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$out/secrets/$who-password"
done
[ -s "$out/secrets/http-token" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$out/secrets/http-token"
cp "$out/secrets/root-password" "$out/mysql/root-password"
cp "$out/secrets/sniper-password" "$out/sniper/sniper-password"
# Relative paths in a credentials file resolve against its folder. The HTTP token guards /metrics,
# /status and reload beyond the probes; Prometheus reads its own copy.
printf 'default { user = "query_sniper", password-file = "sniper-password" }\nhttp { token = "%s" }\n' \
  "$(cat "$out/secrets/http-token")" >"$out/sniper/credentials.conf"
mkdir -p "$out/prometheus"
cp "$out/secrets/http-token" "$out/prometheus/http-token"
chmod 700 "$out/secrets" "$out/mysql" "$out/sniper" "$out/prometheus"
chmod 600 "$out/secrets/"* "$out/mysql/"* "$out/sniper/"* "$out/prometheus/"*
if [ -n "${CERT_UID:-}" ]; then chown -R "$CERT_UID:${CERT_GID:-$CERT_UID}" "$out/mysql"; fi
if [ -n "${SNIPER_UID:-}" ]; then chown -R "$SNIPER_UID" "$out/sniper"; fi
if [ -n "${PROMETHEUS_UID:-}" ]; then chown -R "$PROMETHEUS_UID" "$out/prometheus"; fi
echo "gen-certs: $out (server SANs: $san)"
