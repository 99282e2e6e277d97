package io.querysniper.daemon.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value read from ZooKeeper for HTTP requests: read at most once per {@code maxAge} whatever the number
 * of requests, one read at a time, and a request waits at most {@code maxWait} for it. While ZooKeeper is
 * away a read may block for the client's connection timeout: requests then get the last value instead.
 */
final class CachedRead<T> {
    private static final Logger log = LoggerFactory.getLogger(CachedRead.class);

    private final String what;
    private final Supplier<T> read;
    private final T empty;
    private final long maxAgeNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanos;
    private volatile T value;
    private volatile long readAt;
    private volatile boolean ever;
    private CompletableFuture<T> inFlight;

    CachedRead(String what, Supplier<T> read, T empty, Duration maxAge, Duration maxWait, LongSupplier nanos) {
        this.what = what;
        this.read = Objects.requireNonNull(read, "read");
        this.empty = empty;
        this.value = empty;
        this.maxAgeNanos = maxAge.toNanos();
        this.maxWaitNanos = maxWait.toNanos();
        this.nanos = nanos;
    }

    T get() {
        if (ever && nanos.getAsLong() - readAt < maxAgeNanos) {
            return value;
        }
        CompletableFuture<T> f;
        synchronized (this) {
            if (inFlight == null) {
                CompletableFuture<T> started = new CompletableFuture<>();
                inFlight = started;
                Thread.ofVirtual().name("sniper-http-read").start(() -> refresh(started));
            }
            f = inFlight;
        }
        try {
            return f.get(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return value;
        }
    }

    private void refresh(CompletableFuture<T> f) {
        T v;
        try {
            v = read.get();
        } catch (RuntimeException e) {
            log.debug("reading {} for the status failed: {}", what, e.toString());
            v = ever ? value : empty;
        }
        value = v;
        readAt = nanos.getAsLong();
        ever = true;
        synchronized (this) {
            inFlight = null;
        }
        f.complete(v);
    }
}
