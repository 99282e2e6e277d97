package io.querysniper.core.watch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a watcher waits between looks: a seam so tests drive the loop with a fake clock instead of
 * real sleeps. {@link #wake()} ends the current wait early (ownership changed, engine closing); a
 * wake that arrives while nobody waits ends the next wait at once, so it is never lost.
 */
public interface Sleeper {

    /** Waits for {@code duration} or until {@link #wake()}, whichever comes first. */
    void sleep(Duration duration) throws InterruptedException;

    void wake();

    /** A real sleeper on a monitor. */
    static Sleeper create() {
        return new MonitorSleeper();
    }

    /**
     * The real implementation: a lock and condition with a pending-wake flag. Not {@code synchronized}:
     * watchers run on virtual threads, which a monitor wait would pin to their carrier on Java 21.
     */
    final class MonitorSleeper implements Sleeper {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition woke = lock.newCondition();
        private boolean woken;

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            long deadline = System.nanoTime() + Math.max(0, duration.toNanos());
            lock.lock();
            try {
                long left;
                while (!woken && (left = deadline - System.nanoTime()) > 0) {
                    woke.awaitNanos(left);
                }
                woken = false;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void wake() {
            lock.lock();
            try {
                woken = true;
                woke.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
