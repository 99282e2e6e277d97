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
    private final Map<String, DatabaseWatcher> watchers = new LinkedHashMap<>();
    private final KillGate gate;
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
        this.gate = Objects.requireNonNull(gate, "gate");
        this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
        for (WatchedDatabase db : databases) {
            String name = db.spec().database();
            if (watchers.containsKey(name)) {
                throw new IllegalArgumentException("database '" + name + "' is configured twice");
            }
            watchers.put(name, new DatabaseWatcher(nodeId, db, gate, listener, clock, sleepers.get()));
        }
    }

    /** Starts one watcher thread per database. Only once. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("cannot start the engine: it is " + state.get());
        }
        gate.onChange(database -> {
            DatabaseWatcher w = watchers.get(database);
            if (w != null) {
                w.wake();
            }
        });
        for (DatabaseWatcher w : watchers.values()) {
            w.start();
        }
        log.info("watching {} database(s): {}", watchers.size(), watchers.keySet());
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

    /** Stops every watcher and closes every port; waits at most a few seconds. Idempotent. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
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
            try {
                w.port().close();
            } catch (RuntimeException e) {
                log.warn("closing the port of database {} failed", w.database(), e);
            }
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
