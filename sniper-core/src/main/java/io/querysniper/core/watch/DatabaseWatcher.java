package io.querysniper.core.watch;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.core.log.MdcScope;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.rules.Durations;
import io.querysniper.core.rules.Evaluation;
import io.querysniper.core.rules.RuleEngine;
import io.querysniper.core.rules.Verdict;
import io.querysniper.core.sql.Fingerprint;
import io.querysniper.core.sql.QueryHints;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches one database on its own platform thread {@code sniper-<db>-poll}: look, judge, act, then
 * sleep until the closest candidate crosses its limit (bounded by minSpacing and interval). While the
 * kill gate says another node owns the database, it only waits for the gate to change. A server that
 * is down or an adapter that fails makes it back off exponentially (from the interval up to
 * {@link #MAX_BACKOFF}) and keep trying; the loop never dies of a runtime exception, and it never
 * shares a thread, so one slow server never delays another.
 *
 * <p>KILLs are sent from a small pool of kill threads {@code sniper-<db>-kill-N} (at most
 * {@link #MAX_KILLS_IN_FLIGHT} at once), because a single KILL can block inside the server for
 * seconds (MariaDB, many victims contending on one server mutex): the loop dispatches and keeps
 * looking on schedule, and one slow KILL never delays the next victim. What the loop decides at
 * dispatch: the kill rate guard (counted there), a first ownership check, and the victim is marked
 * in flight, so one (thread, query) never has two kills queued or running. What the kill thread does,
 * in this order: ownership checked again immediately before the KILL ({@code NOT_OWNER} and no KILL
 * when lost), the write-ahead intent ({@link KillListener#beforeKill}), the KILL, the final record.
 *
 * <p>All timing goes through the injected {@link Clock} and {@link Sleeper}: {@link #lookOnce()}
 * runs one iteration and returns the wait before the next, which tests call directly.
 */
public final class DatabaseWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatcher.class);

    /** Longest wait between two attempts at a server that is down (longer only if the interval is). */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A failure that repeats is logged at WARN again only this often. */
    static final Duration FAILURE_REMINDER = Duration.ofMinutes(5);
    /** How long a kill is remembered so the same statement is not killed twice while the kill lands. */
    static final Duration KILL_MEMORY = Duration.ofSeconds(5);
    /** How long a statement killed by its query id is left alone while the server still shows it dying. */
    static final Duration SAME_STATEMENT_MEMORY = Duration.ofSeconds(60);
    /** Longest fingerprint carried in a kill record. */
    static final int RECORD_FINGERPRINT_CHARS = 1024;
    /**
     * Kill threads per database: KILLs in flight at once. An adapter that pools connections needs one
     * connection per kill thread besides the one it polls with.
     */
    public static final int MAX_KILLS_IN_FLIGHT = 3;
    /** Kill threads: none, kills run on the watcher thread inside {@link #lookOnce()} (deterministic tests). */
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
    /** Victims whose kill is queued or running (added by the loop, removed by the kill thread). */
    private final Set<Victim> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    /** Null when kills run inline. */
    private final ThreadPoolExecutor killer;
    private final AtomicLong kills = new AtomicLong();

    private volatile boolean running;
    /** Set by {@link #stop()}: no kill is dispatched or started any more. */
    private volatile boolean stopping;
    private volatile Instant lastLook;
    private volatile boolean up = true;
    private volatile boolean owner = true;
    private volatile String lastError;
    private volatile boolean guardTripped;

    // Failure streak, touched only by the watcher thread.
    private Duration backoff;
    private Instant failingSince;
    private Instant lastFailureWarn;
    private String lastFailureKind;

    /** A watcher with {@link #MAX_KILLS_IN_FLIGHT} kill threads. */
    public DatabaseWatcher(String node, WatchedDatabase database, KillGate gate, KillListener listener, Clock clock,
                           Sleeper sleeper) {
        this(node, database, gate, listener, clock, sleeper, MAX_KILLS_IN_FLIGHT);
    }

    /** @param killThreads kill threads, or {@link #INLINE_KILLS} to kill on the watcher thread */
    DatabaseWatcher(String node, WatchedDatabase database, KillGate gate, KillListener listener, Clock clock,
                    Sleeper sleeper, int killThreads) {
        if (killThreads < 0) {
            throw new IllegalArgumentException("killThreads must be >= 0: " + killThreads);
        }
        this.node = Objects.requireNonNull(node, "node");
        this.spec = database.spec();
        this.port = Objects.requireNonNull(database.port(), "port");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.engine = new RuleEngine(spec);
        this.ids = new RecordIds(node);
        this.guard = new KillRateGuard(spec.maxKillsPerMinute());
        this.thread = new Thread(this::run, "sniper-" + spec.database() + "-poll");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) ->
                log.error("watcher thread {} of database {} died", t.getName(), spec.database(), e));
        this.killer = killThreads == INLINE_KILLS ? null : killExecutor(spec.database(), killThreads);
    }

    private static ThreadPoolExecutor killExecutor(String database, int threads) {
        AtomicInteger number = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "sniper-" + database + "-kill-" + number.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) ->
                    log.error("kill thread {} of database {} died", th.getName(), database, e));
            return t;
        };
        // Threads start on the first kill and stay (a few idle threads cost nothing; names stay 1..N).
        // The queue is unbounded but holds each victim at most once, and the rate guard limits them.
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
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
        sleeper.wake();
    }

    /**
     * Asks the thread to stop and interrupts whatever it is doing; stops dispatching kills and drops
     * those queued but not started (no intent was written for them). KILLs already sent are left to
     * finish (never interrupted halfway): {@link #join} waits for them. Returns at once.
     */
    public void stop() {
        running = false;
        stopping = true;
        sleeper.wake();
        thread.interrupt();
        if (killer != null) {
            killer.shutdown();
            List<Runnable> queued = new ArrayList<>();
            killer.getQueue().drainTo(queued);
            for (Runnable r : queued) {
                if (r instanceof KillTask task) {
                    inFlight.remove(task.victim);
                    recent.forget(task.key);
                }
            }
            if (!queued.isEmpty()) {
                log.info("{} queued kill(s) on database {} not sent: the watcher is stopping", queued.size(),
                        spec.database());
            }
        }
    }

    /**
     * After {@link #stop()}: waits for the thread to end and for the KILLs in flight to finish; true when
     * both did within {@code timeout}. Warns when kills are still in flight at the end.
     */
    public boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean stopped = thread.getState() == Thread.State.NEW || thread.join(timeout);
        if (killer == null) {
            return stopped;
        }
        boolean drained = killer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (!drained) {
            log.warn("{} kill(s) on database {} still in flight after {}", inFlight.size(), spec.database(),
                    Durations.human(timeout));
        }
        return stopped && drained;
    }

    /** Kills queued or running now. */
    int killsInFlight() {
        return inFlight.size();
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
        return new WatcherStatus(spec.database(), lastLook, up, owner, lastError, kills.get(), guardTripped);
    }

    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    private void run() {
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, node, MdcScope.DB, spec.database())) {
            log.info("watching database {} (interval {}, {} rules{})", spec.database(),
                    Durations.human(spec.interval()), spec.rules().size(), spec.dryRun() ? ", dry-run" : "");
            while (running) {
                Duration wait = lookOnce();
                if (!running) {
                    break;
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    if (!running) {
                        break;
                    }
                }
            }
            log.info("stopped watching database {}", spec.database());
        }
    }

    /** One iteration of the loop; returns how long to wait before the next. Never throws. */
    public Duration lookOnce() {
        Instant start = clock.instant();
        try {
            if (!gate.mayKill(spec.database())) {
                owner = false;
                return spec.interval();
            }
            owner = true;
            ServerSnapshot snapshot = port.snapshot(engine.statusNeeds());
            recovered();
            lastLook = snapshot.takenAt();
            Evaluation evaluation = engine.evaluate(snapshot);
            act(evaluation);
            guardTripped = guard.isTripped(clock.instant());
            Instant due = snapshot.takenAt().plus(evaluation.nextLook());
            Instant earliest = start.plus(spec.minSpacing());
            if (due.isBefore(earliest)) {
                due = earliest;
            }
            Duration wait = Duration.between(clock.instant(), due);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (ServerUnavailableException e) {
            return failed("unavailable", e, false);
        } catch (RuntimeException | StackOverflowError e) {
            return failed(e.getClass().getSimpleName(), e, true);
        }
    }

    private void act(Evaluation evaluation) {
        Set<RecentDecisions.Key> seen = new HashSet<>();
        boolean acting = true;
        try {
            for (Verdict v : evaluation.verdicts()) {
                RecentDecisions.Key key = new RecentDecisions.Key(v.session().threadId(), v.session().queryId(),
                        v.rule().name());
                seen.add(key); // even when no longer acting: what is remembered stays remembered
                if (!acting || recent.remembers(key, clock.instant()) || inFlight.contains(Victim.of(v))) {
                    continue;
                }
                acting = !stopping && handle(v, key);
            }
        } finally {
            recent.retainOnly(seen, clock.instant());
        }
    }

    /**
     * Acts on one verdict: records LOG / refusal / dry-run at once, or dispatches the kill. False when
     * acting on the rest of this look is pointless (ownership lost, stopping).
     */
    private boolean handle(Verdict v, RecentDecisions.Key key) {
        Instant now = clock.instant();
        KillRecord base = record(v, now);
        if (v.action() == KillAction.LOG) {
            emit(base.complete(KillOutcome.LOGGED, null, now));
            recent.remember(key, Instant.MAX);
            return true;
        }
        if (v.refusal() != null) {
            KillOutcome refused = v.refusal().equals(RuleEngine.IDLE_KILL_QUERY)
                    ? KillOutcome.REFUSED_IDLE_SESSION : KillOutcome.REFUSED_ROLLBACK_GUARD;
            emit(base.complete(refused, v.refusal(), now));
            recent.remember(key, Instant.MAX);
            return true;
        }
        if (spec.dryRun()) {
            emit(base.complete(KillOutcome.WOULD_KILL, null, now));
            recent.remember(key, Instant.MAX);
            return true;
        }
        switch (guard.acquire(now)) {
            case PAUSED -> {
                return true; // later verdicts may still be LOG or refusals worth reporting
            }
            case TRIP -> {
                guardTripped = true;
                String why = "more than " + guard.maxKillsPerMinute() + " kills in a minute: killing paused on "
                        + spec.database() + " until a quiet minute has passed";
                log.warn("KILL RATE GUARD TRIPPED on database {}: {}", spec.database(), why);
                emit(new KillRecord(ids.next(now), now, node, spec.database(), -1, -1, null, null, null, null, null,
                        -1, -1, 0, null, null, KillOutcome.GUARD_TRIPPED, why, null, null, null, null, false));
                return true;
            }
            case ALLOW -> {
                if (guardTripped) {
                    guardTripped = false;
                    log.warn("kill rate guard on database {} reset after a quiet minute: killing resumes", spec.database());
                }
            }
        }
        if (!gate.mayKill(spec.database())) {
            owner = false;
            emit(base.complete(KillOutcome.NOT_OWNER, "ownership lost right before the kill", now));
            return false;
        }
        Victim victim = Victim.of(v);
        inFlight.add(victim);
        recent.remember(key, Instant.MAX); // in flight counts as decided; the kill thread sets the real memory
        KillTask kill = new KillTask(v, key, victim, base);
        if (killer == null) {
            kill.run();
            return true;
        }
        try {
            killer.execute(kill);
            return true;
        } catch (RejectedExecutionException e) { // stopping: nothing was sent, nothing to record
            inFlight.remove(victim);
            recent.forget(key);
            return false;
        }
    }

    /**
     * On a kill thread (or inline): fencing check, write-ahead intent, KILL, final record. Never throws;
     * always ends the victim's in-flight state and sets how long the decision is remembered.
     */
    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    private void kill(Verdict v, RecentDecisions.Key key, Victim victim, KillRecord base) {
        Instant rememberUntil = null; // null: forget, a later look decides again
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, node, MdcScope.DB, spec.database(),
                MdcScope.RULE, v.rule().name())) {
            if (!gate.mayKill(spec.database())) {
                owner = false;
                emit(base.complete(KillOutcome.NOT_OWNER, "ownership lost right before the kill", clock.instant()));
                return;
            }
            try {
                listener.beforeKill(base);
            } catch (RuntimeException e) {
                log.warn("kill listener failed on intent {}", base.id(), e);
            }
            KillResult result;
            try {
                // The fence is asked once more by the adapter right before it sends the KILL: between the
                // check above and that moment lie the write-ahead and getting a connection.
                result = port.kill(new KillRequest(v.session().threadId(), v.session().queryId(), v.action(),
                        v.session().info(), () -> gate.mayKill(spec.database())));
            } catch (ServerUnavailableException e) {
                // The next look finds the server down and backs off; this kill is only recorded.
                result = new KillResult(KillOutcome.ERROR, "server unavailable: " + e.getMessage());
            } catch (RuntimeException e) {
                result = new KillResult(KillOutcome.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            Instant done = clock.instant();
            if (result.outcome() == KillOutcome.KILLED) {
                kills.incrementAndGet();
            }
            // NOT_PERMITTED: asking again every few seconds would only repeat the refusal. Otherwise the
            // server may still show the statement while the kill lands. With a query id that is exactly
            // this statement, which may take long to die (a rollback, a long sort): not again for a
            // minute while it is still shown. Without one (MySQL), only briefly: the key would also
            // match the connection's next statement.
            rememberUntil = result.outcome() == KillOutcome.NOT_PERMITTED ? Instant.MAX
                    : done.plus(v.session().queryId() >= 0 ? SAME_STATEMENT_MEMORY : KILL_MEMORY);
            emit(base.complete(result.outcome(), result.detail(), done));
        } finally {
            if (rememberUntil == null) {
                recent.forget(key);
            } else {
                recent.remember(key, rememberUntil);
            }
            inFlight.remove(victim);
        }
    }

    /** The record of a decision, outcome PENDING; info never leaves: only fingerprint, digest and tags. */
    private KillRecord record(Verdict v, Instant now) {
        Session s = v.session();
        String fingerprint = null;
        String digest = null;
        if (s.info() != null) {
            // Bounded so a 1 MB statement cannot make a 1 MB log line or journal record; the digest
            // still covers the whole fingerprint.
            Fingerprint fp = Fingerprint.of(s.info()).truncate(RECORD_FINGERPRINT_CHARS);
            fingerprint = fp.fingerprint();
            digest = fp.digest();
        }
        return new KillRecord(ids.next(now), now, node, spec.database(), s.threadId(), s.queryId(), s.user(), s.host(),
                s.db(), s.command(), s.state(), s.time().toMillis(),
                s.transactionAge() == null ? -1 : s.transactionAge().toMillis(), s.rowsModified(), v.rule().name(),
                v.action(), KillOutcome.PENDING, null, fingerprint, digest, s.serverDigest(),
                QueryHints.parse(s.info(), spec.tagAllowList()).tags(), spec.dryRun());
    }

    /** A dispatched kill; {@link #stop()} cleans up after the ones it drops from the queue. */
    private final class KillTask implements Runnable {
        private final Verdict verdict;
        private final RecentDecisions.Key key;
        private final Victim victim;
        private final KillRecord base;

        KillTask(Verdict verdict, RecentDecisions.Key key, Victim victim, KillRecord base) {
            this.verdict = verdict;
            this.key = key;
            this.victim = victim;
            this.base = base;
        }

        @Override
        public void run() {
            kill(verdict, key, victim, base);
        }
    }

    /** One statement (or connection, for kill-connection) as the server names it. */
    private record Victim(long threadId, long queryId) {
        static Victim of(Verdict v) {
            return new Victim(v.session().threadId(), v.session().queryId());
        }
    }

    private void emit(KillRecord record) {
        try {
            listener.onRecord(record);
        } catch (RuntimeException e) {
            log.warn("kill listener failed on record {}", record.id(), e);
        }
    }

    private void recovered() {
        if (failingSince != null) {
            log.info("database {} answers again after {} of failures", spec.database(),
                    Durations.human(Duration.between(failingSince, clock.instant())));
        }
        up = true;
        lastError = null;
        backoff = null;
        failingSince = null;
        lastFailureWarn = null;
        lastFailureKind = null;
    }

    private Duration failed(String kind, Throwable e, boolean withStack) {
        Instant now = clock.instant();
        boolean unavailable = e instanceof ServerUnavailableException;
        if (unavailable) {
            up = false;
        }
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Duration base = spec.interval().compareTo(spec.minSpacing()) > 0 ? spec.interval() : spec.minSpacing();
        Duration cap = base.compareTo(MAX_BACKOFF) > 0 ? base : MAX_BACKOFF;
        backoff = backoff == null ? base : backoff.multipliedBy(2);
        if (backoff.compareTo(cap) > 0) {
            backoff = cap;
        }
        boolean changed = failingSince == null || !kind.equals(lastFailureKind);
        if (failingSince == null) {
            failingSince = now;
        }
        if (changed || lastFailureWarn == null || !now.isBefore(lastFailureWarn.plus(FAILURE_REMINDER))) {
            String what = unavailable ? "is unavailable" : "failed";
            if (withStack) {
                log.warn("database {} {} (failing for {}): {}; next try in {}", spec.database(), what,
                        Durations.human(Duration.between(failingSince, now)), lastError, Durations.human(backoff), e);
            } else {
                log.warn("database {} {} (failing for {}): {}; next try in {}", spec.database(), what,
                        Durations.human(Duration.between(failingSince, now)), lastError, Durations.human(backoff));
            }
            lastFailureWarn = now;
        } else {
            log.debug("database {} still failing: {}", spec.database(), lastError);
        }
        lastFailureKind = kind;
        return backoff;
    }
}
