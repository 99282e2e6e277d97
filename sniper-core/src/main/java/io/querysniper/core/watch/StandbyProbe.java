package io.querysniper.core.watch;

import io.querysniper.core.port.ServerPort;
import io.querysniper.core.rules.Durations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Whether one database answers while this node does not watch it (a standby): a watcher that is not the
 * owner never talks to its server, so without this a standby would call a database reachable without
 * asking it. {@link #tick()} starts a {@link ServerPort#ping()} at most every {@code interval}, on the
 * runner (never on the caller's thread), one at a time; a ping that has not answered within
 * {@code timeout} counts as unreachable, and its late answer is ignored (the next ping decides again).
 * {@link #latest()} is the cached result, so a readiness probe never waits for a server. Thread-safe.
 */
public final class StandbyProbe {
    /** How often a standby asks each database it does not own: cheap, and soon enough for a readiness probe. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** A ping without an answer this long counts as unreachable (the port's own connect timeout may be longer). */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    /**
     * One answer.
     *
     * @param reachable the server answered the ping in time
     * @param checkedAt when the answer (or the time-out) was taken
     * @param error     why it is unreachable (never query text), or null
     */
    public record Result(boolean reachable, Instant checkedAt, String error) {
    }

    private final ServerPort port;
    private final Clock clock;
    private final Duration interval;
    private final Duration timeout;
    private final Executor runner;

    // Guarded by this.
    private Instant lastStart;
    /** The ping in flight (its number), or 0. */
    private long inFlight;
    private long pings;
    /** The ping in flight has been declared timed out: its answer no longer counts. */
    private boolean timedOut;
    private volatile Result latest;

    /**
     * @param runner where pings run (a virtual thread each in the product; tests run them by hand)
     */
    public StandbyProbe(ServerPort port, Clock clock, Duration interval, Duration timeout, Executor runner) {
        this.port = Objects.requireNonNull(port, "port");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    public ServerPort port() {
        return port;
    }

    /** The last answer, or null before the first. */
    public Result latest() {
        return latest;
    }

    /**
     * Starts a ping when one is due and none is in flight, and declares the one in flight unreachable once
     * it has run past the time-out. Returns at once; never throws.
     */
    public void tick() {
        long start;
        synchronized (this) {
            Instant now = clock.instant();
            if (inFlight != 0) {
                if (!timedOut && !now.isBefore(lastStart.plus(timeout))) {
                    timedOut = true;
                    latest = new Result(false, now, "no answer within " + Durations.human(timeout));
                }
                return; // one at a time: a server that hangs is not asked again and again
            }
            if (lastStart != null && now.isBefore(lastStart.plus(interval))) {
                return;
            }
            lastStart = now;
            start = ++pings;
            inFlight = start;
            timedOut = false;
        }
        try {
            runner.execute(() -> ping(start));
        } catch (RejectedExecutionException e) {
            answered(start, "cannot start a check: " + e.getMessage());
        }
    }

    /**
     * Forgets the last answer (this node owns the database now: its watcher's looks tell), so that an old
     * answer is never shown when it becomes a standby again. A ping in flight still ends, uncounted.
     */
    public synchronized void forget() {
        latest = null;
        lastStart = null;
        timedOut = inFlight != 0;
    }

    private void ping(long number) {
        String error = null;
        try {
            port.ping();
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        answered(number, error);
    }

    private synchronized void answered(long number, String error) {
        if (number != inFlight) {
            return;
        }
        inFlight = 0;
        if (timedOut) {
            timedOut = false; // too late: the time-out stands until the next ping
            return;
        }
        latest = new Result(error == null, clock.instant(), error);
    }
}
