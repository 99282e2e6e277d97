package io.querysniper.alerts;

import io.querysniper.config.AlertSettings;
import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The alerts: a {@link KillListener} whose only work on the kill path is one lock-free enqueue, and a
 * ticker ({@code sniper-alerts-tick}) that moves kill records and the conditions its probes report through
 * each sink's filters and {@link Grouper} into the sink's {@link DeliveryQueue}.
 *
 * <p>In a cluster: kill records come only from the node that killed (the database's owner), probes report a
 * database's conditions only where this node owns it, and fleet events ({@link Event#fleet()}) are probed
 * only while {@code fleetLeader} says this node sends them.
 *
 * <p>Lifecycle: {@link #start()} once; {@link #close()} any number of times: sends what the windows hold,
 * then lets the queues drain for at most the drain time.
 */
public final class AlertService implements KillListener, AlertQueues, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    static final Duration TICK = Duration.ofMillis(200);
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** Kill records waiting for the ticker at most; a burst beyond is counted, never waited on. */
    static final int INBOX_LIMIT = 100_000;

    /** Lifecycle states. */
    public enum State { LATENT, STARTED, CLOSED }

    private final String node;
    private final List<Route> routes;
    private final Clock clock;
    private final List<ConditionProbe> probes;
    private final BooleanSupplier fleetLeader;
    private final Duration drain;
    private final ConcurrentLinkedQueue<KillRecord> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboxSize = new AtomicInteger();
    private final AtomicLong inboxDropped = new AtomicLong();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Map<Condition.Key, Condition> active = new HashMap<>();
    private final Set<Integer> failingProbes = new HashSet<>();
    private final java.util.concurrent.locks.ReentrantLock tickLock = new java.util.concurrent.locks.ReentrantLock();
    private ScheduledExecutorService ticker;
    private Instant lastProbe;
    private boolean wasFleetLeader;

    /** One sink with its filters, grouping and queue. */
    record Route(AlertSinkSettings settings, Grouper grouper, DeliveryQueue queue) {
        boolean wants(AlertEvent e) {
            return settings.events().contains(e.type())
                    && (settings.databases().isEmpty() || e.database() == null || settings.databases().contains(e.database()))
                    && (settings.rules().isEmpty() || e.rule() == null || settings.rules().contains(e.rule()));
        }
    }

    /**
     * @param probes      condition probes (watchers, cluster, journal)
     * @param fleetLeader true while this node sends the fleet's events (its own latch); null: always (one node)
     * @param drain       how long {@link #close()} lets the queues drain
     */
    public static AlertService create(String node, AlertSettings settings, Clock clock, List<ConditionProbe> probes,
                                      BooleanSupplier fleetLeader, Duration drain) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        Map<AlertSinkSettings, Sink> sinks = new LinkedHashMap<>();
        for (AlertSinkSettings s : settings.sinks().values()) {
            sinks.put(s, sink(s, http, clock));
        }
        return new AlertService(node, sinks, clock, probes, fleetLeader, drain, RetryPolicy.DEFAULT);
    }

    /** The sink a setting describes. */
    public static Sink sink(AlertSinkSettings s, HttpClient http, Clock clock) {
        return s.type() == AlertSinkSettings.Type.COMMAND ? new CommandSink(s) : new HttpSink(s, http, clock);
    }

    AlertService(String node, Map<AlertSinkSettings, Sink> sinks, Clock clock, List<ConditionProbe> probes,
                 BooleanSupplier fleetLeader, Duration drain, RetryPolicy policy) {
        this.node = node;
        this.clock = clock;
        this.probes = List.copyOf(probes);
        this.fleetLeader = fleetLeader == null ? () -> true : fleetLeader;
        this.drain = drain;
        List<Route> r = new ArrayList<>();
        sinks.forEach((s, sink) -> r.add(new Route(s,
                new Grouper(s.name(), node, s.aggregateWindow(), s.repeatInterval(), s.sendResolved()),
                new DeliveryQueue(sink, s.queueSize(), policy, System::nanoTime,
                        () -> ThreadLocalRandom.current().nextDouble()))));
        this.routes = List.copyOf(r);
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("cannot start the alerts: they are " + state.get());
        }
        routes.forEach(r -> r.queue().start());
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sniper-alerts-tick");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.error("alerts ticker died", e));
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickSafely, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        for (Route route : routes) {
            log.info("alert sink {}: {}, events {}, aggregate-window {}", route.settings().name(),
                    route.queue().describe(), names(route.settings().events()),
                    route.settings().aggregateWindow());
        }
    }

    private static List<String> names(Set<Event> events) {
        return events.stream().sorted().map(Event::configName).toList();
    }

    @Override
    public List<SinkStats> sinkStats() {
        return routes.stream().map(r -> (SinkStats) r.queue()).toList();
    }

    /** Kill records waiting for the ticker that did not fit (a burst above {@link #INBOX_LIMIT}). */
    public long inboxDropped() {
        return inboxDropped.get();
    }

    // ---- the kill path: one enqueue, nothing else ----

    @Override
    public void onRecord(KillRecord record) {
        KillOutcome o = record.outcome();
        if (o != KillOutcome.KILLED && o != KillOutcome.WOULD_KILL) {
            return;
        }
        if (inboxSize.incrementAndGet() > INBOX_LIMIT) {
            inboxSize.decrementAndGet();
            inboxDropped.incrementAndGet();
            return;
        }
        inbox.add(record);
    }

    // ---- the ticker ----

    private void tickSafely() {
        try {
            tick(clock.instant());
        } catch (RuntimeException e) {
            log.warn("alerts tick failed", e);
        }
    }

    /** One tick: kill records, conditions (once a second), due notifications. Ticker thread only (or tests). */
    void tick(Instant now) {
        tickLock.lock();
        try {
            tickLocked(now);
        } finally {
            tickLock.unlock();
        }
    }

    private void tickLocked(Instant now) {
        for (KillRecord r; (r = inbox.poll()) != null; ) {
            inboxSize.decrementAndGet();
            route(AlertEvent.ofKill(r.outcome() == KillOutcome.KILLED ? Event.KILL : Event.WOULD_KILL, r), now);
        }
        if (lastProbe == null || !now.isBefore(lastProbe.plus(PROBE_EVERY))) {
            lastProbe = now;
            probe(now);
        }
        for (Route r : routes) {
            for (Notification n : r.grouper().due(now)) {
                r.queue().offer(n);
            }
        }
    }

    private void probe(Instant now) {
        boolean leader = fleetLeader.getAsBoolean();
        if (wasFleetLeader && !leader) {
            // Another node sends the fleet's events now: forget ours without a "resolved".
            active.keySet().removeIf(k -> k.type().fleet());
            routes.forEach(r -> r.grouper().forget(k -> k.event().fleet()));
        }
        wasFleetLeader = leader;
        Map<Condition.Key, Condition> now_ = new HashMap<>();
        Set<Condition.Key> unknown = new HashSet<>();
        for (int i = 0; i < probes.size(); i++) {
            Set<Condition> found;
            try {
                found = probes.get(i).current();
                failingProbes.remove(i);
            } catch (RuntimeException e) {
                if (failingProbes.add(i)) {
                    log.warn("alert condition probe {} failed; its conditions stay as they were", i, e);
                }
                // Keep what this probe reported before: a failed read is not a resolution.
                found = null;
            }
            if (found == null) {
                active.values().forEach(c -> unknown.add(c.key()));
                continue;
            }
            for (Condition c : found) {
                if (!c.type().fleet() || leader) {
                    now_.put(c.key(), c);
                }
            }
        }
        for (Condition c : now_.values()) {
            if (active.putIfAbsent(c.key(), c) == null) {
                route(new AlertEvent(c.type(), false, c.database(), null, now, null, c.detail()), now);
            }
        }
        for (var it = active.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!now_.containsKey(e.getKey()) && !unknown.contains(e.getKey())) {
                it.remove();
                Condition c = e.getValue();
                route(new AlertEvent(c.type(), true, c.database(), null, now, null, c.detail()), now);
            }
        }
    }

    private void route(AlertEvent e, Instant now) {
        for (Route r : routes) {
            if (r.wants(e)) {
                r.grouper().add(e, now);
            }
        }
    }

    /** Sends what the windows hold now, then lets the queues drain for at most the drain time. Idempotent. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (previous == State.STARTED) {
            flushAll(clock.instant());
        }
        long deadline = System.nanoTime() + drain.toNanos();
        for (Route r : routes) {
            r.queue().close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /**
     * Stop: the windows are not waited out, their notifications go now. Skipped when a tick still holds the
     * lock after the ticker was interrupted (a probe stuck on ZooKeeper): a stop must stay bounded.
     */
    private void flushAll(Instant now) {
        try {
            if (!tickLock.tryLock(500, TimeUnit.MILLISECONDS)) {
                log.warn("alerts: a tick is still running; the open windows are not sent");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            flushLocked(now);
        } finally {
            tickLock.unlock();
        }
    }

    private void flushLocked(Instant now) {
        for (KillRecord r; (r = inbox.poll()) != null; ) {
            inboxSize.decrementAndGet();
            route(AlertEvent.ofKill(r.outcome() == KillOutcome.KILLED ? Event.KILL : Event.WOULD_KILL, r), now);
        }
        Instant far = now.plus(Duration.ofDays(3650));
        for (Route r : routes) {
            for (Notification n : r.grouper().due(far)) {
                if (!n.key().event().condition()) {
                    r.queue().offer(n);
                }
            }
        }
    }

    public State state() {
        return state.get();
    }

    String node() {
        return node;
    }
}
