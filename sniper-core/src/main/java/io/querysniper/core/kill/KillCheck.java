package io.querysniper.core.kill;

import io.querysniper.core.model.Session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the adapter re-checks right before a KILL, as close to it as one round trip allows: that the
 * thread is still the one the decision was about. Pure; the adapter reads the thread's row again and
 * asks {@link #mismatch}.
 *
 * <ul>
 *   <li>{@link KillBasis#BUSY}: the same statement runs: the same MariaDB query id or MySQL event id where
 *       the server has one; otherwise the same text, started at the same moment (its age now is the age
 *       seen plus the time since, within the server's precision).</li>
 *   <li>{@link KillBasis#IDLE}: still Sleep, idle since the same moment (a connection the application
 *       picked up again and put back is no longer the idle one).</li>
 *   <li>{@link KillBasis#TRANSACTION}: the same InnoDB transaction (its id; without ids, one at least as old).</li>
 *   <li>The rollback guard, judged again: a transaction that modified more than {@code maxRowsModified}
 *       rows since the look is not killed.</li>
 * </ul>
 *
 * @param basis            the threshold the decision rests on
 * @param seen             the session as the look saw it (its info is compared, never logged)
 * @param seenAt           when that look was taken
 * @param subSecondAges    true when the server gave millisecond ages, false for whole seconds
 * @param serverId         the server the rows came from ({@code ServerSnapshot.serverId}), or null when unknown
 * @param maxRowsModified  the rule's rollback guard, or -1 for none
 */
public record KillCheck(KillBasis basis, Session seen, Instant seenAt, boolean subSecondAges, String serverId,
                        long maxRowsModified) {

    /** How much younger than expected a millisecond age may read (the server and the daemon tick apart). */
    static final Duration MS_SLACK = Duration.ofMillis(50);
    /** The same for whole-second ages: a reading is truncated to the second. */
    static final Duration SECOND_SLACK = Duration.ofMillis(1050);

    public KillCheck {
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(seen, "seen");
        Objects.requireNonNull(seenAt, "seenAt");
    }

    /**
     * True when a KILL may be sent without reading the thread again: KILL QUERY ID names the statement
     * itself (one that ended answers "unknown query id"), and no rollback guard needs a fresh row count.
     */
    public boolean blindSafe(KillAction action, boolean byQueryId) {
        return action == KillAction.KILL_QUERY && byQueryId && basis == KillBasis.BUSY && maxRowsModified < 0;
    }

    /**
     * True when the re-check needs the thread's open transaction (its id, age, rows modified): a decision
     * on a transaction's age, or a rollback guard. Otherwise the process list alone answers.
     */
    public boolean needsTransactions() {
        return basis == KillBasis.TRANSACTION || maxRowsModified >= 0;
    }

    /**
     * Why the thread as read {@code now} (at instant {@code at}) is no longer the one decided about, as the
     * result to report instead of killing; null when the KILL may go.
     *
     * @param now the thread's row read right before the KILL, or null when the server no longer shows it
     */
    public KillResult mismatch(Session now, Instant at) {
        long thread = seen.threadId();
        if (now == null) {
            return gone("thread " + thread + " is gone");
        }
        Duration elapsed = since(at);
        Duration slack = slack();
        String why = switch (basis) {
            case BUSY -> sameStatement(now, elapsed, slack);
            case IDLE -> sameIdleStretch(now, elapsed, slack);
            case TRANSACTION -> sameTransaction(now, elapsed, slack);
        };
        if (why != null) {
            return gone("thread " + thread + " " + why);
        }
        if (maxRowsModified >= 0 && now.rowsModified() > maxRowsModified) {
            return new KillResult(KillOutcome.REFUSED_ROLLBACK_GUARD, "transaction modified " + now.rowsModified()
                    + " rows > max-rows-modified " + maxRowsModified + " (re-checked right before the kill)");
        }
        return null;
    }

    private String sameStatement(Session now, Duration elapsed, Duration slack) {
        if (now.isSleeping()) {
            return "is idle now: the statement seen has ended";
        }
        if (seen.queryId() >= 0 && now.queryId() >= 0) {
            return seen.queryId() == now.queryId() ? null : "runs another statement now (query id changed)";
        }
        if (seen.statementId() >= 0 && now.statementId() >= 0) {
            return seen.statementId() == now.statementId() ? null : "runs another statement now (event id changed)";
        }
        if (seen.info() == null || !seen.info().equals(now.info())) {
            return "no longer runs the statement seen";
        }
        return startedThen(now.time(), seen.time(), elapsed, slack) ? null
                : "runs the same text again, started later: another statement";
    }

    private String sameIdleStretch(Session now, Duration elapsed, Duration slack) {
        if (!now.isSleeping()) {
            return "is busy again: no longer the idle connection seen";
        }
        if (seen.queryId() >= 0 && now.queryId() >= 0 && seen.queryId() != now.queryId()) {
            return "ran a statement since: no longer idle since the moment seen";
        }
        return startedThen(now.time(), seen.time(), elapsed, slack) ? null
                : "ran a statement since: no longer idle since the moment seen";
    }

    private String sameTransaction(Session now, Duration elapsed, Duration slack) {
        if (noStatementSince(now, elapsed, slack)) {
            // The process list is read fresh: no statement ran since the look, so no COMMIT or ROLLBACK did.
            return null;
        }
        if (!now.hasTransaction()) {
            return "has no open transaction now";
        }
        if (seen.transactionId() >= 0 && now.transactionId() >= 0) {
            return seen.transactionId() == now.transactionId() ? null : "has another transaction open now";
        }
        // Transaction ages are whole-second based on every server.
        return seen.hasTransaction() && startedThen(now.transactionAge(), seen.transactionAge(), elapsed, SECOND_SLACK)
                ? null : "has a younger transaction open now";
    }

    /**
     * True when the process list (which the server reads fresh, unlike its transaction list) shows that the
     * thread has not started a statement since the look: the same running statement, or the same idle stretch.
     */
    private boolean noStatementSince(Session now, Duration elapsed, Duration slack) {
        if (seen.isSleeping() != now.isSleeping()) {
            return false;
        }
        if (seen.isSleeping()) {
            return (seen.queryId() < 0 || now.queryId() < 0 || seen.queryId() == now.queryId())
                    && startedThen(now.time(), seen.time(), elapsed, slack);
        }
        return seen.queryId() >= 0 && seen.queryId() == now.queryId()
                || seen.statementId() >= 0 && seen.statementId() == now.statementId();
    }

    /**
     * True when this re-check must read the server's transaction list fresh, not from its cache: InnoDB
     * refreshes INNODB_TRX only when its last read is more than 100 ms old, and the thread has run
     * statements since the look, so its transaction or its row count may have changed.
     */
    public boolean needsFreshTransactions(Session now, Instant at) {
        if (now == null || (basis != KillBasis.TRANSACTION && maxRowsModified < 0)) {
            return false;
        }
        Duration elapsed = since(at);
        Duration slack = slack();
        boolean idleSince = seen.isSleeping() && now.isSleeping() && startedThen(now.time(), seen.time(), elapsed, slack);
        return basis == KillBasis.TRANSACTION && !noStatementSince(now, elapsed, slack)
                || maxRowsModified >= 0 && !idleSince;
    }

    /** Time from the look to {@code at}, never negative (the daemon's clock may step). */
    private Duration since(Instant at) {
        Duration elapsed = Duration.between(seenAt, at);
        return elapsed.isNegative() ? Duration.ZERO : elapsed;
    }

    /** How much younger than expected an age may read, by the server's precision. */
    private Duration slack() {
        return subSecondAges ? MS_SLACK : SECOND_SLACK;
    }

    /** True when an age read now is consistent with the same start as the age seen {@code elapsed} ago. */
    private static boolean startedThen(Duration ageNow, Duration ageSeen, Duration elapsed, Duration slack) {
        return ageNow.compareTo(ageSeen.plus(elapsed).minus(slack)) >= 0;
    }

    private static KillResult gone(String detail) {
        return new KillResult(KillOutcome.GONE_ALREADY, detail + "; not killed");
    }
}
