package io.querysniper.core.watch;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.core.log.MdcScope;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.rules.Durations;
import io.querysniper.core.rules.Evaluation;
import io.querysniper.core.rules.RuleEngine;
import io.querysniper.core.rules.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Watches one database on its own virtual thread {@code sniper-<db>-poll}: look, judge, act, arm, then
 * sleep until the next armed kill or the next look. While the kill gate says another node owns the
 * database, it only waits for the gate to change. A failed look backs off ({@link FailureStreak}); the
 * loop never dies of a runtime exception.
 *
 * <p><b>Deadline-armed kills.</b> A look that finds a session that will cross its limit before the next
 * look (under a rule that needs nothing but that session: no pile-up, no {@code when}) arms its kill for
 * that instant instead of looking again; the armed kill fires on the rows of the look, and the adapter
 * re-checks the thread right before the KILL where the KILL could otherwise hit something else (MariaDB's
 * {@code KILL QUERY ID} needs no re-check: a statement that ended answers "unknown query id"). Pile-up and
 * {@code when} verdicts are decided at look time, and bring the next look forward to their crossing
 * (never sooner than {@code minSpacing} after the last look). Each look replaces every armed kill.
 *
 * <p>What the loop decides, on its own thread: the kill-rate guard (counted there), the reports that kill
 * nothing (LOG, refusals, dry-run) and that a victim is not in flight or remembered already. What the
 * {@link KillDispatcher} does with the victims of one look or armed instant, as one batch: ownership,
 * write-ahead intents, the KILLs in parallel, the final records.
 *
 * <p>All timing goes through the injected {@link Clock} and {@link Sleeper}: {@link #lookOnce()} looks
 * now and {@link #tick()} does what is due; both return the wait before the next thing, for tests.
 */
public final class DatabaseWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatcher.class);

    /** Longest wait between two attempts at a server that is down (longer only if the interval is). */
    public static final Duration MAX_BACKOFF = FailureStreak.MAX_BACKOFF;
    /** How long a kill is remembered so the same statement is not killed twice while the kill lands. */
    static final Duration KILL_MEMORY = OutcomeMemory.KILL_MEMORY;
    /** How long a statement killed by its query id is left alone while the server still shows it dying. */
    static final Duration SAME_STATEMENT_MEMORY = OutcomeMemory.SAME_STATEMENT_MEMORY;
    /**
     * A routine look this late after its due time still counts as on time and keeps the schedule's phase:
     * the grid's lateness and a little more. A later one (an overloaded node) starts a new phase instead of
     * catching up.
     */
    private static final Duration ON_TIME = WatchSpec.LOOK_GRID.multipliedBy(2);
    /** Longest fingerprint carried in a kill record. */
    static final int RECORD_FINGERPRINT_CHARS = 1024;
    /** Kill connections: none, kills run on the watcher thread inside {@link #lookOnce()} (deterministic tests). */
    static final int INLINE_KILLS = 0;

    private final String node;
    private final WatchSpec spec;
    private final ServerPort port;
    private final KillGate gate;
    private final KillListener listener;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RuleEngine engine;
    private final RecordIds ids;
    private final KillRateGuard guard;
    private final RecentDecisions recent = new RecentDecisions();
    private final ArmedKills armed = new ArmedKills();
    private final TransactionAges transactionAges = new TransactionAges();
    private final StatementFacts statementFacts;
    private final FailureStreak failures;
    private final KillDispatcher dispatcher;
    private final Thread thread;

    private volatile boolean running;
    /** Set by {@link #stop()}: no kill is dispatched or started any more. */
    private volatile boolean stopping;
    private volatile Instant lastLook;
    private volatile boolean owner = true;
    private volatile boolean guardTripped;
    /** Set by {@link #wake()}: look at the next tick, whatever the schedule (ownership may have changed). */
    private volatile boolean nextLookNow;
    /** When the next look is due; null: now. Watcher thread only. */
    private Instant nextLookAt;
    /**
     * True when the next look is a routine one, one interval after the last: it waits for the look grid
     * ({@link Sleeper#sleepForLook}). A look brought forward by a crossing keeps its instant. Watcher thread only.
     */
    private boolean nextLookRoutine = true;

    /** A watcher that sends at most {@link WatchSpec#maxKillConnections()} KILLs at once. */
    public DatabaseWatcher(String node, WatchedDatabase database, KillGate gate, KillListener listener, Clock clock,
                           Sleeper sleeper) {
        this(node, database, gate, listener, clock, sleeper, database.spec().maxKillConnections());
    }

    /** @param killConnections KILLs at once, or {@link #INLINE_KILLS} to kill on the watcher thread */
    DatabaseWatcher(String node, WatchedDatabase database, KillGate gate, KillListener listener, Clock clock,
                    Sleeper sleeper, int killConnections) {
        this(node, database, gate, listener, clock, sleeper, killConnections, KillDispatcher.FINAL_HOLD);
    }

    /** @param finalHold how long final records may wait for the database's other KILLs (tests) */
    DatabaseWatcher(String node, WatchedDatabase database, KillGate gate, KillListener listener, Clock clock,
                    Sleeper sleeper, int killConnections, Duration finalHold) {
        if (killConnections < 0) {
            throw new IllegalArgumentException("killConnections must be >= 0: " + killConnections);
        }
        this.node = Objects.requireNonNull(node, "node");
        this.spec = database.spec();
        this.port = Objects.requireNonNull(database.port(), "port");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.engine = new RuleEngine(spec);
        this.statementFacts = new StatementFacts(spec.tagAllowList(), RECORD_FINGERPRINT_CHARS);
        this.ids = new RecordIds(node);
        this.guard = new KillRateGuard(spec.maxKillsPerMinute());
        this.failures = new FailureStreak(spec);
        this.dispatcher = new KillDispatcher(node, spec, port, gate, listener, clock, recent, killConnections,
                () -> owner = false, finalHold);
        // A virtual thread: a thousand watched databases must not mean a thousand platform threads.
        this.thread = Thread.ofVirtual().name("sniper-" + spec.database() + "-poll")
                .uncaughtExceptionHandler((t, e) ->
                        log.error("watcher thread {} of database {} died", t.getName(), spec.database(), e))
                .unstarted(this::run);
    }

    public String database() {
        return spec.database();
    }

    public ServerPort port() {
        return port;
    }

    /** Starts the watcher thread. */
    public void start() {
        running = true;
        thread.start();
    }

    /** Ends the current wait early: look now (ownership may have changed). */
    public void wake() {
        nextLookNow = true;
        sleeper.wake();
    }

    /**
     * Asks the thread to stop and interrupts whatever it is doing; no kill is dispatched or sent any more
     * (victims whose intent was written end STALE). KILLs already sent are left to finish (never
     * interrupted halfway): {@link #join} waits for them. Returns at once.
     */
    public void stop() {
        running = false;
        stopping = true;
        dispatcher.stop();
        sleeper.wake();
        thread.interrupt();
    }

    /**
     * After {@link #stop()}: waits for the thread to end and for the KILLs in flight to finish; true when
     * both did within {@code timeout}.
     */
    public boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean stopped = thread.getState() == Thread.State.NEW || thread.join(timeout);
        boolean drained = dispatcher.join(deadline);
        return stopped && drained;
    }

    /** Kills queued or running now. */
    int killsInFlight() {
        return dispatcher.inFlightCount();
    }

    /** Kills armed for a coming instant. */
    int killsArmed() {
        return armed.size();
    }

    /** {@link #stop()} and wait up to 3 s. Does not close the port (the engine owns that). */
    @Override
    public void close() {
        stop();
        try {
            if (!join(Duration.ofSeconds(3))) {
                log.warn("watcher of database {} did not stop within 3s", spec.database());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public WatcherStatus status() {
        WatcherStatus.Health health = failures.health();
        return new WatcherStatus(spec.database(), lastLook, health != WatcherStatus.Health.DOWN, owner,
                failures.lastError(), dispatcher.kills(), guardTripped, health);
    }

    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    private void run() {
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, node, MdcScope.DB, spec.database())) {
            log.info("watching database {} (interval {}, {} rules{})", spec.database(),
                    Durations.human(spec.interval()), spec.rules().size(), spec.dryRun() ? ", dry-run" : "");
            while (running) {
                Duration wait = tick();
                if (!running) {
                    break;
                }
                try {
                    if (nextIsLook() && nextLookRoutine) {
                        sleeper.sleepForLook(wait);
                    } else {
                        sleeper.sleep(wait); // an armed kill's instant is never moved
                    }
                } catch (InterruptedException e) {
                    if (!running) {
                        break;
                    }
                }
            }
            log.info("stopped watching database {}", spec.database());
        }
    }

    /** Fires the armed kills that are due and looks when a look is due; returns the wait before the next. Never throws. */
    Duration tick() {
        fireDue();
        Instant now = clock.instant();
        if (nextLookNow || nextLookAt == null || !now.isBefore(nextLookAt)) {
            boolean forced = nextLookNow;
            nextLookNow = false;
            lookNow(forced);
        }
        return untilNext();
    }

    /** Looks now, whatever the schedule; returns the wait before the next armed kill or look. Never throws. */
    public Duration lookOnce() {
        lookNow(true);
        return untilNext();
    }

    /** True when the next thing due is a look, not an armed kill (whose instant is never moved). */
    private boolean nextIsLook() {
        Instant due = nextArmedStart();
        return due == null || (nextLookAt != null && nextLookAt.isBefore(due));
    }

    /** When the next armed batch starts: its crossing less the intent lead (intents go ahead), or null. */
    private Instant nextArmedStart() {
        Instant due = armed.nextDue();
        return due == null ? null : due.minus(dispatcher.intentLead());
    }

    private Duration untilNext() {
        Instant next = nextLookAt;
        Instant due = nextArmedStart();
        if (due != null && (next == null || due.isBefore(next))) {
            next = due;
        }
        Duration wait = next == null ? Duration.ZERO : Duration.between(clock.instant(), next);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    /** @param forced a look out of schedule ({@link #wake()}, {@link #lookOnce()}): it starts a new phase */
    private void lookNow(boolean forced) {
        Instant start = clock.instant();
        // A routine look that came on time (within the grid's lateness) keeps the schedule's phase: the next
        // one is due an interval after this one was due, not after it ran, so the grid's lateness does not
        // add up look after look (one look a second stays one a second). A late one starts a new phase.
        Instant scheduled = !forced && nextLookAt != null && nextLookRoutine
                && !start.isAfter(nextLookAt.plus(ON_TIME)) ? nextLookAt : null;
        try {
            nextLookAt = look(start, scheduled);
        } catch (RuntimeException | StackOverflowError e) {
            armed.clear();
            nextLookAt = start.plus(failures.failed(e, clock.instant()));
        }
    }

    /**
     * One look; returns when the next is due.
     *
     * @param scheduled when this look was due, if it is a routine look that came on time; else null
     */
    private Instant look(Instant start, Instant scheduled) {
        nextLookRoutine = true;
        if (!gate.mayKill(spec.database())) {
            owner = false;
            armed.clear();
            return (scheduled != null ? scheduled : start).plus(spec.interval());
        }
        owner = true;
        statementFacts.forgetAll();
        ServerSnapshot snapshot = transactionAges.sharpen(
                port.snapshot(engine.statusNeeds(), engine.sessionFilter()));
        failures.recovered(clock.instant());
        lastLook = snapshot.takenAt();
        Evaluation evaluation = engine.evaluate(snapshot);
        act(evaluation.verdicts(), snapshot.takenAt(), snapshot, clock.instant());
        arm(evaluation.upcoming(), snapshot);
        guardTripped = guard.isTripped(clock.instant());
        Instant due;
        if (evaluation.nextLook().compareTo(spec.interval()) < 0) {
            nextLookRoutine = false; // brought forward to a crossing: on the instant, not the grid
            due = snapshot.takenAt().plus(evaluation.nextLook());
        } else {
            due = (scheduled != null ? scheduled : snapshot.takenAt()).plus(spec.interval());
        }
        Instant earliest = start.plus(spec.minSpacing());
        return due.isBefore(earliest) ? earliest : due;
    }

    private void arm(List<Evaluation.Upcoming> upcoming, ServerSnapshot snapshot) {
        List<ArmedKills.Armed> list = new ArrayList<>(upcoming.size());
        for (Evaluation.Upcoming u : upcoming) {
            statementFacts.of(u.verdict().session().info()); // now, not when the kill is due
            list.add(new ArmedKills.Armed(u.verdict(), snapshot.takenAt().plus(u.dueIn()), snapshot.takenAt(),
                    snapshot.subSecondAges(), snapshot.serverId()));
        }
        armed.replaceAll(list);
        if (!list.isEmpty()) {
            port.expectKills();
            expectRecords(list);
        }
    }

    /** Tells the listener each second the armed kills fall in (one or two: they are due within an interval). */
    private void expectRecords(List<ArmedKills.Armed> list) {
        Set<Long> told = new HashSet<>();
        for (ArmedKills.Armed a : list) {
            if (told.add(a.dueAt().getEpochSecond())) {
                try {
                    listener.expectRecords(a.dueAt());
                } catch (RuntimeException e) {
                    log.warn("kill listener failed on armed kills of database {}", spec.database(), e);
                }
            }
        }
    }

    private void fireDue() {
        Instant now = clock.instant();
        List<ArmedKills.Armed> due = armed.takeDue(now.plus(dispatcher.intentLead()));
        if (due.isEmpty() || stopping) {
            return;
        }
        try {
            if (!gate.mayKill(spec.database())) {
                owner = false;
                armed.clear();
                return;
            }
            List<KillOrder> batch = new ArrayList<>(due.size());
            for (ArmedKills.Armed a : due) {
                // Decided as of its crossing (ages, the record's time); its KILL waits for that instant.
                Instant at = a.dueAt().isAfter(now) ? a.dueAt() : now;
                KillOrder order = decide(a.verdict(), a.seenAt(), a.subSecond(), a.serverId(), at);
                if (order != null) {
                    batch.add(order);
                }
            }
            dispatcher.submit(batch);
        } catch (RuntimeException e) {
            log.warn("armed kill(s) on database {} failed", spec.database(), e);
        }
    }

    private void act(List<Verdict> verdicts, Instant seenAt, ServerSnapshot snapshot, Instant now) {
        Set<RecentDecisions.Key> seen = new HashSet<>();
        List<KillOrder> batch = new ArrayList<>();
        try {
            for (Verdict v : verdicts) {
                seen.add(key(v)); // even when no longer acting: what is remembered stays remembered
                if (stopping) {
                    continue;
                }
                KillOrder order = decide(v, seenAt, snapshot.subSecondAges(), snapshot.serverId(), now);
                if (order != null) {
                    batch.add(order);
                }
            }
        } finally {
            recent.retainOnly(seen, now);
        }
        dispatcher.submit(batch);
    }

    private static RecentDecisions.Key key(Verdict v) {
        return new RecentDecisions.Key(v.session().threadId(), v.session().queryId(), v.rule().name());
    }

    /**
     * Decides one verdict: reports LOG / refusal / dry-run at once and returns null, or returns the order
     * for the kill batch. Null too when the victim is in flight or remembered, or the guard holds it back.
     */
    private KillOrder decide(Verdict v, Instant seenAt, boolean subSecond, String serverId, Instant now) {
        RecentDecisions.Key key = key(v);
        KillOrder.Victim victim = KillOrder.Victim.of(v);
        if (recent.remembers(key, now) || dispatcher.isInFlight(victim)) {
            return null;
        }
        KillRecord base = record(v, now, Duration.between(seenAt, now));
        KillOutcome report = v.action() == KillAction.LOG ? KillOutcome.LOGGED
                : v.refusal() != null ? (v.refusal().equals(RuleEngine.IDLE_KILL_QUERY)
                        ? KillOutcome.REFUSED_IDLE_SESSION : KillOutcome.REFUSED_ROLLBACK_GUARD)
                : spec.dryRun() ? KillOutcome.WOULD_KILL : null;
        if (report != null) {
            emit(base.complete(report, report == KillOutcome.LOGGED || report == KillOutcome.WOULD_KILL
                    ? null : v.refusal(), now));
            recent.remember(key, OutcomeMemory.rememberUntil(report, false, 0, now));
            return null;
        }
        switch (guard.acquire(now)) {
            case PAUSED -> {
                return null;
            }
            case TRIP -> {
                guardTripped = true;
                String why = "more than " + guard.maxKillsPerMinute() + " kills in a minute: killing paused on "
                        + spec.database() + " until a quiet minute has passed";
                log.warn("KILL RATE GUARD TRIPPED on database {}: {}", spec.database(), why);
                emit(new KillRecord(ids.next(now), now, node, spec.database(), -1, -1, null, null, null, null, null,
                        -1, -1, 0, null, null, KillOutcome.GUARD_TRIPPED, why, null, null, null, null, false));
                return null;
            }
            case ALLOW -> {
                if (guardTripped) {
                    guardTripped = false;
                    log.warn("kill rate guard on database {} reset after a quiet minute: killing resumes", spec.database());
                }
            }
        }
        return new KillOrder(v, key, victim, base, now, seenAt, subSecond, serverId, now);
    }

    /**
     * The record of a decision, outcome PENDING; info never leaves: only fingerprint, digest and tags.
     * Ages are as of {@code now}: the rows were read {@code sinceSeen} earlier (an armed kill fires later).
     */
    private KillRecord record(Verdict v, Instant now, Duration sinceSeen) {
        Session s = v.session();
        StatementFacts.Facts facts = statementFacts.of(s.info());
        Duration since = sinceSeen.isNegative() ? Duration.ZERO : sinceSeen;
        return new KillRecord(ids.next(now), now, node, spec.database(), s.threadId(), s.queryId(), s.user(), s.host(),
                s.db(), s.command(), s.state(), s.time().plus(since).toMillis(),
                s.transactionAge() == null ? -1 : s.transactionAge().plus(since).toMillis(), s.rowsModified(),
                v.rule().name(), v.action(), KillOutcome.PENDING, null, facts.fingerprint(), facts.digest(),
                s.serverDigest(), facts.tags(), spec.dryRun());
    }

    private void emit(KillRecord record) {
        try {
            listener.onRecord(record);
        } catch (RuntimeException e) {
            log.warn("kill listener failed on record {}", record.id(), e);
        }
    }
}
