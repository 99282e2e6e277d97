package io.querysniper.alerts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * One sink's bounded queue and its delivery thread ({@code sniper-alerts-<sink>}, virtual): offers never
 * wait (a full queue drops the notification, counted and logged); attempts are spaced by the sink's
 * minimum spacing, retried with backoff and jitter or after the endpoint's Retry-After, up to the policy's
 * attempts; {@link #close} lets the queue drain for a bounded time, then drops the rest (counted).
 */
final class DeliveryQueue implements SinkStats {
    private static final Logger log = LoggerFactory.getLogger(DeliveryQueue.class);

    private final Sink sink;
    private final BlockingQueue<Notification> queue;
    private final RetryPolicy policy;
    private final LongSupplier nanoTime;
    private final DoubleSupplier random;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final java.util.Set<Integer> rejectionsLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Duration DROP_LOG_EVERY = Duration.ofMinutes(1);
    private volatile long lastDropLog;
    private volatile boolean closing;
    private volatile long drainDeadline = Long.MAX_VALUE;
    private long lastAttemptNanos;
    private boolean attempted;

    DeliveryQueue(Sink sink, int capacity, RetryPolicy policy, LongSupplier nanoTime, DoubleSupplier random) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.policy = policy;
        this.nanoTime = nanoTime;
        this.random = random;
        this.thread = Thread.ofVirtual().name("sniper-alerts-" + sink.name())
                .uncaughtExceptionHandler((t, e) -> log.error("alert delivery thread {} died", t.getName(), e))
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Never waits: a full (or closing) queue drops the notification. */
    boolean offer(Notification n) {
        if (!closing && queue.offer(n)) {
            return true;
        }
        long d = dropped.incrementAndGet();
        long now = nanoTime.getAsLong();
        // The first drop, then at most one line a minute: a storm must not become a storm of log lines.
        if (d == 1 || now - lastDropLog > DROP_LOG_EVERY.toNanos()) {
            lastDropLog = now;
            log.warn("alert sink {}: queue full ({} waiting), {} notification(s) dropped so far", sink.name(),
                    queue.size(), d);
        }
        return false;
    }

    /** The sink's endpoint, masked. */
    String describe() {
        return sink.describe();
    }

    @Override
    public String sink() {
        return sink.name();
    }

    @Override
    public int depth() {
        return queue.size();
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    @Override
    public long failed() {
        return failed.get();
    }

    private void run() {
        while (true) {
            Notification n;
            try {
                n = closing ? queue.poll() : queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (n == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            if (!send(n)) {
                break;
            }
        }
        int left = queue.size();
        queue.clear();
        if (left > 0) {
            dropped.addAndGet(left);
            log.warn("alert sink {}: {} notification(s) not sent before stop", sink.name(), left);
        }
    }

    /** Delivers one notification with its retries; false when the thread must stop (interrupted, drain over). */
    private boolean send(Notification n) {
        for (int attempt = 1; ; attempt++) {
            if (!pace()) {
                dropped.incrementAndGet();
                return false;
            }
            Attempt a = sink.deliver(n);
            lastAttemptNanos = nanoTime.getAsLong();
            attempted = true;
            switch (a.verdict()) {
                case DELIVERED -> {
                    delivered.incrementAndGet();
                    log.debug("alert sink {}: delivered {} ({})", sink.name(), n.key().asString(), a.status());
                    return true;
                }
                case REJECTED -> {
                    failed.incrementAndGet();
                    if (rejectionsLogged.add(a.status())) {
                        log.warn("alert sink {} ({}) refused a notification: {} {} (not retried; further refusals "
                                + "with this status are counted, not logged)", sink.name(), sink.describe(), a.status(),
                                a.answer());
                    }
                    return true;
                }
                case RETRY -> {
                    if (attempt >= policy.maxAttempts()) {
                        failed.incrementAndGet();
                        log.warn("alert sink {} ({}): gave up on {} after {} attempts, last: {} {}", sink.name(),
                                sink.describe(), n.key().asString(), attempt, a.status(), a.answer());
                        return true;
                    }
                    Duration wait = policy.wait(attempt, a.retryAfter(), random.getAsDouble());
                    log.info("alert sink {}: attempt {} failed ({} {}), next in {} ms", sink.name(), attempt,
                            a.status(), a.answer(), wait.toMillis());
                    if (!sleep(wait)) {
                        dropped.incrementAndGet();
                        return false;
                    }
                }
            }
        }
    }

    /** Waits out the sink's minimum spacing. */
    private boolean pace() {
        if (!attempted) {
            return true;
        }
        long next = lastAttemptNanos + sink.minSpacing().toNanos();
        long wait = next - nanoTime.getAsLong();
        return wait <= 0 || sleep(Duration.ofNanos(wait));
    }

    /** Sleeps unless the drain deadline comes first; false when it does (or on interrupt). */
    private boolean sleep(Duration d) {
        long until = nanoTime.getAsLong() + d.toNanos();
        if (until - drainDeadline > 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Stops taking notifications and lets the queue drain for at most {@code drain}; what is left is dropped
     * (counted). Safe to call twice.
     */
    void close(Duration drain) {
        if (thread.getState() == Thread.State.NEW) {
            closing = true;
            return;
        }
        if (!closing) {
            drainDeadline = nanoTime.getAsLong() + drain.toNanos();
            closing = true;
        }
        try {
            if (!thread.join(drain.plusMillis(50))) {
                thread.interrupt();
                if (!thread.join(Duration.ofSeconds(1))) {
                    log.warn("alert sink {}: delivery thread did not stop", sink.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
