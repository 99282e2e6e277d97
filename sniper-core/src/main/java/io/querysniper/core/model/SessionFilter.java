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
 */
public record SessionFilter(Duration busyAtLeast, Duration idleAtLeast, Duration transactionAtLeast,
                            boolean hintedQueries) {
    /** Every session (offline dumps, fakes, the {@code scan} command). */
    public static final SessionFilter ALL = new SessionFilter(Duration.ZERO, Duration.ZERO, Duration.ZERO, true);
    /** No session: nothing could break a rule. */
    public static final SessionFilter NONE = new SessionFilter(null, null, null, false);

    public boolean isAll() {
        return Duration.ZERO.equals(busyAtLeast) && Duration.ZERO.equals(idleAtLeast);
    }
}
