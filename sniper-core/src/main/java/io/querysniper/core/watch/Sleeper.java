package io.querysniper.core.watch;

import java.time.Duration;

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

    /** The real implementation: {@link Object#wait(long, int)} with a pending-wake flag. */
    final class MonitorSleeper implements Sleeper {
        private boolean woken;

        @Override
        public synchronized void sleep(Duration duration) throws InterruptedException {
            long deadline = System.nanoTime() + Math.max(0, duration.toNanos());
            long left;
            while (!woken && (left = deadline - System.nanoTime()) > 0) {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
            woken = false;
        }

        @Override
        public synchronized void wake() {
            woken = true;
            notifyAll();
        }
    }
}
