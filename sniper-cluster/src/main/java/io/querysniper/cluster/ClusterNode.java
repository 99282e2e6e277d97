package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import io.querysniper.core.port.KillGate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * {@link LeaderLatch} per database, balances ownership, and answers {@link #mayKill(String)}.
 *
 * <h2>Ownership</h2>
 * Every node joins every latch ({@code /<ns>/latches/<db>}), so each database always has a queue
 * of standbys and a dead or departing owner is replaced as soon as ZooKeeper deletes its latch
 * node. Once the member list ({@code /<ns>/nodes}) has been unchanged for a settle time, every node
 * computes the same plan ({@link Balancer}: rendezvous hashing with bounded loads, floor(D/N) or
 * ceil(D/N) each); a node leading a database that the plan gives to another live node that is
 * queued on that latch gives it up (closes its latch, rejoins at the back of the queue). The next
 * in the queue either is the planned owner or gives it up in turn, so ownership converges in at
 * most N-1 hand-overs and never flaps while membership is stable.
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
    /** Fraction of the negotiated session timeout during which a SUSPENDED owner may go on. */
    static final double SUSPENDED_FRACTION = 0.25;
    /** The lease: leadership counts only while ZooKeeper answered a heartbeat sent at most T/4 ago. */
    static final double LEASE_FRACTION = 0.25;
    /** Heartbeat period, as a fraction of T: 2.5 beats per lease, so one late beat does not stop us. */
    static final double HEARTBEAT_FRACTION = 0.1;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
    private static final Duration MEMBER_REFRESH = Duration.ofSeconds(5);

    /** How quickly the balancer looks and how long membership must be quiet before it acts. */
    record Tuning(Duration settle, Duration tick) {
        static final Tuning DEFAULT = new Tuning(Duration.ofSeconds(1), Duration.ofMillis(200));
    }

    /**
     * A latch whose node is still missing this long after it started is rejoined: 5 s, plus 25 ms for each
     * database, since a node joining 1,000 latches on one ensemble waits its turn for many of them (a flat
     * 5 s made 200-2,900 latches rejoin at every start of the 1,000-database bench, each rejoin adding to
     * the queue it waited in); 30 s at 1,000 databases.
     */
    static Duration latchNodeWait(int databases) {
        return Duration.ofSeconds(5).plusMillis(25L * databases);
    }

    private enum State { LATENT, STARTED, CLOSED }

    /** One participation in one database's latch; replaced (not reused) when we rejoin. */
    private static final class Seat {
        final String db;
        final LeaderLatch latch;
        final long createdNanos;
        /** Session epoch the seat was made in; seats of a lost session never grant mayKill. */
        final int epoch;
        volatile boolean releasing;

        Seat(String db, LeaderLatch latch, long createdNanos, int epoch) {
            this.db = db;
            this.latch = latch;
            this.createdNanos = createdNanos;
            this.epoch = epoch;
        }
    }

    /** Coordination trouble in progress: when it began and what we held then. */
    private record Trouble(long startNanos, Set<String> held, boolean lost) {
        Trouble lostNow() {
            return new Trouble(startNanos, held, true);
        }
    }

    private final ClusterOptions options;
    private final NodeInfo self;
    private final List<String> databases;
    private final Clock clock;
    private final Tuning tuning;
    private final LongSupplier nanos;

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    /** Set once by {@link #releaseLatches()}: from then on this node never owns anything again. */
    private final AtomicBoolean released = new AtomicBoolean();
    private final Map<String, Seat> seats = new ConcurrentHashMap<>();
    private final Map<String, Instant> owned = new ConcurrentHashMap<>();
    private final Map<String, Long> droppedAt = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Object seatLock = new Object();
    private final Object troubleLock = new Object();

    private volatile CuratorFramework client;
    private volatile EmbeddedZooKeeper embedded;
    private volatile PersistentNode membership;
    private volatile ScheduledExecutorService balancer;
    private volatile ExecutorService events;
    private volatile ScheduledExecutorService heartbeat;
    /**
     * {@link #nanos} reading taken just BEFORE sending the newest heartbeat that ZooKeeper
     * answered OK (Long.MIN_VALUE: none yet). The server heard our session at or after that
     * instant, so it cannot expire the session before this + T. See "Lease" in the class javadoc.
     */
    private final java.util.concurrent.atomic.AtomicLong leaseFrom = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    private volatile ConnectionState connection;
    private volatile Trouble trouble;
    private volatile boolean lostSinceReconnect;
    /**
     * Bumped on every LOST. A latch of the lost session may still see its old node (the server
     * has not expired that session yet) and claim leadership from it; only seats made after the
     * loss count.
     */
    private volatile int epoch;
    private volatile NodeInfo announced;
    private volatile org.apache.zookeeper.ZooKeeper handle;

    // Balancer state: touched only on the balancer thread.
    private List<String> lastMemberIds = List.of();
    /** The plan for {@link #lastMemberIds}: it changes only with the members, so it is computed once per change. */
    private Map<String, String> plan = Map.of();
    private long membersChangedAt;
    private long membersReadAt;
    private final Set<String> reportedMismatch = new HashSet<>();
    private List<String> loggedMembers = List.of();
    private volatile List<NodeInfo> members = List.of();
    private volatile List<NodeInfo> mismatch = List.of();

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
    }

    /**
     * Connects (starting the embedded ZooKeeper when no ensemble is configured), announces this
     * node and joins every database's latch. Returns once connected; ownership follows shortly.
     *
     * @throws SniperException when ZooKeeper cannot be reached within the connection timeout
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
            client.getConnectionStateListenable().addListener(connectionListener());
            client.start();
            long waitMs = options.connectionTimeout().toMillis();
            if (!client.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, waitMs), TimeUnit.MILLISECONDS)) {
                throw new SniperException("no ZooKeeper connection to " + connect + " within " + options.connectionTimeout());
            }
            if (handle == null) {
                rememberHandle();
            }
            long beatNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), (long) (sessionNanos() * HEARTBEAT_FRACTION));
            heartbeat.scheduleAtFixedRate(this::beat, 0, beatNanos, TimeUnit.NANOSECONDS);
            for (String path : List.of(ClusterPaths.NODES, ClusterPaths.LATCHES, ClusterPaths.OWNERS)) {
                client.createContainers(path);
            }
            announced = self.withStartedAt(clock.instant());
            membership = new PersistentNode(client, CreateMode.EPHEMERAL, false, ClusterPaths.node(self.id()),
                    Payloads.node(announced));
            membership.start();
            synchronized (seatLock) {
                for (String db : released.get() ? List.<String>of() : databases) {
                    Seat seat = newSeat(db);
                    seats.put(db, seat);
                    seat.latch.start();
                }
            }
            long tickMs = tuning.tick().toMillis();
            if (released.get()) {
                return; // a graceful stop began while we were starting: join nothing
            }
            balancer.scheduleWithFixedDelay(this::tick, 0, tickMs, TimeUnit.MILLISECONDS);
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
        if (state.get() != State.STARTED || released.get()) {
            return false;
        }
        Seat seat = seats.get(database);
        if (seat == null) {
            return false;
        }
        Trouble t = currentTrouble();
        if (t == null) {
            org.apache.zookeeper.ZooKeeper zk = handle;
            org.apache.zookeeper.ZooKeeper.States zkState = zk == null ? null : zk.getState();
            if (zkState != null && zkState.isConnected() && client.getZookeeperClient().isConnected()) {
                if (leaseHeld()) {
                    return seat.epoch == epoch && seat.latch.hasLeadership();
                }
                // Connected, as far as the client knows, but ZooKeeper has not answered a
                // heartbeat for T/4: coordination trouble like SUSPENDED, without the grace.
                t = beginTrouble(false);
            } else {
                // CONNECTING: a disconnect, the session may live on (grace window). CLOSED: the
                // handle knows its session expired or was closed: no grace at all.
                t = beginTrouble(zkState == null || !zkState.isAlive());
            }
        }
        long elapsed = nanos.getAsLong() - t.startNanos();
        if (options.policy() == CoordinationLossPolicy.KEEP_OWNED && t.held().contains(database)
                && elapsed < options.keepOwnedFor().toNanos()) {
            return true;
        }
        return !t.lost() && leaseHeld() && seat.epoch == epoch && seat.latch.hasLeadership()
                && elapsed < suspendedWindowNanos();
    }

    /** True while the newest answered heartbeat was sent less than T/4 ago (see "Lease"). */
    boolean leaseHeld() {
        long from = leaseFrom.get();
        return from != Long.MIN_VALUE && nanos.getAsLong() - from < leaseNanos();
    }

    long leaseNanos() {
        return (long) (sessionNanos() * LEASE_FRACTION);
    }

    /**
     * One heartbeat: an asynchronous {@code sync} on the current handle, which goes to the
     * ensemble's leader and is refused there for an expired or closed session, so an OK answer
     * proves the session was alive when we sent it (a plain read could be answered by a follower
     * cut off from its leader). Never blocks: a heartbeat that gets no answer simply never
     * renews the lease. Runs on its own thread, so a busy balancer cannot delay it.
     */
    private void beat() {
        org.apache.zookeeper.ZooKeeper zk = handle;
        if (state.get() != State.STARTED || zk == null || !zk.getState().isConnected()) {
            return;
        }
        long sentAt = nanos.getAsLong();
        try {
            zk.sync("/", (rc, path, ctx) -> {
                if (rc == KeeperException.Code.OK.intValue() && zk == handle) {
                    leaseFrom.accumulateAndGet(sentAt, (a, b) -> a == Long.MIN_VALUE || b - a > 0 ? b : a);
                }
            }, null);
        } catch (RuntimeException e) {
            log.debug("Heartbeat not sent: {}", e.toString());
        }
    }

    /** Renews the lease at once after a (re)connect instead of up to one period later. */
    private void beatNow() {
        ScheduledExecutorService h = heartbeat;
        if (h != null && !h.isShutdown()) {
            try {
                h.execute(this::beat);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing
            }
        }
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
        Map<String, Instant> result = new LinkedHashMap<>();
        new TreeSet<>(owned.keySet()).forEach(db -> {
            Instant since = owned.get(db);
            if (since != null) {
                result.put(db, since);
            }
        });
        return result;
    }

    public ClusterView view() {
        ConnectionState c = connection;
        return new ClusterView(self.id(), members, owned(), mismatch,
                state.get() == State.CLOSED ? "CLOSED" : c == null ? "NONE" : c.name());
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
            Set<String> had = new TreeSet<>(owned.keySet());
            synchronized (seatLock) {
                for (Seat seat : seats.values()) {
                    seat.releasing = true;
                    closeQuietly(seat.latch);
                }
            }
            owned.clear();
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

    // ---------------------------------------------------------------- leadership

    private Seat newSeat(String db) {
        LeaderLatch latch = new LeaderLatch(client, ClusterPaths.latch(db), self.id(), LeaderLatch.CloseMode.NOTIFY_LEADER);
        Seat seat = new Seat(db, latch, nanos.getAsLong(), epoch);
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
        try (var n = MDC.putCloseable("qs.node", self.id()); var d = MDC.putCloseable("qs.db", db)) {
            if (leader) {
                if (seats.get(db) != seat || seat.epoch != epoch || state.get() != State.STARTED || released.get()) {
                    return;
                }
                Instant since = clock.instant();
                owned.put(db, since);
                droppedAt.remove(db);
                log.info("Now owns database {}", db);
                submit(() -> writeOwner(db, since));
            } else {
                Seat current = seats.get(db);
                if (current == seat || current == null || !current.latch.hasLeadership()) {
                    owned.remove(db);
                }
                if (!seat.releasing) {
                    droppedAt.put(db, nanos.getAsLong());
                    log.warn("Lost database {} (connection {})", db, connection);
                } else {
                    log.info("Released database {}", db);
                    submit(() -> deleteOwnerIfMine(db));
                }
            }
        }
        notifyListeners(db);
    }

    /** Gives a database up so the planned owner, queued behind us, can take it. */
    private void release(String db, String target) {
        synchronized (seatLock) {
            if (state.get() != State.STARTED || released.get()) {
                return;
            }
            Seat old = seats.get(db);
            Seat fresh = newSeat(db);
            // Swap first: from here on mayKill(db) asks the fresh (non-leading) seat.
            seats.put(db, fresh);
            old.releasing = true;
            try (var d = MDC.putCloseable("qs.db", db)) {
                log.info("Handing database {} over to node {} (balance)", db, target);
            }
            closeQuietly(old.latch);
            startQuietly(fresh.latch);
        }
    }

    /** After the session was lost, Curator's latches do not rejoin by themselves: rejoin all. */
    private void rejoinAll() {
        synchronized (seatLock) {
            if (state.get() != State.STARTED || released.get()) {
                return;
            }
            for (String db : databases) {
                Seat old = seats.get(db);
                Seat fresh = newSeat(db);
                seats.put(db, fresh);
                old.releasing = true;
                closeQuietly(old.latch);
                startQuietly(fresh.latch);
            }
            log.info("Rejoined {} latches after the ZooKeeper session was lost", databases.size());
        }
    }

    /**
     * The session's latch nodes are gone with it. Left open, each latch would find its node
     * missing on the next check, log "Can't find our node" at ERROR and re-create a node by itself
     * (which {@link #rejoinAll()} then deletes again). Closed now, they stay quiet; rejoinAll
     * gives every database a fresh seat once the new session is up.
     */
    private void closeSeatsOfLostSession() {
        synchronized (seatLock) {
            for (Seat seat : seats.values()) {
                seat.releasing = true;
                closeQuietly(seat.latch);
            }
        }
    }

    private void writeOwner(String db, Instant since) {
        String path = ClusterPaths.owner(db);
        byte[] data = Payloads.owner(new OwnerInfo(self.id(), since));
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Seat seat = seats.get(db);
                if (seat == null || !seat.latch.hasLeadership()) {
                    return;
                }
                try {
                    client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                    return;
                } catch (KeeperException.NodeExistsException e) {
                    Stat stat = client.checkExists().forPath(path);
                    if (stat == null) {
                        continue;
                    }
                    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
                    if (stat.getEphemeralOwner() == session) {
                        client.setData().withVersion(stat.getVersion()).forPath(path, data);
                        return;
                    }
                    // A previous owner's entry: replace it so it does not vanish with their session.
                    try {
                        client.delete().withVersion(stat.getVersion()).forPath(path);
                    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
                        // raced with its owner; retry
                    }
                }
            }
        } catch (Exception e) {
            log.warn("Could not record ownership of {} in ZooKeeper: {}", db, e.toString());
        }
    }

    private void deleteOwnerIfMine(String db) {
        String path = ClusterPaths.owner(db);
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == client.getZookeeperClient().getZooKeeper().getSessionId()) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
            // someone else's now
        } catch (Exception e) {
            log.debug("Could not clear owner entry of {}: {}", db, e.toString());
        }
    }

    // ---------------------------------------------------------------- connection and fencing

    private ConnectionStateListener connectionListener() {
        return (c, newState) -> {
            connection = newState;
            try (var ignored = MDC.putCloseable("qs.node", self.id())) {
                switch (newState) {
                    case SUSPENDED -> {
                        Trouble t = beginTrouble(false);
                        log.warn("ZooKeeper connection SUSPENDED: still killing on {} for at most {} ms", t.held(),
                                suspendedWindowNanos() / 1_000_000);
                    }
                    case LOST -> {
                        Trouble t = beginTrouble(true);
                        epoch++; // only this thread writes it
                        leaseFrom.set(Long.MIN_VALUE); // a lease proves a session; this one is gone
                        lostSinceReconnect = true;
                        closeSeatsOfLostSession();
                        if (options.policy() == CoordinationLossPolicy.KEEP_OWNED) {
                            log.error("ZooKeeper session LOST: policy keep-owned, still killing on {} for at most {}",
                                    t.held(), options.keepOwnedFor());
                        } else {
                            log.error("ZooKeeper session LOST: stopped killing on {}", t.held());
                        }
                    }
                    case CONNECTED, RECONNECTED -> {
                        rememberHandle();
                        beatNow();
                        synchronized (troubleLock) {
                            trouble = null;
                        }
                        droppedAt.clear();
                        if (lostSinceReconnect) {
                            lostSinceReconnect = false;
                            ScheduledExecutorService b = balancer;
                            if (b != null && !b.isShutdown()) {
                                b.execute(this::rejoinAll);
                            }
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

    /**
     * The trouble in progress, or null. mayKill may record trouble from a handle state it read
     * just before a reconnect was processed; such stale trouble is dropped here once handle,
     * Curator and the last connection event all agree the connection is fine again.
     */
    private Trouble currentTrouble() {
        Trouble t = trouble;
        if (t == null) {
            return null;
        }
        org.apache.zookeeper.ZooKeeper zk = handle;
        ConnectionState last = connection;
        boolean healthy = zk != null && zk.getState().isConnected() && client.getZookeeperClient().isConnected()
                && (last == ConnectionState.CONNECTED || last == ConnectionState.RECONNECTED) && leaseHeld();
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

    private Trouble beginTrouble(boolean lost) {
        synchronized (troubleLock) {
            Trouble t = trouble;
            if (t == null) {
                t = new Trouble(nanos.getAsLong(), heldNow(), lost);
            } else if (lost && !t.lost()) {
                t = t.lostNow();
            } else {
                return t;
            }
            trouble = t;
            return t;
        }
    }

    /** What we hold now, plus what a latch dropped in the last seconds for connection reasons. */
    private Set<String> heldNow() {
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

    /**
     * Remembers the ZooKeeper handle of the current session (Curator replaces it after expiry). */
    private void rememberHandle() {
        try {
            handle = client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            handle = null;
        }
    }

    long suspendedWindowNanos() {
        return (long) (sessionNanos() * SUSPENDED_FRACTION);
    }

    /** T: the negotiated session timeout (the requested one while none was negotiated yet). */
    private long sessionNanos() {
        long requested = options.sessionTimeout().toMillis();
        CuratorFramework c = client;
        int negotiated = c == null ? 0 : c.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        long sessionMs = negotiated > 0 ? Math.min(requested, negotiated) : requested;
        return TimeUnit.MILLISECONDS.toNanos(sessionMs);
    }

    // ---------------------------------------------------------------- balancing

    private void tick() {
        try (var ignored = MDC.putCloseable("qs.node", self.id())) {
            if (state.get() != State.STARTED || released.get() || currentTrouble() != null
                    || !client.getZookeeperClient().isConnected()) {
                return;
            }
            List<String> ids = new ArrayList<>();
            for (String child : client.getChildren().forPath(ClusterPaths.NODES)) {
                ids.add(ClusterPaths.decode(child));
            }
            ids.sort(null);
            long now = nanos.getAsLong();
            if (!ids.equals(lastMemberIds)) {
                lastMemberIds = List.copyOf(ids);
                plan = Balancer.assign(databases, lastMemberIds);
                membersChangedAt = now;
                membersReadAt = now;
                refreshMembers(ids);
                return;
            }
            if (now - membersReadAt > MEMBER_REFRESH.toNanos()) {
                // A member restarted between two passes (same id, maybe a new config): re-read.
                membersReadAt = now;
                refreshMembers(ids);
            }
            if (!ids.contains(self.id()) || now - membersChangedAt < tuning.settle().toNanos()) {
                return;
            }
            for (String db : databases) {
                Seat seat = seats.get(db);
                if (seat == null) {
                    continue;
                }
                Duration wait = latchNodeWait(databases.size());
                if (seat.latch.getOurPath() == null && now - seat.createdNanos > wait.toNanos()) {
                    log.warn("Latch of {} has no node after {} ms; rejoining", db, wait.toMillis());
                    release(db, "(anyone)");
                    continue;
                }
                String target = plan.get(db);
                if (self.id().equals(target) || !seat.latch.hasLeadership()) {
                    continue;
                }
                if (participates(seat.latch, target)) {
                    release(db, target);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (state.get() == State.STARTED) {
                log.warn("Balancing pass failed: {}", e.toString());
            }
        }
    }

    private static boolean participates(LeaderLatch latch, String nodeId) throws Exception {
        for (Participant p : latch.getParticipants()) {
            if (p.getId().equals(nodeId)) {
                return true;
            }
        }
        return false;
    }

    private void refreshMembers(List<String> ids) throws Exception {
        List<NodeInfo> infos = new ArrayList<>();
        List<NodeInfo> differing = new ArrayList<>();
        for (String id : ids) {
            try {
                NodeInfo info = Payloads.node(client.getData().forPath(ClusterPaths.node(id)), id);
                infos.add(info);
                if (!info.configHash().equals(self.configHash())) {
                    differing.add(info);
                }
            } catch (KeeperException.NoNodeException gone) {
                // left between list and read
            }
        }
        members = List.copyOf(infos);
        mismatch = List.copyOf(differing);
        for (NodeInfo n : differing) {
            if (reportedMismatch.add(n.id() + "/" + n.configHash())) {
                log.warn("Node {} on {} runs a different configuration (hash {} vs ours {})", n.id(), n.host(),
                        n.configHash(), self.configHash());
            }
        }
        if (!ids.equals(loggedMembers)) {
            loggedMembers = List.copyOf(ids);
            log.info("Members now {}", ids);
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

    private void submit(Runnable task) {
        ExecutorService e = events;
        if (e != null && !e.isShutdown()) {
            try {
                e.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing: the session end removes our entries anyway
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
        PersistentNode m = membership;
        Thread closer = threads("sniper-curator-close").newThread(() -> {
            closeQuietly(m);
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

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
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
