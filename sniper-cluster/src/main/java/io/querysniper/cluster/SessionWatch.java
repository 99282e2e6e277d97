package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.ZooKeeper;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What this node knows about its ZooKeeper session: the current handle, the last connection event,
 * the trouble in progress (when it began and what we held then) and the session epoch. Written by
 * Curator's connection-state thread and by {@code mayKill} callers; read by everyone. Decides
 * nothing itself: {@link Fencing} does.
 */
final class SessionWatch {
    /** Fraction of the negotiated session timeout during which a SUSPENDED owner may go on. */
    static final double SUSPENDED_FRACTION = 0.25;

    /** Coordination trouble in progress: when it began and what we held then. */
    record Trouble(long startNanos, Set<String> held, boolean lost) {
        Trouble lostNow() {
            return new Trouble(startNanos, held, true);
        }
    }

    private final ClusterOptions options;
    private final LongSupplier nanos;
    private final Object troubleLock = new Object();

    private volatile CuratorFramework client;
    private volatile ZooKeeper handle;
    private volatile ConnectionState connection;
    private volatile Trouble trouble;
    private volatile boolean lostSinceReconnect;
    /**
     * Bumped on every LOST. A latch of the lost session may still see its old node (the server
     * has not expired that session yet) and claim leadership from it; only seats made after the
     * loss count.
     */
    private volatile int epoch;

    SessionWatch(ClusterOptions options, LongSupplier nanos) {
        this.options = options;
        this.nanos = nanos;
    }

    void attach(CuratorFramework c) {
        client = c;
    }

    /** Remembers the ZooKeeper handle of the current session (Curator replaces it after expiry). */
    void rememberHandle() {
        try {
            handle = client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            handle = null;
        }
    }

    ZooKeeper handle() {
        return handle;
    }

    ConnectionState connection() {
        return connection;
    }

    void connection(ConnectionState state) {
        connection = state;
    }

    int epoch() {
        return epoch;
    }

    /** Called on LOST only, from the single connection-state thread. */
    void sessionLost() {
        epoch++;
        lostSinceReconnect = true;
    }

    /** True once after a LOST, at the first (re)connect that follows. */
    boolean takeLostSinceReconnect() {
        boolean was = lostSinceReconnect;
        lostSinceReconnect = false;
        return was;
    }

    void clearTrouble() {
        synchronized (troubleLock) {
            trouble = null;
        }
    }

    /** True when the handle and Curator both say connected. */
    boolean linkUp() {
        ZooKeeper zk = handle;
        CuratorFramework c = client;
        return zk != null && zk.getState().isConnected() && c != null && c.getZookeeperClient().isConnected();
    }

    /** False when the handle itself knows its session expired or was closed. */
    boolean handleAlive() {
        ZooKeeper zk = handle;
        return zk != null && zk.getState().isAlive();
    }

    /**
     * The trouble in progress, or null. mayKill may record trouble from a handle state it read
     * just before a reconnect was processed; such stale trouble is dropped here once handle,
     * Curator and the last connection event all agree the connection is fine again.
     */
    Trouble current(BooleanSupplier leaseHeld) {
        Trouble t = trouble;
        if (t == null) {
            return null;
        }
        ConnectionState last = connection;
        boolean healthy = linkUp() && (last == ConnectionState.CONNECTED || last == ConnectionState.RECONNECTED)
                && leaseHeld.getAsBoolean();
        if (!healthy) {
            return t;
        }
        synchronized (troubleLock) {
            if (trouble == t) {
                trouble = null;
            }
            return trouble;
        }
    }

    Trouble begin(boolean lost, Supplier<Set<String>> heldNow) {
        synchronized (troubleLock) {
            Trouble t = trouble;
            if (t == null) {
                t = new Trouble(nanos.getAsLong(), heldNow.get(), lost);
            } else if (lost && !t.lost()) {
                t = t.lostNow();
            } else {
                return t;
            }
            trouble = t;
            return t;
        }
    }

    long suspendedWindowNanos() {
        return (long) (sessionNanos() * SUSPENDED_FRACTION);
    }

    /** T: the negotiated session timeout, or the requested one when shorter or none was negotiated yet. */
    long sessionNanos() {
        long requested = options.sessionTimeout().toMillis();
        int negotiated = negotiatedMs();
        long sessionMs = negotiated > 0 ? Math.min(requested, negotiated) : requested;
        return TimeUnit.MILLISECONDS.toNanos(sessionMs);
    }

    /** The session timeout the server granted, or 0 before the first connection. */
    int negotiatedMs() {
        CuratorFramework c = client;
        return c == null ? 0 : c.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    }

    /** The ZooKeeper session id, or 0 when there is no handle. */
    long sessionId() {
        ZooKeeper zk = handle;
        return zk == null ? 0 : zk.getSessionId();
    }
}
