package io.querysniper.mysql;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Set;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.JdbcConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DataSource under the Hikari pool: every physical connection the pool opens passes through here,
 * so the daemon learns its own connection ids (never to be killed) and re-detects the server (flavour,
 * version, kill procedures) at each connect, which also covers a server replaced behind the same address.
 */
final class TrackingDataSource implements DataSource {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingDataSource.class);
    private final ConnectionSettings settings;
    /** Whether the last connection opened is encrypted (null before the first): plaintext is warned once. */
    private volatile Boolean encrypted;
    private final java.util.concurrent.atomic.AtomicBoolean warnedPlaintext = new java.util.concurrent.atomic.AtomicBoolean();
    /** Ids of the connections this pool opened most recently: enough to cover every one still open. */
    private final Set<Long> ownIds = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > OWN_IDS_KEPT;
        }
    }));
    /** What each open physical connection reached (weak: a connection the pool dropped goes by itself). */
    private final Map<JdbcConnection, ServerInfo> perConnection = Collections.synchronizedMap(new WeakHashMap<>());
    private volatile ServerInfo serverInfo;
    /** An immutable copy of {@link #ownIds}, replaced whenever a connection is opened: every look reads it. */
    private volatile Set<Long> ownIdsView = Set.of();
    /**
     * Set by Hikari from its connection timeout. Kept because Hikari's pool shutdown waits this long for a
     * connection being added: answering 0 made it give up at once and log "Timed-out waiting for add
     * connection executor to shutdown" whenever a pool was closed while filling (e.g. right after one look).
     */
    private volatile int loginTimeoutSeconds;

    private static final int OWN_IDS_KEPT = 256;

    TrackingDataSource(ConnectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = settings.connect();
        try {
            JdbcConnection raw = c.unwrap(JdbcConnection.class);
            synchronized (ownIds) {
                ownIds.add(raw.getId());
                ownIdsView = Set.copyOf(ownIds);
            }
            ServerInfo info = ServerInfo.detect(c);
            perConnection.put(raw, info);
            serverInfo = info;
            noteEncryption(raw.getSession().isSSLEstablished());
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The daemon reads every session's query text over this connection: in clear, anyone on the path reads it
     * too. Said once per database, at its first plaintext connection (a {@code preferred} mode against a
     * server without TLS ends up here without a word from the driver).
     */
    private void noteEncryption(boolean tls) {
        encrypted = tls;
        if (!tls && warnedPlaintext.compareAndSet(false, true)) {
            LOG.warn("SECURITY WARNING: {}", ConnectionSettings.plaintextWarning(settings.target()));
        }
    }

    /** Whether the last connection opened is encrypted, or null before the first one. */
    Boolean encrypted() {
        return encrypted;
    }

    /**
     * Ids of the connections this pool opened lately (a pool holds far fewer than are kept), so the look can
     * leave them out; ids of closed ones are harmless: the server never gives an id twice while it runs.
     */
    Set<Long> ownIds() {
        return ownIdsView; // the same instance until a connection is opened
    }

    /** What the last connection made learnt about the server. */
    ServerInfo serverInfo() {
        return serverInfo;
    }

    /** What this physical connection reached, or null when it was not opened here. */
    ServerInfo serverInfo(JdbcConnection connection) {
        return perConnection.get(connection);
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
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
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
