package io.querysniper.core.watch;

import io.querysniper.core.kill.KillCheck;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.log.MdcScope;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.rules.Durations;
import io.querysniper.core.rules.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batched kill path of one database. The victims one look decides (or one armed instant fires)
 * travel together, on a virtual thread of their own so the watcher keeps its schedule:
 * <ol>
 *   <li>ownership is asked again (NOT_OWNER for all, nothing written ahead, when it is gone);</li>
 *   <li>their intents are written ahead as one batch ({@link KillListener#beforeKills}): no KILL is sent
 *       before its intent is durable or the journal's write-timeout has passed;</li>
 *   <li>the KILLs go out back to back on the database's {@link KillLanes}: one lane while KILLs answer
 *       quickly, another (up to {@code maxKillConnections}) whenever every lane is stuck on a KILL that
 *       blocks inside the server; the adapter asks the fence once more right before each KILL and
 *       re-checks the thread;</li>
 *   <li>a KILL that could not be sent within one interval of its decision, the write-ahead not counted, is
 *       not sent on old rows (STALE): the next look judges the session again;</li>
 *   <li>the final records wait while this database's KILLs are still going out (at most {@link #FINAL_HOLD}
 *       after the batch's first answer), then go out as one batch ({@link KillListener#onRecords}); later
 *       ones one by one. A record costs log lines and a journal write (JSON, a ZooKeeper transaction, an
 *       fsync): in a pile-up that work took three times the CPU of the KILLs themselves, on the cores the
 *       KILLs and their victims need (500 row-lock victims, 2 cores: the last dead 0.18-0.27 s after its
 *       limit with records at once, 0.08-0.11 s with the journal off).</li>
 * </ol>
 * How long each outcome is remembered is {@link OutcomeMemory}'s decision.
 */
final class KillDispatcher {
    private static final Logger log = LoggerFactory.getLogger(KillDispatcher.class);

    /**
     * How long after a batch's first answer its final records may wait for the database's other KILLs to
     * go out; then they go without the slow ones. Their intents are durable already: a crash meanwhile
     * leaves pending intents, as a crash during the KILLs would.
     */
    static final Duration FINAL_HOLD = Duration.ofMillis(300);
    /** A lane stuck on one KILL this long lets the next KILL go on another lane (see {@link KillLanes}). */
    static final Duration SLOW_KILL = Duration.ofMillis(15);
    /**
     * How far ahead of an armed crossing its intent is written. Not the journal's usual latency (a few ms)
     * but what it takes when a pile-up loads the machine: 50-75 ms measured for the first intents of a
     * 500-victim storm, before any average could have learnt it (a lead learnt from the last batches came
     * too late for the first storm after a start). The price: a statement that ends within this lead before
     * its limit gets a GONE_ALREADY record (its KILL, by query id or after the re-check, kills nothing).
     */
    static final Duration INTENT_LEAD = Duration.ofMillis(100);
    /** Error streaks kept at most (one per victim whose last KILL failed). */
    private static final int MAX_ERROR_STREAKS = 10_000;

    private final String node;
    private final WatchSpec spec;
    private final ServerPort port;
    private final KillGate gate;
    private final KillListener listener;
    private final Clock clock;
    private final RecentDecisions recent;
    private final Runnable onNotOwner;
    /** Null when kills run inline on the caller's thread (deterministic tests). */
    private final KillLanes lanes;
    private final ThreadFactory batchThreads;
    private final long finalHoldNanos;
    private final Set<KillOrder.Victim> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<KillOrder.Victim, Integer> errorsInARow = new ConcurrentHashMap<>();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong kills = new AtomicLong();
    private volatile boolean stopping;

    /** @param maxConnections KILLs at once, or 0 to run every batch inline on the caller's thread */
    KillDispatcher(String node, WatchSpec spec, ServerPort port, KillGate gate, KillListener listener, Clock clock,
                   RecentDecisions recent, int maxConnections, Runnable onNotOwner) {
        this(node, spec, port, gate, listener, clock, recent, maxConnections, onNotOwner, FINAL_HOLD);
    }

    /** @param finalHold how long final records may wait for the other KILLs ({@link #FINAL_HOLD}; tests) */
    KillDispatcher(String node, WatchSpec spec, ServerPort port, KillGate gate, KillListener listener, Clock clock,
                   RecentDecisions recent, int maxConnections, Runnable onNotOwner, Duration finalHold) {
        this.node = node;
        this.finalHoldNanos = finalHold.toNanos();
        this.spec = spec;
        this.port = port;
        this.gate = gate;
        this.listener = listener;
        this.clock = clock;
        this.recent = recent;
        this.onNotOwner = onNotOwner;
        Thread.UncaughtExceptionHandler handler = (t, e) ->
                log.error("kill thread {} of database {} died", t.getName(), spec.database(), e);
        this.batchThreads = Thread.ofVirtual().name("sniper-" + spec.database() + "-batch-", 1)
                .uncaughtExceptionHandler(handler).factory();
        // Daemon threads: a KILL stuck inside the server must not keep the process alive.
        this.lanes = maxConnections == 0 ? null : new KillLanes(spec.database(), maxConnections, SLOW_KILL,
                Thread.ofPlatform().daemon(true).name("sniper-" + spec.database() + "-kill-", 1)
                        .uncaughtExceptionHandler(handler).factory(),
                Thread.ofVirtual().name("sniper-" + spec.database() + "-lanes-", 1)
                        .uncaughtExceptionHandler(handler).factory());
    }

    /**
     * How long before an armed crossing its batch starts, so that the write-ahead is done by then and the
     * KILL goes out at the crossing itself: {@link #INTENT_LEAD}. Zero when kills run inline (tests drive a
     * fake clock).
     */
    Duration intentLead() {
        return lanes == null ? Duration.ZERO : INTENT_LEAD;
    }

    boolean isInFlight(KillOrder.Victim victim) {
        return inFlight.contains(victim);
    }

    int inFlightCount() {
        return inFlight.size();
    }

    long kills() {
        return kills.get();
    }

    /** Marks the victims in flight and sends the batch; returns at once unless kills run inline. */
    void submit(List<KillOrder> batch) {
        if (batch.isEmpty()) {
            return;
        }
        for (KillOrder o : batch) {
            inFlight.add(o.victim());
            recent.remember(o.key(), Instant.MAX); // in flight counts as decided; the outcome sets the real memory
        }
        if (lanes == null) {
            runBatch(batch);
            return;
        }
        Thread t = batchThreads.newThread(() -> runBatch(batch));
        running.add(t);
        t.start();
    }

    /** No batch starts and no KILL is sent any more; KILLs already sent finish. */
    void stop() {
        stopping = true;
    }

    /** Waits until every batch has ended; true when they did before {@code deadlineNanos} (System.nanoTime). */
    boolean join(long deadlineNanos) throws InterruptedException {
        for (Thread t : List.copyOf(running)) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                log.warn("{} kill(s) on database {} still in flight at the stop deadline", inFlight.size(),
                        spec.database());
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    private void runBatch(List<KillOrder> batch) {
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, node, MdcScope.DB, spec.database())) {
            if (stopping) {
                for (KillOrder o : batch) {
                    finish(o, null);
                }
                log.info("{} kill(s) on database {} not sent: the watcher is stopping", batch.size(), spec.database());
                return;
            }
            Instant now = clock.instant();
            List<KillOrder> fresh = new ArrayList<>(batch.size());
            List<KillRecord> unsent = new ArrayList<>();
            for (KillOrder o : batch) {
                if (isStale(o, now, Duration.ZERO)) {
                    unsent.add(finish(o, stale(o, now, Duration.ZERO)));
                } else {
                    fresh.add(o);
                }
            }
            if (!fresh.isEmpty() && !gate.mayKill(spec.database())) {
                onNotOwner.run();
                for (KillOrder o : fresh) {
                    unsent.add(finish(o, new KillResult(KillOutcome.NOT_OWNER, "ownership lost right before the kill")));
                }
                fresh.clear();
            }
            emit(unsent);
            if (fresh.isEmpty()) {
                return;
            }
            Instant aheadStart = clock.instant();
            try {
                listener.beforeKills(fresh.stream().map(KillOrder::intent).toList());
            } catch (RuntimeException e) {
                log.warn("kill listener failed on {} intent(s)", fresh.size(), e);
            }
            sendAll(fresh, Duration.between(aheadStart, clock.instant()));
        } finally {
            running.remove(Thread.currentThread());
        }
    }

    /** @param writeAhead how long the batch's write-ahead took: not counted against the decisions' age */
    private void sendAll(List<KillOrder> orders, Duration writeAhead) {
        if (lanes == null) {
            List<KillRecord> records = new ArrayList<>(orders.size());
            for (KillOrder o : orders) {
                records.add(finish(o, send(o, writeAhead)));
            }
            emit(records);
            return;
        }
        // The lanes only send; records, memory and log lines are made here, off the KILLs' path.
        BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
        List<KillLanes.Job> jobs = new ArrayList<>(orders.size());
        for (KillOrder o : orders) {
            jobs.add(new KillLanes.Job() {
                @Override
                public void awaitTurn() {
                    waitUntil(o.notBefore()); // an armed kill's KILL never goes before its crossing
                }

                @Override
                public void send() {
                    KillResult result = null;
                    try {
                        result = KillDispatcher.this.send(o, writeAhead);
                    } finally { // every job answers, or its batch would wait for it forever
                        answers.add(new Answer(o, result != null ? result
                                : new KillResult(KillOutcome.ERROR, "the kill lane failed before the KILL answered")));
                    }
                }
            });
        }
        lanes.submit(jobs);
        gather(answers, orders.size());
    }

    private record Answer(KillOrder order, KillResult result) {}

    /**
     * Finishes each answer as it comes (memory, in-flight) and holds the final records until every KILL of
     * the database is out, at most {@link #finalHoldNanos} after the first answer; answers later than
     * that go one by one.
     */
    private void gather(BlockingQueue<Answer> answers, int expected) {
        List<KillRecord> held = new ArrayList<>(expected);
        long holdEnd = 0;
        int left = expected;
        boolean interrupted = false;
        while (left > 0) {
            Answer a;
            try {
                a = left == expected ? answers.take()
                        : answers.poll(holdEnd - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // every job answers, the stuck ones last: keep gathering, restore at the end
                continue;
            }
            if (a == null) {
                break; // the hold is over
            }
            if (left == expected) {
                holdEnd = System.nanoTime() + finalHoldNanos;
            }
            left--;
            held.add(finish(a.order(), a.result()));
        }
        if (left == 0) {
            try {
                lanes.awaitIdle(holdEnd);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        emit(held);
        while (left > 0) {
            try {
                Answer a = answers.take();
                left--;
                emit(List.of(finish(a.order(), a.result())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends one KILL; never throws. {@code writeAhead}: see {@link #isStale(KillOrder, Instant, Duration)}. */
    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    private KillResult send(KillOrder o, Duration writeAhead) {
        Verdict v = o.verdict();
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, node, MdcScope.DB, spec.database(),
                MdcScope.RULE, v.rule().name())) {
            Instant now = clock.instant();
            if (stopping) {
                return new KillResult(KillOutcome.STALE, "the watcher stopped before the KILL was sent");
            }
            if (isStale(o, now, writeAhead)) {
                return stale(o, now, writeAhead);
            }
            KillCheck check = new KillCheck(v.basis(), v.session(), o.seenAt(), o.subSecond(), o.serverId(),
                    v.rule().maxRowsModified());
            // The fence is asked once more by the adapter right before it sends the KILL: between the check
            // at dispatch and that moment lie the write-ahead, getting a connection and the re-check.
            return port.kill(new KillRequest(v.session().threadId(), v.session().queryId(), v.action(),
                    v.session().info(), () -> gate.mayKill(spec.database()), check));
        } catch (ServerUnavailableException e) {
            // The next look finds the server down and backs off; this kill is only recorded.
            return new KillResult(KillOutcome.ERROR, "server unavailable: " + e.getMessage());
        } catch (RuntimeException e) {
            return new KillResult(KillOutcome.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** An armed kill's intent was written ahead: its KILL waits for the crossing, never a moment before. */
    private boolean waitUntil(Instant notBefore) {
        Duration wait;
        while (!(wait = Duration.between(clock.instant(), notBefore)).isNegative() && !wait.isZero()) {
            if (lanes == null) {
                return true; // inline (tests): the caller's clock is already there
            }
            try {
                Thread.sleep(wait.toMillis(), (int) (wait.toNanosPart() % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a decision waited longer than one interval for its KILL, not counting {@code writeAhead}, the
     * time its batch's intents took to become durable. That wait is the journal's, bounded by its
     * write-timeout, and the same for every look: counted, a journal slower than the interval (ZooKeeper
     * slow, the spool's disk slow to fsync) made every decision stale and each next look's too, so nothing
     * was killed while it lasted. What keeps an older decision safe is checked at the KILL itself: the
     * fence, the statement's identity (MariaDB's query id, MySQL's re-check) and the rollback guard.
     */
    private boolean isStale(KillOrder o, Instant now, Duration writeAhead) {
        return Duration.between(o.decidedAt(), now).minus(writeAhead).compareTo(spec.interval()) > 0;
    }

    private KillResult stale(KillOrder o, Instant now, Duration writeAhead) {
        String ahead = writeAhead.isZero() ? "" : ", of which the write-ahead " + Durations.human(writeAhead);
        return new KillResult(KillOutcome.STALE, "not sent within " + Durations.human(spec.interval())
                + " of the decision (" + Durations.human(Duration.between(o.decidedAt(), now)) + ahead
                + "): judged again on fresh rows");
    }

    /**
     * Ends a victim's time in flight and sets how long its decision is remembered; returns its final
     * record, or null for a batch dropped before anything was written ({@code result} null).
     */
    private KillRecord finish(KillOrder o, KillResult result) {
        Instant done = clock.instant();
        try {
            if (result == null) {
                recent.forget(o.key());
                return null;
            }
            if (result.outcome() == KillOutcome.KILLED) {
                kills.incrementAndGet();
            }
            if (result.outcome() == KillOutcome.NOT_OWNER) {
                onNotOwner.run();
            }
            if (errorsInARow.size() > MAX_ERROR_STREAKS) {
                errorsInARow.clear(); // victims that went away with an error streak: bounded, a streak restarts
            }
            int errors = result.outcome() == KillOutcome.ERROR ? errorsInARow.merge(o.victim(), 1, Integer::sum) : 0;
            if (errors == 0) {
                errorsInARow.remove(o.victim());
            }
            Instant until = OutcomeMemory.rememberUntil(result.outcome(), o.victim().queryId() >= 0, errors, done);
            if (until == null) {
                recent.forget(o.key());
            } else {
                recent.remember(o.key(), until);
            }
            return o.intent().complete(result.outcome(), result.detail(), done);
        } finally {
            inFlight.remove(o.victim());
        }
    }

    private void emit(List<KillRecord> records) {
        List<KillRecord> some = records.stream().filter(r -> r != null).toList();
        if (some.isEmpty()) {
            return;
        }
        try {
            listener.onRecords(some);
        } catch (RuntimeException e) {
            log.warn("kill listener failed on {} record(s)", some.size(), e);
        }
    }
}
