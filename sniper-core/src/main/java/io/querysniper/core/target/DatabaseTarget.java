package io.querysniper.core.target;

import java.time.Duration;

/**
 * Where and how to connect to one watched server. Pure data: the MySQL adapter turns it into a
 * connection, the config module builds it.
 *
 * @param name              configured database name (the key under {@code databases})
 * @param connectTimeout    TCP connect and login timeout
 * @param statementTimeout  server-side time limit on the daemon's own polling queries
 * @param maxKillConnections connections the adapter may open for KILLs, besides the polling one
 */
public record DatabaseTarget(
        String name,
        String host,
        int port,
        TlsSettings tls,
        KillMethod killMethod,
        Duration connectTimeout,
        Duration statementTimeout,
        int maxKillConnections) {

    public DatabaseTarget {
        if (maxKillConnections < 1) {
            throw new IllegalArgumentException("maxKillConnections must be >= 1: " + maxKillConnections);
        }
    }

    /** A target with the default number of kill connections. */
    public DatabaseTarget(String name, String host, int port, TlsSettings tls, KillMethod killMethod,
                          Duration connectTimeout, Duration statementTimeout) {
        this(name, host, port, tls, killMethod, connectTimeout, statementTimeout,
                io.querysniper.core.watch.WatchSpec.DEFAULT_MAX_KILL_CONNECTIONS);
    }
}
