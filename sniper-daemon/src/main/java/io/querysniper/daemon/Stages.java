package io.querysniper.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the daemon has started so far, closed in reverse order. A stage that fails to close is logged
 * and the rest are still closed: a stuck journal must not keep the watchers running.
 */
final class Stages {
    private static final Logger log = LoggerFactory.getLogger(Stages.class);

    /** A named resource; close must be idempotent. */
    interface Closer {
        void close() throws Exception;
    }

    private record Stage(String name, Closer closer) {
    }

    private final Deque<Stage> started = new ArrayDeque<>();

    synchronized void add(String name, Closer closer) {
        started.push(new Stage(name, closer));
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
                log.debug("stopped {} in {} ms", s.name(), (System.nanoTime() - t0) / 1_000_000);
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
