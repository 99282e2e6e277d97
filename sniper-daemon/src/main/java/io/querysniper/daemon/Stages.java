package io.querysniper.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the daemon has started so far, closed in reverse order. A stage that fails to close is logged
 * and the rest are still closed: a stuck journal must not keep the watchers running. Each stage declares
 * how long its close may take at most; {@link #bound()} adds them up, so the stop watchdog can be given
 * no less than the stages are allowed.
 */
final class Stages {
    private static final Logger log = LoggerFactory.getLogger(Stages.class);

    /** A named resource; close must be idempotent. */
    interface Closer {
        void close() throws Exception;
    }

    /** The bound of a stage added without one: a close that only releases local resources. */
    static final Duration DEFAULT_BOUND = Duration.ofSeconds(1);

    private record Stage(String name, Duration bound, Closer closer) {
    }

    private final Deque<Stage> started = new ArrayDeque<>();

    synchronized void add(String name, Closer closer) {
        add(name, DEFAULT_BOUND, closer);
    }

    /** @param bound the longest its close may take (its own timeouts added up) */
    synchronized void add(String name, Duration bound, Closer closer) {
        started.push(new Stage(name, bound, closer));
    }

    /** The bounds of the stages not yet closed, added up. */
    synchronized Duration bound() {
        return started.stream().map(Stage::bound).reduce(Duration.ZERO, Duration::plus);
    }

    /** Closes everything added so far, newest first; safe to call twice (the second call does nothing). */
    void closeAll() {
        while (true) {
            Stage s;
            synchronized (this) {
                s = started.poll();
            }
            if (s == null) {
                return;
            }
            long t0 = System.nanoTime();
            try {
                s.closer().close();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > s.bound().toMillis()) {
                    log.warn("stopping {} took {} ms, longer than its bound of {} ms", s.name(), ms, s.bound().toMillis());
                } else {
                    log.debug("stopped {} in {} ms", s.name(), ms);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.warn("interrupted while stopping {}", s.name());
            } catch (Exception | LinkageError e) {
                log.warn("stopping {} failed: {}", s.name(), e.toString());
            }
        }
    }

    synchronized int size() {
        return started.size();
    }
}
