package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * This node's seats in the databases' leader latches: joining them, handing one over (leave and
 * rejoin at the back of the queue), rejoining all after a lost session, leaving for good, and what
 * is owned since when. Every node sits in the latch of every database it has configured, so each
 * database always has a queue of standbys.
 */
final class LatchSeats implements Rebalancer.Latches {
    private static final Logger log = LoggerFactory.getLogger(LatchSeats.class);

    /** One participation in one database's latch; replaced (not reused) when we rejoin. */
    static final class Seat {
        final String db;
        final LeaderLatch latch;
        final long createdNanos;
        /** Session epoch the seat was made in; seats of a lost session never grant mayKill. */
        final int epoch;
        volatile boolean releasing;
        /** The watch on this seat's latch znode saw it deleted: it never grants mayKill again. */
        volatile boolean nodeGone;

        Seat(String db, LeaderLatch latch, long createdNanos, int epoch) {
            this.db = db;
            this.latch = latch;
            this.createdNanos = createdNanos;
            this.epoch = epoch;
        }
    }

    private final String selfId;
    private final Clock clock;
    private final LongSupplier nanos;
    private final SessionWatch session;
    /** True while this node may take ownership (started, not released, not closed). */
    private final BooleanSupplier active;
    private final Consumer<String> changed;
    private final Map<String, Seat> seats = new ConcurrentHashMap<>();
    private final Map<String, Instant> owned = new ConcurrentHashMap<>();
    private final Map<String, Long> droppedAt = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final java.util.concurrent.atomic.AtomicLong handOvers = new java.util.concurrent.atomic.AtomicLong();
    private volatile CuratorFramework client;
    private volatile OwnerDirectory directory;

    LatchSeats(String selfId, Clock clock, LongSupplier nanos, SessionWatch session, BooleanSupplier active,
               Consumer<String> changed) {
        this.selfId = selfId;
        this.clock = clock;
        this.nanos = nanos;
        this.session = session;
        this.active = active;
        this.changed = changed;
    }

    void attach(CuratorFramework c, OwnerDirectory dir) {
        client = c;
        directory = dir;
    }

    Seat seat(String db) {
        return seats.get(db);
    }

    @Override
    public boolean seated(String db) {
        return seats.get(db) != null;
    }

    @Override
    public long nodelessSince(String db) {
        Seat seat = seats.get(db);
        return seat == null || seat.latch.getOurPath() != null ? -1 : seat.createdNanos;
    }

    @Override
    public boolean leads(String db) {
        Seat seat = seats.get(db);
        return seat != null && seat.latch.hasLeadership();
    }

    @Override
    public boolean queued(String db, String node) throws Exception {
        Seat seat = seats.get(db);
        return seat != null && participates(seat.latch, node);
    }

    /** Joins the latches of these databases (those without a seat yet). */
    void join(Collection<String> dbs) {
        synchronized (lock) {
            for (String db : dbs) {
                if (!seats.containsKey(db)) {
                    Seat seat = newSeat(db);
                    seats.put(db, seat);
                    startQuietly(seat.latch);
                }
            }
        }
    }

    /** Leaves the latches of these databases for good: a standby queued on each takes over at once. */
    void leave(Collection<String> dbs) {
        synchronized (lock) {
            for (String db : dbs) {
                Seat seat = seats.remove(db);
                if (seat != null) {
                    seat.releasing = true;
                    owned.remove(db);
                    closeQuietly(seat.latch);
                    changed.accept(db);
                }
            }
        }
    }

    /** Gives a database up so the planned owner, queued behind us, can take it; we rejoin at the back. */
    @Override
    public void handOver(String db, String target) {
        synchronized (lock) {
            Seat old = seats.get(db);
            if (!active.getAsBoolean() || old == null) {
                return;
            }
            handOvers.incrementAndGet();
            Seat fresh = newSeat(db);
            // Swap first: from here on mayKill(db) asks the fresh (non-leading) seat.
            seats.put(db, fresh);
            old.releasing = true;
            try (var d = MDC.putCloseable("qs.db", db)) {
                log.info("Handing database {} over to node {}", db, target);
            }
            closeQuietly(old.latch);
            startQuietly(fresh.latch);
        }
    }

    /**
     * The lease's watch found the latch znode at {@code path} deleted. If it is still this seat's node,
     * the seat stops granting mayKill at once and is replaced by a fresh one at the back of the queue
     * (whoever was behind us already leads: its watch on our node fired when the node went).
     */
    void latchNodeGone(String db, String path, Consumer<Runnable> later) {
        Seat seat = seats.get(db);
        if (seat == null || !path.equals(seat.latch.getOurPath()) || seat.nodeGone) {
            return;
        }
        seat.nodeGone = true;
        owned.remove(db);
        try (var d = MDC.putCloseable("qs.db", db)) {
            log.error("The latch node {} of database {} is gone (deleted outside this node): stopped killing on it; "
                    + "rejoining the latch", path, db);
        }
        changed.accept(db);
        later.accept(() -> {
            if (seats.get(db) == seat) {
                handOver(db, "(the next in the queue)");
            }
        });
    }

    /** After the session was lost, Curator's latches do not rejoin by themselves: rejoin all. */
    void rejoinAll() {
        synchronized (lock) {
            if (!active.getAsBoolean()) {
                return;
            }
            for (String db : seats.keySet()) {
                Seat old = seats.get(db);
                Seat fresh = newSeat(db);
                seats.put(db, fresh);
                old.releasing = true;
                closeQuietly(old.latch);
                startQuietly(fresh.latch);
            }
            log.info("Rejoined {} latches after the ZooKeeper session was lost", seats.size());
        }
    }

    /**
     * The session's latch nodes are gone with it. Left open, each latch would find its node
     * missing on the next check, log "Can't find our node" at ERROR and re-create a node by itself
     * (which {@link #rejoinAll()} then deletes again). Closed now, they stay quiet; rejoinAll
     * gives every database a fresh seat once the new session is up.
     */
    void closeForLostSession() {
        synchronized (lock) {
            for (Seat seat : seats.values()) {
                seat.releasing = true;
                closeQuietly(seat.latch);
            }
        }
    }

    /** Closes every latch (a graceful stop); returns what was owned. Seats stay, inert. */
    Set<String> releaseAll() {
        Set<String> had = new TreeSet<>(owned.keySet());
        synchronized (lock) {
            for (Seat seat : seats.values()) {
                seat.releasing = true;
                closeQuietly(seat.latch);
            }
        }
        owned.clear();
        return had;
    }

    long handOvers() {
        return handOvers.get();
    }

    void forgetDrops() {
        droppedAt.clear();
    }

    /** What we hold now, plus what a latch dropped in the last seconds for connection reasons. */
    Set<String> heldNow() {
        Set<String> held = new TreeSet<>();
        seats.forEach((db, seat) -> {
            if (seat.latch.hasLeadership()) {
                held.add(db);
            }
        });
        long recent = nanos.getAsLong() - TimeUnit.SECONDS.toNanos(2);
        droppedAt.forEach((db, at) -> {
            if (at - recent > 0) {
                held.add(db);
            }
        });
        return Set.copyOf(held);
    }

    /** db -> latch znode path, for every seat that leads now (what the lease watches). */
    Map<String, String> ledLatchNodes() {
        Map<String, String> led = new TreeMap<>();
        seats.forEach((db, seat) -> {
            String path = seat.latch.getOurPath();
            if (path != null && !seat.nodeGone && seat.latch.hasLeadership()) {
                led.put(db, path);
            }
        });
        return led;
    }

    /** Databases whose latch this node holds, with the instant it got each, sorted. */
    Map<String, Instant> owned() {
        Map<String, Instant> result = new LinkedHashMap<>();
        new TreeSet<>(owned.keySet()).forEach(db -> {
            Instant since = owned.get(db);
            if (since != null) {
                result.put(db, since);
            }
        });
        return result;
    }

    static boolean participates(LeaderLatch latch, String nodeId) throws Exception {
        for (Participant p : latch.getParticipants()) {
            if (p.getId().equals(nodeId)) {
                return true;
            }
        }
        return false;
    }

    private Seat newSeat(String db) {
        LeaderLatch latch = new LeaderLatch(client, ClusterPaths.latch(db), selfId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        Seat seat = new Seat(db, latch, nanos.getAsLong(), session.epoch());
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                onLeadership(seat, true);
            }

            @Override
            public void notLeader() {
                onLeadership(seat, false);
            }
        });
        return seat;
    }

    private void onLeadership(Seat seat, boolean leader) {
        String db = seat.db;
        try (var n = MDC.putCloseable("qs.node", selfId); var d = MDC.putCloseable("qs.db", db)) {
            if (leader) {
                if (seats.get(db) != seat || seat.epoch != session.epoch() || seat.nodeGone || !active.getAsBoolean()) {
                    return;
                }
                Instant since = clock.instant();
                owned.put(db, since);
                droppedAt.remove(db);
                log.info("Now owns database {}", db);
                directory.claim(db, since, () -> {
                    Seat s = seats.get(db);
                    return s != null && s.latch.hasLeadership();
                });
            } else {
                Seat current = seats.get(db);
                if (current == seat || current == null || !current.latch.hasLeadership()) {
                    owned.remove(db);
                }
                if (!seat.releasing) {
                    droppedAt.put(db, nanos.getAsLong());
                    log.warn("Lost database {} (connection {})", db, session.connection());
                } else {
                    log.info("Released database {}", db);
                    directory.clearIfMine(db);
                }
            }
        }
        changed.accept(db);
    }

    private static void closeQuietly(LeaderLatch latch) {
        try {
            latch.close();
        } catch (IOException | IllegalStateException e) {
            log.debug("close: {}", e.toString());
        }
    }

    private static void startQuietly(LeaderLatch latch) {
        try {
            latch.start();
        } catch (Exception e) {
            log.warn("Could not join latch: {}", e.toString());
        }
    }
}
