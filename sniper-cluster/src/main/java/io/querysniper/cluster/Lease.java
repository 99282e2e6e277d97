package io.querysniper.cluster;

import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * request on the current handle and records the monotonic time just before sending each one that
 * ZooKeeper answers. The request is a {@code multi} of one {@code check} per latch znode this node
 * leads, or a {@code sync} when it leads none: both go to the ensemble's leader, which refuses them
 * for an expired or closed session (a plain read could be answered by a follower cut off from its
 * leader), so an answer proves the session was alive when we sent it and the server cannot expire it
 * before that instant + T. The checks also prove each owned latch: a latch znode deleted or replaced
 * behind Curator's back (it watches only its predecessor) is reported to {@code latchNodeGone} at the
 * first heartbeat that misses it. Never blocks: a heartbeat without an answer never renews the lease.
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
        Map<String, String> led = ledLatchNodes.get();
        long sentAt = nanos.getAsLong();
        try {
            if (led.isEmpty()) {
                zk.sync("/", (rc, path, ctx) -> {
                    if (rc == KeeperException.Code.OK.intValue()) {
                        renew(zk, sentAt);
                    }
                }, null);
                return;
            }
            List<String> dbs = new ArrayList<>(led.keySet());
            List<Op> checks = new ArrayList<>(dbs.size());
            for (String db : dbs) {
                checks.add(Op.check(ZKPaths.fixForNamespace(namespace, led.get(db)), -1));
            }
            zk.multi(checks, (rc, path, ctx, results) -> answered(zk, sentAt, rc, results, dbs, led), null);
        } catch (RuntimeException e) {
            log.debug("Heartbeat not sent: {}", e.toString());
        }
    }

    /**
     * The leader validates the session before it looks at the checks, so a multi that fails only
     * because a check failed (results per op are present) still proves the session.
     */
    private void answered(ZooKeeper zk, long sentAt, int rc, List<OpResult> results, List<String> dbs,
                          Map<String, String> led) {
        if (rc == KeeperException.Code.OK.intValue()) {
            renew(zk, sentAt);
            return;
        }
        if (results == null || results.size() != dbs.size()) {
            return;
        }
        boolean checksOnly = true;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err) {
                int code = err.getErr();
                if (code == KeeperException.Code.NONODE.intValue() || code == KeeperException.Code.BADVERSION.intValue()) {
                    latchNodeGone.accept(dbs.get(i), led.get(dbs.get(i)));
                } else if (code != KeeperException.Code.OK.intValue()
                        && code != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    checksOnly = false;
                }
            }
        }
        if (checksOnly) {
            renew(zk, sentAt);
        }
    }

    private void renew(ZooKeeper zk, long sentAt) {
        if (zk == session.handle()) {
            from.accumulateAndGet(sentAt, (a, b) -> a == Long.MIN_VALUE || b - a > 0 ? b : a);
        }
    }
}
