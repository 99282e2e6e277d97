package io.querysniper.core.watch;

import io.querysniper.core.port.ServerPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link StandbyProbe} for every database this node does not own, driven by one thread that ticks every
 * {@link #TICK}; {@link #status} gives a watcher's status with the probe's answer as its reachability, so
 * readiness, the status page and the {@code database_up} gauge say whether a standby's databases really
 * answer. An owned database is left to its watcher (its looks tell). Lifecycle: {@link #start()} once,
 * {@link #close()} any number of times.
 */
public final class StandbyProbes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandbyProbes.class);

    /** How often the probes are ticked: a ping is due every {@link StandbyProbe#INTERVAL}, checked this often. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** What a standby's database shows before its first answer: not known to be reachable. */
    static final String NOT_CHECKED = "not checked yet (this node does not own it)";

    private final Supplier<Collection<String>> databases;
    private final Function<String, WatcherStatus> watchers;
    private final Function<String, ServerPort> ports;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration interval;
    private final Duration timeout;
    private final Executor runner;
    private final Map<String, StandbyProbe> probes = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running;

    /**
     * @param databases the configured databases now (a reload changes them)
     * @param watchers  a database's watcher status, or null when it is not watched
     * @param ports     a database's server port now (a reload may replace it), or null
     */
    public StandbyProbes(Supplier<Collection<String>> databases, Function<String, WatcherStatus> watchers,
                         Function<String, ServerPort> ports, Clock clock) {
        this(databases, watchers, ports, clock, Sleeper.create(), StandbyProbe.INTERVAL, StandbyProbe.TIMEOUT,
                command -> Thread.ofVirtual().name("sniper-standby-ping").start(command));
    }

    StandbyProbes(Supplier<Collection<String>> databases, Function<String, WatcherStatus> watchers,
                  Function<String, ServerPort> ports, Clock clock, Sleeper sleeper, Duration interval,
                  Duration timeout, Executor runner) {
        this.databases = Objects.requireNonNull(databases, "databases");
        this.watchers = Objects.requireNonNull(watchers, "watchers");
        this.ports = Objects.requireNonNull(ports, "ports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.interval = interval;
        this.timeout = timeout;
        this.runner = runner;
        this.thread = Thread.ofVirtual().name("sniper-standby-probe")
                .uncaughtExceptionHandler((t, e) -> log.error("standby probe thread died", e))
                .unstarted(this::run);
    }

    public void start() {
        running = true;
        thread.start();
    }

    /**
     * One round: pings each database this node does not own when its ping is due, and forgets the answers
     * for the ones it owns (and for the ones no longer configured). Never throws.
     */
    void tickAll() {
        Set<String> now = Set.copyOf(databases.get());
        probes.keySet().removeIf(db -> !now.contains(db));
        for (String db : now) {
            try {
                WatcherStatus w = watchers.apply(db);
                ServerPort port = ports.apply(db);
                if (w == null || port == null) {
                    probes.remove(db);
                    continue;
                }
                StandbyProbe p = probes.get(db);
                if (p == null || p.port() != port) { // a reload gave it a new port (login, TLS): a new probe
                    p = new StandbyProbe(port, clock, interval, timeout, runner);
                    probes.put(db, p);
                }
                if (w.owner()) {
                    p.forget();
                } else {
                    p.tick();
                }
            } catch (RuntimeException e) {
                log.warn("standby probe of database {} failed", db, e);
            }
        }
    }

    /**
     * The watcher's status of {@code database}; for a standby, with the probe's answer as its reachability
     * (up, health and last error), and not up before the first answer unless its watcher once looked.
     */
    public WatcherStatus status(String database) {
        return merge(watchers.apply(database), probes.get(database));
    }

    static WatcherStatus merge(WatcherStatus w, StandbyProbe probe) {
        if (w == null || w.owner()) {
            return w;
        }
        StandbyProbe.Result r = probe == null ? null : probe.latest();
        if (r == null) {
            if (w.lastLook() != null) {
                return w; // it was the owner a moment ago: its last look is the freshest answer there is
            }
            return new WatcherStatus(w.database(), null, false, false, NOT_CHECKED, w.kills(), w.guardTripped(),
                    WatcherStatus.Health.DOWN);
        }
        return new WatcherStatus(w.database(), w.lastLook(), r.reachable(), false, r.error(), w.kills(),
                w.guardTripped(), r.reachable() ? WatcherStatus.Health.UP : WatcherStatus.Health.DOWN);
    }

    private void run() {
        while (running) {
            tickAll();
            try {
                sleeper.sleep(TICK);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    /** Stops the ticking; pings in flight end on their own (each bounded by the port's timeouts). Idempotent. */
    @Override
    public void close() {
        running = false;
        sleeper.wake();
        thread.interrupt();
    }
}
