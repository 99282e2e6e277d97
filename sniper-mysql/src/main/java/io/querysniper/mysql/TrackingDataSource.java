package io.querysniper.mysql;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.JdbcConnection;

/**
 * The DataSource under the Hikari pool: every physical connection the pool opens passes through here,
 * so the daemon learns its own connection ids (never to be killed) and re-detects the server (flavour,
 * version, kill procedures) at each connect, which also covers a server replaced behind the same address.
 */
final class TrackingDataSource implements DataSource {
    private final ConnectionSettings settings;
    private final Set<Long> ownIds = ConcurrentHashMap.newKeySet();
    private volatile ServerInfo serverInfo;
    /**
     * Set by Hikari from its connection timeout. Kept because Hikari's pool shutdown waits this long for a
     * connection being added: answering 0 made it give up at once and log "Timed-out waiting for add
     * connection executor to shutdown" whenever a pool was closed while filling (e.g. right after one look).
     */
    private volatile int loginTimeoutSeconds;

    TrackingDataSource(ConnectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = settings.connect();
        try {
            ownIds.add(c.unwrap(JdbcConnection.class).getId());
            serverInfo = ServerInfo.detect(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Ids of every connection this pool has opened; the caller intersects with the live process list. */
    Set<Long> ownIds() {
        return ownIds;
    }

    /**
     * Drops ids of connections that are gone. Thread ids grow monotonically, so an id above the largest
     * live one belongs to a connection opened after the look and is kept.
     */
    void retainOwnIds(Set<Long> live) {
        long max = live.stream().mapToLong(Long::longValue).max().orElse(Long.MAX_VALUE);
        ownIds.removeIf(id -> id < max && !live.contains(id));
    }

    ServerInfo serverInfo() {
        return serverInfo;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials are fixed per database");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
