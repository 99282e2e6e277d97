package io.querysniper.core.target;

import java.time.Duration;

/**
 * Where and how to connect to one watched server. Pure data: the MySQL adapter turns it into a
 * connection, the config module builds it.
 *
 * @param name              configured database name (the key under {@code databases})
 * @param connectTimeout    TCP connect and login timeout
 * @param statementTimeout  server-side time limit on the daemon's own polling queries
 */
public record DatabaseTarget(
        String name,
        String host,
        int port,
        TlsSettings tls,
        KillMethod killMethod,
        Duration connectTimeout,
        Duration statementTimeout) {
}
