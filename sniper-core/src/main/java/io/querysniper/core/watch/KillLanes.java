package io.querysniper.core.watch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads that send one database's KILLs: lanes that exist only while KILLs wait, each taking the
 * oldest waiting KILL as soon as its previous one has answered.
 *
 * <p>One lane sends the KILLs one after the other, back to back, which is the fastest way through a
 * pile-up: MariaDB's KILL wakes its victim by try-locking the mutex the victim waits on and sleeps 50 ms
 * whenever that fails, and the victims of a pile-up wait on one mutex (the lock wait mutex, SLEEP()'s), so
 * KILLs sent side by side make each other sleep (100 SLEEP victims measured here: 49 ms one after the
 * other, 8 to 26 s over 4 to 8 connections). Another lane opens only when every open lane has been stuck
 * on one KILL for {@code slow} (a KILL that blocks inside the server), at most {@code max} lanes, so a
 * stuck KILL holds up no other for longer than that.
 *
 * <p>Lanes are platform threads, made when a pile-up starts and gone when it is over: a KILL is one round
 * trip, and a blocking read on a platform thread answers sooner than a virtual thread's (0.15 against
 * 0.25 ms per KILL measured here); an idle database has no lane at all.
 */
final class KillLanes {
    private static final Logger log = LoggerFactory.getLogger(KillLanes.class);

    /** One KILL to send: first waits for its moment (not counted as busy), then sends. */
    interface Job {
        /** Waits until the KILL may go (an armed kill's crossing); the lane is not busy meanwhile. */
        void awaitTurn();

        /** Sends the KILL and hands its answer on; must not throw. */
        void send();
    }

    private final String database;
    private final int max;
    private final long slowNanos;
    private final ThreadFactory laneThreads;
    private final ThreadFactory watchThreads;
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private final List<Lane> lanes = new ArrayList<>();
    /** True while a watch thread checks for lanes stuck on a slow KILL. Guarded by this. */
    private boolean watching;

    KillLanes(String database, int max, Duration slow, ThreadFactory laneThreads, ThreadFactory watchThreads) {
        if (max < 1) {
            throw new IllegalArgumentException("max lanes must be >= 1: " + max);
        }
        this.database = database;
        this.max = max;
        this.slowNanos = slow.toNanos();
        this.laneThreads = laneThreads;
        this.watchThreads = watchThreads;
    }

    /** Queues the jobs, oldest first, and opens a lane when none is open. */
    void submit(Collection<? extends Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        synchronized (this) {
            waiting.addAll(jobs);
            if (lanes.isEmpty()) {
                openLane();
            }
            if (!watching && max > 1) {
                watching = true;
                watchThreads.newThread(this::watch).start();
            }
        }
    }

    /** Lanes open now. */
    synchronized int laneCount() {
        return lanes.size();
    }

    /**
     * Waits until no KILL waits or is being sent (every lane has ended), or until {@code deadlineNanos}
     * (System.nanoTime); true when idle.
     */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (!lanes.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Jobs not yet taken by a lane. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** Opens a lane; caller holds the lock. */
    private void openLane() {
        Lane lane = new Lane();
        lanes.add(lane);
        try {
            laneThreads.newThread(lane).start();
        } catch (RuntimeException | Error e) {
            lanes.remove(lane);
            log.error("cannot start a kill lane for database {}", database, e);
            throw e;
        }
    }

    /**
     * While jobs wait: when every open lane has been busy on one KILL for {@code slow}, opens one more (up to
     * {@code max}); sleeps until the soonest lane could turn slow.
     */
    private void watch() {
        while (true) {
            long sleep;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    watching = false;
                    return;
                }
                long now = System.nanoTime();
                long soonest = Long.MAX_VALUE;
                boolean allStuck = true;
                for (Lane l : lanes) {
                    long since = l.busySince;
                    if (since == 0 || now - since < slowNanos) {
                        allStuck = false;
                        if (since != 0) {
                            soonest = Math.min(soonest, since + slowNanos - now);
                        }
                    }
                }
                if (lanes.isEmpty() || (allStuck && lanes.size() < max)) {
                    openLane();
                }
                sleep = soonest == Long.MAX_VALUE ? slowNanos : Math.max(soonest, TimeUnit.MICROSECONDS.toNanos(200));
            }
            try {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } catch (InterruptedException e) {
                synchronized (this) {
                    watching = false;
                }
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One sender: takes the oldest waiting job until none is left, then ends. */
    private final class Lane implements Runnable {
        /** System.nanoTime when its current KILL was sent, 0 while between KILLs. */
        volatile long busySince;

        @Override
        public void run() {
            boolean drained = false;
            try {
                drained = sendUntilNoneWaits();
            } finally {
                if (!drained) { // an Error ended this lane: the jobs left still get one
                    synchronized (KillLanes.this) {
                        lanes.remove(this);
                        if (!waiting.isEmpty() && lanes.isEmpty()) {
                            openLane();
                        }
                        KillLanes.this.notifyAll(); // awaitIdle
                    }
                }
            }
        }

        /** Returns true once nothing waits; the lane has then left the list, under the same lock as the check. */
        private boolean sendUntilNoneWaits() {
            while (true) {
                Job job;
                synchronized (KillLanes.this) {
                    job = waiting.poll();
                    if (job == null) {
                        lanes.remove(this);
                        KillLanes.this.notifyAll(); // awaitIdle
                        return true;
                    }
                }
                try {
                    job.awaitTurn();
                    busySince = System.nanoTime();
                    job.send();
                } catch (RuntimeException e) {
                    log.error("a kill on database {} failed unexpectedly", database, e);
                } finally {
                    busySince = 0;
                }
            }
        }
    }
}
