package io.querysniper.daemon.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.port.ServerUnavailableException;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A server port that counts and times its looks ({@code query_sniper_polls_total},
 * {@code query_sniper_poll_duration_seconds}, {@code query_sniper_poll_errors_total{kind}}) and remembers
 * the last look's latency for the status. Kills pass through untouched.
 */
public final class MeteredServerPort implements ServerPort {
    static final String POLLS = "query.sniper.polls";
    static final String POLL_DURATION = "query.sniper.poll.duration";
    static final String POLL_ERRORS = "query.sniper.poll.errors";

    /** Why a look failed, as the {@code kind} label. */
    enum ErrorKind {
        /** The server answered too slowly (the polling statement's time limit). */
        slow,
        /** The server could not be reached or logged in to. */
        unreachable,
        /** Anything else (a bug, an unexpected answer). */
        other;

        static ErrorKind of(RuntimeException e) {
            return e instanceof ServerSlowException ? slow : e instanceof ServerUnavailableException ? unreachable : other;
        }
    }

    private final ServerPort delegate;
    private final String database;
    private final MeterRegistry registry;
    private final Counter polls;
    private final Timer duration;
    private final LongSupplier nanos;
    private volatile long lastLatencyNanos = -1;

    public MeteredServerPort(ServerPort delegate, String database, MeterRegistry registry, LongSupplier nanos) {
        this.delegate = delegate;
        this.database = database;
        this.registry = registry;
        this.nanos = nanos;
        this.polls = Counter.builder(POLLS).description("looks at the server (successful or not)")
                .tag("database", database).register(registry);
        this.duration = Timer.builder(POLL_DURATION).description("how long a look at the server took")
                .tag("database", database).register(registry);
        // Present from the start at 0, so a rate() over errors needs no absent() guard.
        for (ErrorKind k : ErrorKind.values()) {
            errors(k);
        }
    }

    private Counter errors(ErrorKind kind) {
        return Counter.builder(POLL_ERRORS).description("looks that failed, by kind")
                .tag("database", database).tag("kind", kind.name()).register(registry);
    }

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs) {
        return timed(() -> delegate.snapshot(needs));
    }

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs, SessionFilter filter) {
        return timed(() -> delegate.snapshot(needs, filter));
    }

    private ServerSnapshot timed(java.util.function.Supplier<ServerSnapshot> look) {
        long t0 = nanos.getAsLong();
        polls.increment();
        try {
            ServerSnapshot s = look.get();
            long took = nanos.getAsLong() - t0;
            duration.record(took, TimeUnit.NANOSECONDS);
            lastLatencyNanos = took;
            return s;
        } catch (RuntimeException e) {
            duration.record(nanos.getAsLong() - t0, TimeUnit.NANOSECONDS);
            errors(ErrorKind.of(e)).increment();
            throw e;
        }
    }

    /** Seconds the last successful look took, or null before the first. */
    public Double lastLatencySeconds() {
        long n = lastLatencyNanos;
        return n < 0 ? null : n / 1e9;
    }

    public ServerPort delegate() {
        return delegate;
    }

    /** Not a look: neither counted nor timed as one (a standby's reachability check). */
    @Override
    public void ping() {
        delegate.ping();
    }

    @Override
    public KillResult kill(KillRequest request) {
        return delegate.kill(request);
    }

    @Override
    public void expectKills() {
        delegate.expectKills();
    }

    /** Closes the adapter (its meters stay: a replacement port of the same database counts on in them). */
    @Override
    public void close() {
        delegate.close();
    }
}
