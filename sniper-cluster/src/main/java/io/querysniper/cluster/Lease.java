package io.querysniper.cluster;

import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The lease: leadership counts only while ZooKeeper answered a heartbeat sent at most T/4 ago.
 * <p>
 * A heartbeat every T/10 on its own thread (a busy balancer cannot delay it) sends one asynchronous
 * {@code sync} on the current handle and records the monotonic time just before sending each one that
 * ZooKeeper answers. A {@code sync} goes to the ensemble's leader, which refuses it for an expired or
 * closed session (a plain read could be answered by a follower cut off from its leader), so an answer
 * proves the session was alive when we sent it and the server cannot expire it before that instant + T.
 * <p>
 * Each latch znode this node leads is watched ({@code exists} with a watch, set at the first heartbeat
 * that finds it led): a latch znode deleted behind Curator's back (it watches only its predecessor) is
 * reported to {@code latchNodeGone} when its deletion event arrives. ZooKeeper delivers a session's
 * watch events and replies in order, and the client runs both on one event thread, so the deletion is
 * handled before the reply to any heartbeat sent after it renews the lease: as strong as checking every
 * led znode in each heartbeat, which the heartbeat did before as a {@code multi} of one {@code check}
 * per led znode. That multi was a write transaction: at 1,000 databases it logged and fsynced 60 KB a
 * second, and the server kept its last 500 in memory for followers (about 100 MB of heap after ten
 * minutes, profiled with bench/fleet). Never blocks: a heartbeat without an answer never renews the lease.
 */
final class Lease {
    private static final Logger log = LoggerFactory.getLogger(Lease.class);
    /** The lease lasts this fraction of T after the newest answered heartbeat was sent. */
    static final double LEASE_FRACTION = 0.25;
    /** Heartbeat period, as a fraction of T: 2.5 beats per lease, so one late beat does not stop us. */
    static final double HEARTBEAT_FRACTION = 0.1;

    private final SessionWatch session;
    private final String namespace;
    private final LongSupplier nanos;
    /** db -> namespace-relative path of the latch znode this node leads, at the moment of the beat. */
    private final Supplier<Map<String, String>> ledLatchNodes;
    /** Called with (db, path) when a heartbeat finds a led latch znode missing. */
    private final BiConsumer<String, String> latchNodeGone;
    /**
     * {@link #nanos} reading taken just BEFORE sending the newest heartbeat that ZooKeeper
     * answered (Long.MIN_VALUE: none yet).
     */
    private final AtomicLong from = new AtomicLong(Long.MIN_VALUE);
    /**
     * Namespace-relative latch znode path -> db, for every znode watched on {@link #watchedOn}: its watch is
     * set (or being set). Emptied when the handle changes (a new session has none of the old watches).
     */
    private final Map<String, String> watched = new ConcurrentHashMap<>();
    /** The handle the watches in {@link #watched} are set on (written by the heartbeat thread). */
    private volatile ZooKeeper watchedOn;
    private volatile ScheduledExecutorService thread;
    private volatile boolean running;

    Lease(SessionWatch session, String namespace, LongSupplier nanos, Supplier<Map<String, String>> ledLatchNodes,
          BiConsumer<String, String> latchNodeGone) {
        this.session = session;
        this.namespace = namespace;
        this.nanos = nanos;
        this.ledLatchNodes = ledLatchNodes;
        this.latchNodeGone = latchNodeGone;
    }

    void start(ScheduledExecutorService executor) {
        thread = executor;
        running = true;
        long beatNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), (long) (session.sessionNanos() * HEARTBEAT_FRACTION));
        executor.scheduleAtFixedRate(this::beat, 0, beatNanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        running = false;
    }

    /** True while the newest answered heartbeat was sent less than T/4 ago. */
    boolean held() {
        long f = from.get();
        return f != Long.MIN_VALUE && nanos.getAsLong() - f < leaseNanos();
    }

    long leaseNanos() {
        return (long) (session.sessionNanos() * LEASE_FRACTION);
    }

    /** How long ago the newest answered heartbeat was sent, or -1 when none was answered (for benches and status). */
    long ageNanos() {
        long f = from.get();
        return f == Long.MIN_VALUE ? -1 : nanos.getAsLong() - f;
    }

    /** A lease proves a session; after LOST that session is gone. */
    void reset() {
        from.set(Long.MIN_VALUE);
    }

    /** Renews the lease at once after a (re)connect instead of up to one period later. */
    void beatNow() {
        ScheduledExecutorService h = thread;
        if (h != null && !h.isShutdown()) {
            try {
                h.execute(this::beat);
            } catch (RejectedExecutionException closing) {
                // closing
            }
        }
    }

    private void beat() {
        ZooKeeper zk = session.handle();
        if (!running || zk == null || !zk.getState().isConnected()) {
            return;
        }
        long sentAt = nanos.getAsLong();
        try {
            // Before the sync, on the same connection: a led znode already gone is reported before the sync's reply.
            watchLedLatchNodes(zk);
            zk.sync("/", (rc, path, ctx) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    renew(zk, sentAt);
                }
            }, null);
        } catch (RuntimeException e) {
            log.debug("Heartbeat not sent: {}", e.toString());
        }
    }

    /** Sets a watch on every led latch znode not watched yet on this handle (each one once). */
    private void watchLedLatchNodes(ZooKeeper zk) {
        if (zk != watchedOn) {
            watched.clear();
            watchedOn = zk;
        }
        for (Map.Entry<String, String> e : ledLatchNodes.get().entrySet()) {
            if (watched.putIfAbsent(e.getValue(), e.getKey()) == null) {
                watch(zk, e.getKey(), e.getValue());
            }
        }
    }

    private void watch(ZooKeeper zk, String db, String path) {
        zk.exists(ZKPaths.fixForNamespace(namespace, path), event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                gone(zk, db, path);
            } else if (event.getType() != Watcher.Event.EventType.None && zk == session.handle()) {
                watch(zk, db, path); // a watch fires once: set it again (a latch znode's data never changes)
            }
        }, (rc, p, ctx, stat) -> {
            if (rc == KeeperException.Code.NONODE.intValue()) {
                gone(zk, db, path);
            } else if (rc != KeeperException.Code.OK.intValue()) {
                watched.remove(path, db); // not set (connection loss): the next heartbeat sets it
            }
        }, null);
    }

    /** Runs on ZooKeeper's event thread, before the reply to any heartbeat sent after the deletion. */
    private void gone(ZooKeeper zk, String db, String path) {
        if (zk == watchedOn) {
            watched.remove(path, db);
        }
        latchNodeGone.accept(db, path); // ignored unless it is still the seat's own znode
    }

    private void renew(ZooKeeper zk, long sentAt) {
        if (zk == session.handle()) {
            from.accumulateAndGet(sentAt, (a, b) -> a == Long.MIN_VALUE || b - a > 0 ? b : a);
        }
    }
}
