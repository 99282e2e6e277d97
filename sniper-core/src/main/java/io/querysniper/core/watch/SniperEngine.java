package io.querysniper.core.watch;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.rules.Evaluation;
import io.querysniper.core.rules.RuleEngine;
import io.querysniper.core.rules.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Watches every configured database at once, each on its own named thread
 * ({@code sniper-<db>-poll}), so a slow or dead server never delays the others.
 * Lifecycle: {@link #start()} once, {@link #close()} any number of times; close stops every watcher
 * (and its dispatch of kills), waits for them and their KILLs in flight at most
 * {@link #DEFAULT_STOP_TIMEOUT} in total, then closes every port.
 */
public final class SniperEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SniperEngine.class);

    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(3);

    /** Lifecycle states. */
    public enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    /**
     * Copy-on-write (a reload swaps in a new map under {@link #changeLock}): the gate's change listener
     * and status readers see a whole map, never one being changed.
     */
    private volatile Map<String, DatabaseWatcher> watchers = Map.of();
    private final Object changeLock = new Object();
    private final String nodeId;
    private final KillGate gate;
    private final KillListener listener;
    private final Clock clock;
    private final Supplier<Sleeper> sleepers;
    private final Duration stopTimeout;

    public SniperEngine(String nodeId, List<WatchedDatabase> databases, KillGate gate, KillListener listener,
                        Clock clock) {
        this(nodeId, databases, gate, listener, clock, Sleeper::create, DEFAULT_STOP_TIMEOUT);
    }

    /**
     * @param sleepers     makes one sleeper per watcher (tests pass fakes)
     * @param stopTimeout  how long {@link #close()} waits for all watchers together
     */
    public SniperEngine(String nodeId, List<WatchedDatabase> databases, KillGate gate, KillListener listener,
                        Clock clock, Supplier<Sleeper> sleepers, Duration stopTimeout) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleepers = Objects.requireNonNull(sleepers, "sleepers");
        this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
        Map<String, DatabaseWatcher> initial = new LinkedHashMap<>();
        for (WatchedDatabase db : databases) {
            String name = db.spec().database();
            if (initial.containsKey(name)) {
                throw new IllegalArgumentException("database '" + name + "' is configured twice");
            }
            initial.put(name, newWatcher(db));
        }
        watchers = Collections.unmodifiableMap(initial);
    }

    private DatabaseWatcher newWatcher(WatchedDatabase db) {
        return new DatabaseWatcher(nodeId, db, gate, listener, clock, sleepers.get());
    }

    /** Starts one watcher thread per database. Only once. */
    public void start() {
        synchronized (changeLock) {
            if (!state.compareAndSet(State.LATENT, State.STARTED)) {
                throw new IllegalStateException("cannot start the engine: it is " + state.get());
            }
        }
        gate.onChange(database -> {
            DatabaseWatcher w = watchers.get(database);
            if (w != null) {
                w.wake();
            }
        });
        synchronized (changeLock) {
            for (DatabaseWatcher w : watchers.values()) {
                w.start();
            }
            log.info("watching {} database(s): {}", watchers.size(), watchers.keySet());
        }
    }

    public State state() {
        return state.get();
    }

    /** Per database, in configuration order. */
    public Map<String, WatcherStatus> status() {
        Map<String, WatcherStatus> out = new LinkedHashMap<>();
        for (DatabaseWatcher w : watchers.values()) {
            out.put(w.database(), w.status());
        }
        return Collections.unmodifiableMap(out);
    }

    /** One database's status, or null when it is not watched (cheaper than {@link #status()} for a gauge). */
    public WatcherStatus status(String database) {
        DatabaseWatcher w = watchers.get(database);
        return w == null ? null : w.status();
    }

    /**
     * Watches a database from now on (a reload added it). Its watcher looks only while the gate lets it.
     *
     * @throws IllegalArgumentException when it is watched already
     */
    public void add(WatchedDatabase db) {
        synchronized (changeLock) {
            String name = db.spec().database();
            if (watchers.containsKey(name)) {
                throw new IllegalArgumentException("database '" + name + "' is watched already");
            }
            if (state.get() == State.CLOSED) {
                db.port().close(); // the engine owns the port from here: nobody else would close it
                return;
            }
            if (install(db)) {
                log.info("now watching database {}", name);
            }
        }
    }

    /**
     * Stops watching a database (a reload removed it): its watcher stops, its KILLs in flight get the
     * engine's stop timeout to finish, then its port is closed. False when it was not watched.
     */
    public boolean remove(String database) {
        synchronized (changeLock) {
            DatabaseWatcher old = watchers.get(database);
            if (old == null) {
                return false;
            }
            Map<String, DatabaseWatcher> next = new LinkedHashMap<>(watchers);
            next.remove(database);
            watchers = Collections.unmodifiableMap(next);
            stopAndJoin(old);
            closePort(old);
            log.info("stopped watching database {}", database);
            return true;
        }
    }

    /**
     * Watches a database with a new spec or port (a reload changed its rules, login or TLS): the old
     * watcher stops and its KILLs in flight finish first, so the two never act at once; the new one starts
     * with a look. The old port is closed unless the new watcher uses the same one.
     *
     * @throws IllegalArgumentException when it is not watched
     */
    public void replace(WatchedDatabase db) {
        synchronized (changeLock) {
            String name = db.spec().database();
            DatabaseWatcher old = watchers.get(name);
            if (old == null) {
                throw new IllegalArgumentException("database '" + name + "' is not watched");
            }
            stopAndJoin(old);
            if (old.port() != db.port()) {
                closePort(old);
            }
            if (state.get() == State.CLOSED) {
                db.port().close();
                return;
            }
            install(db);
        }
    }

    /**
     * A new watcher for {@code db} in the map (copy on write: readers never lock), started when the
     * engine runs. Called under {@code changeLock}. True when it was started.
     */
    private boolean install(WatchedDatabase db) {
        DatabaseWatcher w = newWatcher(db);
        Map<String, DatabaseWatcher> next = new LinkedHashMap<>(watchers);
        next.put(db.spec().database(), w);
        watchers = Collections.unmodifiableMap(next);
        if (state.get() == State.STARTED) {
            w.start();
            return true;
        }
        return false;
    }

    private void stopAndJoin(DatabaseWatcher w) {
        w.stop();
        try {
            if (!w.join(stopTimeout)) {
                log.warn("watcher or kills of database {} did not stop within {}", w.database(), stopTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closePort(DatabaseWatcher w) {
        try {
            w.port().close();
        } catch (RuntimeException e) {
            log.warn("closing the port of database {} failed", w.database(), e);
        }
    }

    /** Stops every watcher and closes every port; waits at most a few seconds. Idempotent. */
    @Override
    public void close() {
        State previous;
        Map<String, DatabaseWatcher> watchers;
        synchronized (changeLock) {
            previous = state.getAndSet(State.CLOSED);
            watchers = this.watchers;
        }
        if (previous == State.CLOSED) {
            return;
        }
        for (DatabaseWatcher w : watchers.values()) {
            w.stop();
        }
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        List<String> stuck = new ArrayList<>();
        for (DatabaseWatcher w : watchers.values()) {
            try {
                Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                if (!w.join(left)) {
                    stuck.add(w.database());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stuck.add(w.database());
            }
        }
        if (!stuck.isEmpty()) {
            log.warn("watcher(s) or kill(s) of {} did not stop within {}; closing their ports anyway", stuck,
                    stopTimeout);
        }
        for (DatabaseWatcher w : watchers.values()) {
            closePort(w);
        }
        if (previous == State.STARTED) {
            log.info("stopped watching {} database(s)", watchers.size());
        }
    }

    /** One look for the {@code scan} command: what would be done now, and why. Kills nothing. */
    public static List<Verdict> scanOnce(WatchSpec spec, ServerPort port) {
        RuleEngine engine = new RuleEngine(spec);
        return engine.evaluate(port.snapshot(engine.statusNeeds())).verdicts();
    }

    /** Judges a saved snapshot (for {@code scan --from FILE}). */
    public static Evaluation scan(WatchSpec spec, ServerSnapshot snapshot) {
        return new RuleEngine(spec).evaluate(snapshot);
    }
}
