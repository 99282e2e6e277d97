package io.querysniper.core.watch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the watchers of this process for their looks, at grid points {@link #STEP} apart, from one
 * platform thread ({@code sniper-look-ticker}, started on first use, parked while nobody waits).
 *
 * <p>Why: a thousand watchers each sleeping on its own virtual-thread timer cost more CPU to wake than
 * their looks cost to run (the timer thread, then a carrier, woken a thousand times a second: 40% of an
 * idle node's CPU, profiled at 1,000 databases). Looks due within one step wake together: twenty wake-ups
 * a second whatever the fleet's size, each running its share of the looks on carriers already awake. The
 * step was 10 ms; at 50 ms an idle node watching 1,000 databases measured 9.4-11.0% of a core instead of
 * 13.1-13.6% (fewer wake-ups of the ticker, the carriers and the I/O poller per look: kernel time about 4%
 * to about 3%).
 * A routine look comes at most one step late, which nothing a look decides minds: kills are armed one
 * interval and one step ahead ({@link WatchSpec#armingHorizon()}) to their instant and never wait for the
 * grid ({@link Sleeper#sleep}), nor does a look brought forward to a crossing; and the watcher keeps its
 * schedule's phase, so the lateness does not add up (one look a second stays one a second).
 */
final class LookTicker {
    private static final Logger log = LoggerFactory.getLogger(LookTicker.class);

    /** How late a look may come: {@link WatchSpec#LOOK_GRID}. */
    static final Duration STEP = WatchSpec.LOOK_GRID;
    private static final long STEP_NANOS = STEP.toNanos();
    private static final LookTicker SHARED = new LookTicker();

    private record Entry(long atNanos, Runnable wake) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlier = lock.newCondition();
    private final PriorityQueue<Entry> due = new PriorityQueue<>(Comparator.comparingLong(Entry::atNanos));
    /** Guarded by {@link #lock}. */
    private Thread thread;

    static LookTicker shared() {
        return SHARED;
    }

    /** The first grid point at or after {@code wait} from {@code nowNanos} (System.nanoTime). */
    static long gridPoint(long nowNanos, Duration wait) {
        long at = nowNanos + Math.max(0, wait.toNanos());
        return Math.floorDiv(at + STEP_NANOS - 1, STEP_NANOS) * STEP_NANOS;
    }

    /** Runs {@code wake} (quickly, never blocking) at the first grid point at or after {@code wait} from now. */
    void wakeAfter(Duration wait, Runnable wake) {
        long at = gridPoint(System.nanoTime(), wait);
        lock.lock();
        try {
            Entry head = due.peek();
            due.add(new Entry(at, wake));
            if (thread == null) {
                thread = Thread.ofPlatform().daemon(true).name("sniper-look-ticker").unstarted(this::run);
                thread.start();
            } else if (head == null || at - head.atNanos() < 0) {
                earlier.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        List<Runnable> fire = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                while (true) {
                    Entry head = due.peek();
                    if (head == null) {
                        earlier.await();
                        continue;
                    }
                    long left = head.atNanos() - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    earlier.awaitNanos(left);
                }
                long now = System.nanoTime();
                while (!due.isEmpty() && due.peek().atNanos() - now <= 0) {
                    fire.add(due.poll().wake());
                }
            } catch (InterruptedException e) {
                log.warn("look ticker interrupted; looks fall back to their own timers");
                return;
            } finally {
                lock.unlock();
            }
            for (Runnable r : fire) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("waking a watcher failed", e);
                }
            }
            fire.clear();
        }
    }
}
