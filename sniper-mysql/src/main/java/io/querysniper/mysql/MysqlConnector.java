package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;

/**
 * Opens single connections to one target with exactly the settings {@link MysqlServerPort} uses
 * (JDBC hardening, TLS per {@link io.querysniper.core.target.TlsMode}, timeouts, connection attributes
 * {@code program_name=query-sniper} and {@code qs_node}), for other adapters of this module that must
 * not copy that code (the kill export). No pool: the caller decides how long a connection lives.
 * {@link #close()} deletes the temporary key stores made from PEM files; it is idempotent.
 */
public final class MysqlConnector implements AutoCloseable {
    private final ConnectionSettings settings;

    public MysqlConnector(DatabaseTarget target, Credentials credentials, String nodeId) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(credentials, "credentials");
        this.settings = new ConnectionSettings(target, credentials, nodeId);
    }

    /** A new physical connection (autocommit on, no default schema); bounded by the target's connect timeout. */
    public Connection connect() throws SQLException {
        return settings.connect();
    }

    /** host:port, for messages. */
    public String address() {
        return settings.address();
    }

    @Override
    public void close() {
        settings.close();
    }
}
