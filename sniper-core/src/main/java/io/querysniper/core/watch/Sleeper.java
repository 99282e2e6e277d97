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

    /**
     * Waits for the next look: like {@link #sleep}, but it may end up to {@link LookTicker#STEP} later, so that
     * the looks of many watchers wake together ({@link LookTicker}).
     */
    default void sleepForLook(Duration duration) throws InterruptedException {
        sleep(duration);
    }

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
        /** Which look wait the ticker may end; a tick for an earlier wait (ended by {@link #wake}) is ignored. */
        private long lookWait;
        private boolean ticked;

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
        public void sleepForLook(Duration duration) throws InterruptedException {
            if (duration.isZero() || duration.isNegative()) {
                return;
            }
            lock.lock();
            try {
                long mine = ++lookWait;
                ticked = false;
                LookTicker.shared().wakeAfter(duration, () -> tick(mine));
                while (!woken && !ticked) {
                    woke.await();
                }
                woken = false;
                ticked = false;
                lookWait++; // the tick of this wait, if still to come, ends nothing
            } finally {
                lock.unlock();
            }
        }

        private void tick(long wait) {
            lock.lock();
            try {
                if (wait == lookWait) {
                    ticked = true;
                    woke.signalAll();
                }
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
