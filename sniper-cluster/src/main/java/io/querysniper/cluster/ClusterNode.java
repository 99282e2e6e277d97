package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import io.querysniper.core.port.KillGate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One Query Sniper node in a ZooKeeper-coordinated cluster: announces itself, joins one Curator
 * {@link org.apache.curator.framework.recipes.leader.LeaderLatch} per database, balances ownership,
 * and answers {@link #mayKill(String)}. This class is the lifecycle facade; each job is a piece of
 * its own: {@link Membership} (the member list, duplicate ids, announced database lists),
 * {@link LatchSeats} (join, hand over, rejoin, leave), {@link Rebalancer} and {@link Balancer} (the
 * plan), {@link OwnerDirectory} (who owns what, for people), {@link Lease} (the heartbeat that
 * proves the session and every owned latch znode), {@link SessionWatch} (connection state and
 * trouble) and {@link Fencing} (the decision before every KILL, a pure function).
 *
 * <h2>Ownership</h2>
 * Every node joins the latch ({@code /<ns>/latches/<db>}) of every database it has configured, so
 * each database always has a queue of standbys and a dead or departing owner is replaced as soon as
 * ZooKeeper deletes its latch node. Every member announces its database list in its member entry
 * ({@code /<ns>/nodes/<id>}). Once the members and their lists have been unchanged for a settle
 * time, every node computes the same plan from them ({@link Balancer}: rendezvous hashing with
 * bounded loads, floor(D/N) or ceil(D/N) each, a database only to a member that has it configured);
 * a node leading a database that the plan gives to another live node that is queued on that latch
 * gives it up (closes its latch, rejoins at the back of the queue). The next in the queue either is
 * the planned owner or gives it up in turn, so ownership converges in at most N-1 hand-overs and
 * never flaps while membership is stable, also while nodes run different database lists (a rolling
 * config change). {@link #updateDatabases(Collection)} changes this node's list live.
 *
 * <h2>Fencing</h2>
 * {@code mayKill(db)} is checked immediately before every KILL. It is true only while this node
 * holds the latch and its session is known to be alive:
 * <ul>
 * <li>Always: the lease must be held. A heartbeat thread sends an asynchronous {@code sync}
 * every T/10 and records the monotonic time just before sending each one that ZooKeeper answers
 * OK. The server refuses a sync of an expired or closed session (the ensemble leader checks it,
 * so a follower cut off from its leader cannot vouch for us), hence the server heard the session
 * at or after that instant and cannot expire it before that instant + T; only then can another
 * node's latch fire. The lease ends T/4 after that instant, whatever the client's connection
 * state says, so it does not depend on the client noticing a dead connection (its read timeout
 * is 2T/3) or on events being delivered in time: a node cut off stops within T/4 of its last
 * answered heartbeat, at least 3T/4 before anyone can take over.</li>
 * <li>CONNECTED/RECONNECTED: true iff the lease is held and the latch says
 * {@code hasLeadership()}.</li>
 * <li>Always: the latch znode must still be there. Curator's latch watches only its predecessor,
 * so a leader whose znode is deleted (by an operator, a script) would never notice while the next
 * in the queue takes over. The lease therefore watches every owned latch znode (set by the first
 * heartbeat that finds it owned, before its sync); its deletion stops the killing on that database
 * and rejoins its latch. ZooKeeper delivers the deletion before the reply to any later heartbeat,
 * so no heartbeat sent after it renews the lease first.</li>
 * <li>SUSPENDED (connection lost, session maybe alive): true only for the first quarter of the
 * negotiated session timeout T after the suspension was noticed. Why a quarter: the ZooKeeper
 * client pings after T/3 of silence and declares the connection lost after 2T/3 without an answer,
 * while the server expires the session T after it last heard from us. In the worst case (the
 * connection is declared dead by read timeout) the session can therefore expire T/3 after we see
 * SUSPENDED, and only then can another node take the latch. Stopping at T/4 leaves T/12 (about
 * 0.8 s for T = 10 s) for event delivery delays and clock-rate differences, so in the default
 * policy two nodes never kill on the same database. Curator's latch is run with
 * {@link SessionConnectionStateErrorPolicy} so a short blip does not drop leadership (and reorder
 * the queue); this class applies the stricter window itself.</li>
 * <li>LOST (session expired), or the ZooKeeper handle itself reports its session closed before
 * Curator has told us: false at once, no grace.</li>
 * </ul>
 * With {@link CoordinationLossPolicy#KEEP_OWNED} the databases held when coordination was lost
 * stay killable for {@code keepOwnedFor} counted from the moment the trouble began (SUSPENDED or
 * LOST, whichever came first), whatever happens to the session. The trade-off: during a ZooKeeper
 * outage those databases keep being watched, but if only this node is cut off another node will
 * take them over after the session expires and both may kill on the same database, e.g. kill the
 * same victim twice (harmless) or apply rules twice to a group (a group rule may kill more than
 * intended). STOP never risks that, at the price of an unwatched database while coordination is
 * down. The windows are measured with a monotonic clock ({@link System#nanoTime()}), not the wall
 * clock, so an NTP step cannot stretch them; the injected {@link Clock} only stamps "since".
 * <p>
 * What fencing here cannot cover: the lease is read from the local monotonic clock at the
 * check, so a process paused for a long time between a check and its KILL still kills late;
 * a check after the pause is refused (the lease has run out). And no client-side check can see a
 * session that the server ends while the client is still heartbeating, e.g. a closeSession sent
 * with the session's id and password from elsewhere: that is not an expiry (a real server
 * expires only sessions it has not heard from for T), and closing that gap entirely would need a
 * fencing token checked at the database server. (ZooKeeper's test hook
 * {@code injectSessionExpiration()} can produce exactly that: it queues a fake Expired event
 * before marking the handle closed, and Curator, closing the "expired" handle, may send
 * closeSession on the live connection; the tests therefore expire sessions by cutting the
 * network instead.)
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} once. On a graceful stop, {@link #releaseLatches()} first (standbys take over
 * at once while this node's session, membership and {@link #client()} stay usable, e.g. for the
 * journal to flush), then {@link #close()}, which closes membership, Curator and the embedded
 * ZooKeeper if any. {@code close()} releases the latches itself when that was not done; both are
 * idempotent.
 */
public final class ClusterNode implements KillGate, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
    /** After the session timeout, a little more for the server to expire a stale entry of our id. */
    private static final Duration STALE_ENTRY_MARGIN = Duration.ofSeconds(2);

    /** How quickly the balancer looks and how long membership must be quiet before it acts. */
    record Tuning(Duration settle, Duration tick) {
        static final Tuning DEFAULT = new Tuning(Duration.ofSeconds(1), Duration.ofMillis(200));
    }

    private enum State { LATENT, STARTED, CLOSED }

    private final ClusterOptions options;
    private final NodeInfo self;
    private final Clock clock;
    private final Tuning tuning;
    private final LongSupplier nanos;

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    /** Set once by {@link #releaseLatches()}: from then on this node never owns anything again. */
    private final AtomicBoolean released = new AtomicBoolean();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Object databasesLock = new Object();
    private final SessionWatch session;
    private final LatchSeats seats;
    private final Lease lease;

    private volatile List<String> databases;
    private volatile CuratorFramework client;
    private volatile EmbeddedZooKeeper embedded;
    private volatile Membership membership;
    private volatile ScheduledExecutorService balancer;
    private volatile ExecutorService events;
    private volatile ScheduledExecutorService heartbeat;

    public ClusterNode(ClusterOptions options, NodeInfo self, Collection<String> databases, Clock clock) {
        this(options, self, databases, clock, Tuning.DEFAULT, System::nanoTime);
    }

    ClusterNode(ClusterOptions options, NodeInfo self, Collection<String> databases, Clock clock,
                Tuning tuning, LongSupplier nanos) {
        this.options = options;
        this.self = self;
        this.databases = List.copyOf(new TreeSet<>(databases));
        this.clock = clock;
        this.tuning = tuning;
        this.nanos = nanos;
        this.session = new SessionWatch(options, nanos);
        this.seats = new LatchSeats(self.id(), clock, nanos, session, this::active, this::notifyListeners);
        this.lease = new Lease(session, options.namespace(), nanos, seats::ledLatchNodes,
                (db, path) -> seats.latchNodeGone(db, path, this::onBalancer));
    }

    /**
     * Connects (starting the embedded ZooKeeper when no ensemble is configured), announces this
     * node and joins every database's latch. Returns once connected; ownership follows shortly.
     *
     * @throws SniperException when ZooKeeper cannot be reached within the connection timeout, or
     *                         when another live member already uses this node's id
     */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new SniperException("cluster node " + self.id() + " was already started (state " + state.get() + ")");
        }
        try (var ignored = MDC.putCloseable("qs.node", self.id())) {
            if (ZkAuth.SASL.equals(options.authScheme())) {
                ZkAuth.requireSaslLogin(); // before anything starts: fail with how to fix it
            }
            String connect = options.connectString();
            if (connect == null) {
                embedded = EmbeddedZooKeeper.start(options.dataDir(), options.embeddedPort());
                connect = embedded.connectString();
            }
            events = Executors.newSingleThreadExecutor(threads("sniper-cluster-events"));
            balancer = Executors.newSingleThreadScheduledExecutor(threads("sniper-cluster-balance"));
            heartbeat = Executors.newSingleThreadScheduledExecutor(threads("sniper-cluster-lease"));
            client = newClient(connect);
            session.attach(client);
            client.getConnectionStateListenable().addListener(connectionListener());
            client.start();
            long waitMs = options.connectionTimeout().toMillis();
            if (!client.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, waitMs), TimeUnit.MILLISECONDS)) {
                throw new SniperException("no ZooKeeper connection to " + connect + " within " + options.connectionTimeout());
            }
            if (session.handle() == null) {
                session.rememberHandle();
            }
            Duration negotiated = Duration.ofMillis(session.negotiatedMs());
            if (!negotiated.isZero() && !negotiated.equals(options.sessionTimeout())) {
                log.warn("ZooKeeper granted a session timeout of {} ms, not the configured {} ms (a server bounds it to 2..20 "
                        + "of its tickTime): fencing uses {} ms; set cluster.session-timeout within the server's bounds",
                        negotiated.toMillis(), options.sessionTimeout().toMillis(), session.sessionNanos() / 1_000_000);
            }
            lease.start(heartbeat);
            for (String path : List.of(ClusterPaths.NODES, ClusterPaths.LATCHES, ClusterPaths.OWNERS)) {
                client.createContainers(path);
            }
            seats.attach(client, new OwnerDirectory(client, self.id(), events));
            membership = new Membership(client, self.configHash(), nanos);
            Duration staleWait = Duration.ofNanos(session.sessionNanos()).plus(STALE_ENTRY_MARGIN);
            synchronized (databasesLock) { // an updateDatabases meanwhile waits, then sees the announced list
                membership.announce(self.withStartedAt(clock.instant())
                        .withSessionTimeouts(options.sessionTimeout(), negotiated.isZero() ? null : negotiated),
                        databases, staleWait);
                if (!released.get()) {
                    seats.join(databases);
                }
            }
            if (released.get()) {
                return; // a graceful stop began while we were starting: join nothing
            }
            Rebalancer rebalancer = new Rebalancer(self.id(), membership::read, seats, () -> databases, this::mayBalance,
                    tuning.settle(), nanos);
            balancer.scheduleWithFixedDelay(rebalancer::tick, 0, tuning.tick().toMillis(), TimeUnit.MILLISECONDS);
            log.info("Cluster node {} started: {} databases, {} (suspended window {} ms)", self.id(), databases.size(),
                    options, suspendedWindowNanos() / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SniperException("interrupted while starting cluster node " + self.id(), e);
        } catch (SniperException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new SniperException("cannot start cluster node " + self.id() + ": " + e.getMessage(), e);
        }
    }

    /** The namespaced Curator client, shared with the journal. Valid between start and close. */
    public CuratorFramework client() {
        CuratorFramework c = client;
        if (c == null) {
            throw new SniperException("cluster node " + self.id() + " is not started");
        }
        return c;
    }

    @Override
    public boolean mayKill(String database) {
        return verdict(database).mayKill;
    }

    /** Gathers the facts for {@link Fencing#decide} (recording trouble as it notices it). */
    Fencing.Verdict verdict(String database) {
        boolean running = state.get() == State.STARTED;
        LatchSeats.Seat seat = running && !released.get() ? seats.seat(database) : null;
        if (seat == null) {
            return Fencing.decide(new Fencing.Facts(running, released.get(), false, false, false, false, false,
                    Fencing.Link.HEALTHY, 0, false, options.policy(), 0, 0));
        }
        SessionWatch.Trouble t = session.current(lease::held);
        if (t == null) {
            if (session.linkUp()) {
                if (!lease.held()) {
                    // Connected, as far as the client knows, but ZooKeeper has not answered a
                    // heartbeat for T/4: coordination trouble like SUSPENDED, without the grace.
                    t = session.begin(false, seats::heldNow);
                }
            } else {
                // CONNECTING: a disconnect, the session may live on (grace window). CLOSED: the
                // handle knows its session expired or was closed: no grace at all.
                t = session.begin(!session.handleAlive(), seats::heldNow);
            }
        }
        Fencing.Link link = t == null ? Fencing.Link.HEALTHY : t.lost() ? Fencing.Link.LOST : Fencing.Link.TROUBLE;
        long troubleNanos = t == null ? 0 : nanos.getAsLong() - t.startNanos();
        return Fencing.decide(new Fencing.Facts(true, false, true, seat.latch.hasLeadership(),
                seat.epoch == session.epoch(), seat.nodeGone, lease.held(), link, troubleNanos,
                t != null && t.held().contains(database), options.policy(), options.keepOwnedFor().toNanos(),
                suspendedWindowNanos()));
    }

    /** True while the newest answered heartbeat was sent less than T/4 ago (see "Lease"). */
    boolean leaseHeld() {
        return lease.held();
    }

    long leaseNanos() {
        return lease.leaseNanos();
    }

    /** How long ago the newest answered heartbeat was sent, or -1 (for benches). */
    long leaseAgeNanos() {
        return lease.ageNanos();
    }

    long suspendedWindowNanos() {
        return session.suspendedWindowNanos();
    }

    /** How many times this node handed a database over (balance, rejoin), for tests. */
    long handOvers() {
        return seats.handOvers();
    }

    /**
     * The listener runs on a Curator thread (leadership) or the connection-state thread; it must
     * be quick (e.g. wake the database's watcher), never block on I/O.
     */
    @Override
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Databases whose latch this node holds, with the instant it got each. */
    public Map<String, Instant> owned() {
        return seats.owned();
    }

    /** The databases this node has configured (sorted). */
    public List<String> databases() {
        return databases;
    }

    /**
     * How long ago the newest heartbeat ZooKeeper answered was sent, in seconds, or -1 when none was
     * answered (before the first, or after the session was lost). Kills stop when it passes T/4.
     */
    public double leaseAgeSeconds() {
        long nanos = lease.ageNanos();
        return nanos < 0 ? -1 : nanos / 1e9;
    }

    public ClusterView view() {
        ConnectionState c = session.connection();
        Membership m = membership;
        return new ClusterView(self.id(), m == null ? List.of() : m.members(), owned(),
                m == null ? List.of() : m.mismatch(), state.get() == State.CLOSED ? "CLOSED" : c == null ? "NONE" : c.name());
    }

    /**
     * Changes this node's database list live (a config reload): joins the latches of added databases
     * and leaves those of removed ones at once (a standby queued there takes over within
     * milliseconds; this node stops killing on them before this returns), and announces the new list
     * so every node plans with it. A no-op for the latches before {@link #start()} (the list is
     * simply replaced) and after {@link #releaseLatches()}.
     */
    public void updateDatabases(Collection<String> newDatabases) {
        List<String> next = List.copyOf(new TreeSet<>(newDatabases));
        try (var ignored = MDC.putCloseable("qs.node", self.id())) {
            synchronized (databasesLock) {
                List<String> before = databases;
                if (before.equals(next)) {
                    return;
                }
                Set<String> added = new TreeSet<>(next);
                added.removeAll(before);
                Set<String> removed = new TreeSet<>(before);
                removed.removeAll(next);
                databases = next;
                if (state.get() != State.STARTED || released.get() || membership == null) {
                    return;
                }
                seats.leave(removed);
                seats.join(added);
                try {
                    membership.publish(next);
                } catch (Exception e) {
                    log.warn("Could not announce the new database list: {}", e.toString());
                }
                log.info("Databases changed: joined {}, left {}", added, removed);
            }
        }
    }

    /**
     * The first step of a graceful stop: gives up every database at once so the standbys queued
     * on each latch take over within milliseconds. From the moment this is called
     * {@link #mayKill(String)} is false for every database, and this node never joins a latch
     * again (no balancing, no rejoin after a lost session). Membership, the session and
     * {@link #client()} stay open, so the journal can still flush its last records; call
     * {@link #close()} afterwards. Does not wait for the latch nodes to be deleted (Curator
     * deletes them in the background, guaranteed; closing the session removes them anyway).
     * Idempotent; a no-op on a node that was never started.
     */
    public void releaseLatches() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try (var ignored = MDC.putCloseable("qs.node", self.id())) {
            long t0 = System.nanoTime();
            ScheduledExecutorService b = balancer;
            if (b != null) {
                b.shutdownNow(); // a pass in progress sees `released` and changes nothing
            }
            Set<String> had;
            synchronized (databasesLock) {
                had = seats.releaseAll();
            }
            shutdown(b, "sniper-cluster-balance");
            had.forEach(this::notifyListeners);
            if (b != null) {
                log.info("Cluster node {} released its latches in {} ms, gave up {}", self.id(),
                        (System.nanoTime() - t0) / 1_000_000, had);
            }
        }
    }

    /**
     * Releases every latch if {@link #releaseLatches()} has not done so (standbys take over at
     * once), then leaves the member list and closes Curator and the embedded ZooKeeper.
     * Idempotent.
     */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        try (var ignored = MDC.putCloseable("qs.node", self.id())) {
            long t0 = System.nanoTime();
            releaseLatches();
            // Already stopped by releaseLatches, unless that ran before start() had made it.
            ScheduledExecutorService b = balancer;
            if (b != null) {
                b.shutdownNow();
            }
            shutdown(b, "sniper-cluster-balance");
            lease.stop();
            shutdown(heartbeat, "sniper-cluster-lease");
            closeClientBounded();
            shutdown(events, "sniper-cluster-events");
            if (embedded != null) {
                embedded.close();
            }
            if (previous == State.STARTED) {
                log.info("Cluster node {} closed in {} ms", self.id(), (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    // ---------------------------------------------------------------- connection

    private boolean active() {
        return state.get() == State.STARTED && !released.get();
    }

    private boolean mayBalance() {
        return active() && session.current(lease::held) == null && client.getZookeeperClient().isConnected();
    }

    private ConnectionStateListener connectionListener() {
        return (c, newState) -> {
            session.connection(newState);
            try (var ignored = MDC.putCloseable("qs.node", self.id())) {
                switch (newState) {
                    case SUSPENDED -> {
                        SessionWatch.Trouble t = session.begin(false, seats::heldNow);
                        log.warn("ZooKeeper connection SUSPENDED: still killing on {} for at most {} ms", t.held(),
                                suspendedWindowNanos() / 1_000_000);
                    }
                    case LOST -> {
                        SessionWatch.Trouble t = session.begin(true, seats::heldNow);
                        session.sessionLost();
                        lease.reset(); // a lease proves a session; this one is gone
                        seats.closeForLostSession();
                        if (options.policy() == CoordinationLossPolicy.KEEP_OWNED) {
                            log.error("ZooKeeper session LOST: policy keep-owned, still killing on {} for at most {}",
                                    t.held(), options.keepOwnedFor());
                        } else {
                            log.error("ZooKeeper session LOST: stopped killing on {}", t.held());
                        }
                    }
                    case CONNECTED, RECONNECTED -> {
                        session.rememberHandle();
                        lease.beatNow();
                        session.clearTrouble();
                        seats.forgetDrops();
                        if (session.takeLostSinceReconnect()) {
                            onBalancer(seats::rejoinAll);
                        }
                        if (newState == ConnectionState.RECONNECTED) {
                            log.info("ZooKeeper connection RECONNECTED");
                        }
                    }
                    default -> {
                    }
                }
            }
            databases.forEach(this::notifyListeners);
        };
    }

    /** Runs a seat change on the balancer thread (never on Curator's event threads). */
    private void onBalancer(Runnable task) {
        ScheduledExecutorService b = balancer;
        if (b != null && !b.isShutdown()) {
            try {
                b.execute(task);
            } catch (RejectedExecutionException closing) {
                // closing
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private CuratorFramework newClient(String connect) {
        int sessionMs = (int) options.sessionTimeout().toMillis();
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .namespace(options.namespace())
                .sessionTimeoutMs(sessionMs)
                // Curator warns when the connection timeout exceeds the session timeout;
                // start() waits for options.connectionTimeout() separately.
                .connectionTimeoutMs((int) Math.min(sessionMs, options.connectionTimeout().toMillis()))
                // 29 is Curator's ceiling: it pinned our 30 to 29 anyway, with a WARN at every start.
                .retryPolicy(new BoundedExponentialBackoffRetry(100, 2000, 29))
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                // The configured connect string is authoritative; a handle swapped by ensemble
                // tracking would also blind the fencing check until the next reconnect event.
                .ensembleTracker(false)
                .threadFactory(threads("sniper-curator"));
        // digest: addAuthInfo; sasl: the ZooKeeper client logs in from JAAS by itself. Either way
        // everything we create is creator-only (digest:user:hash or sasl:principal).
        return ZkClients.secure(b, options).build();
    }

    private void notifyListeners(String db) {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(db);
            } catch (RuntimeException e) {
                log.warn("Ownership listener failed for {}: {}", db, e.toString());
            }
        }
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + self.id() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, ex) -> log.error("Uncaught exception in {}", th.getName(), ex));
            return t;
        };
    }

    private static void shutdown(ExecutorService executor, String name) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                log.warn("{} did not drain within 1 s; interrupting", name);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Leaves the member list and ends the session (all our ephemerals go at once). Both block
     * while ZooKeeper is unreachable (the member delete retries); give them a second, then let
     * the session expire on its own. The member node must be closed before the client, or it
     * keeps trying to recreate itself on a closed client.
     */
    private void closeClientBounded() {
        CuratorFramework c = client;
        Membership m = membership;
        Thread closer = threads("sniper-curator-close").newThread(() -> {
            if (m != null) {
                m.close();
            }
            if (c != null) {
                c.close();
            }
        });
        closer.start();
        try {
            closer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("ZooKeeper client of {} did not close within {}; its session will expire on the server", self.id(),
                    CLOSE_WAIT);
        }
    }
}
