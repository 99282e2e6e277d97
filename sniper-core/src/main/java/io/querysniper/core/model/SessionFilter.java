package io.querysniper.core.model;

import java.time.Duration;

/**
 * Which sessions a look needs: only those that can break a rule before the next look. An adapter that
 * can filter on the server (a WHERE clause) asks only for these; one that cannot returns every session,
 * which is never wrong, only slower. A null bound means no session of that kind is needed.
 *
 * @param busyAtLeast         non-Sleep sessions whose statement is at least this old
 * @param idleAtLeast         Sleep sessions idle at least this long
 * @param transactionAtLeast  sessions whose open transaction is at least this old (busy or idle)
 * @param hintedQueries       also statements that carry their own timeout hint
 *                            ({@code query-sniper: timeout=} or {@code MAX_EXECUTION_TIME}), whatever their age
 * @param transactions        the rows need their open transaction (age, rows modified, id); always true
 *                            with a {@code transactionAtLeast}. False leaves the server's transaction list
 *                            unread: InnoDB builds it under its lock system's mutex, which a row-lock pile-up
 *                            makes expensive (44 ms for 400 waiters measured on MariaDB 10.11, against 1.3 ms
 *                            for the process list), and the KILLs that must wake those waiters wait for it
 */
public record SessionFilter(Duration busyAtLeast, Duration idleAtLeast, Duration transactionAtLeast,
                            boolean hintedQueries, boolean transactions) {
    /** Every session, with its transaction (offline dumps, fakes, the {@code scan} command). */
    public static final SessionFilter ALL = new SessionFilter(Duration.ZERO, Duration.ZERO, Duration.ZERO, true, true);
    /** No session: nothing could break a rule. */
    public static final SessionFilter NONE = new SessionFilter(null, null, null, false, false);

    public SessionFilter {
        transactions |= transactionAtLeast != null; // the filter itself reads the transaction's age
    }

    public boolean isAll() {
        return Duration.ZERO.equals(busyAtLeast) && Duration.ZERO.equals(idleAtLeast);
    }
}
