package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;

import java.time.Duration;
import java.time.Instant;

/**
 * The watcher's policy "which outcome is remembered for how long": after a decision about a (thread,
 * statement, rule) ends, how long later looks leave that session alone. Pure, with a table test, so the
 * next change to it is deliberate.
 *
 * <ul>
 *   <li>KILLED, GONE_ALREADY: the server may still show the statement while the kill lands. With a query
 *       id that is exactly this statement, which may take long to die (a rollback, a long sort): not again
 *       for {@link #SAME_STATEMENT_MEMORY} while it is still shown. Without one (MySQL), only
 *       {@link #KILL_MEMORY}: the key would also match the connection's next statement.</li>
 *   <li>NOT_PERMITTED and the reports (LOGGED, WOULD_KILL, refusals): asking again would only repeat
 *       them: remembered while the session keeps breaking the rule.</li>
 *   <li>ERROR: tried again at the next look, then with a backoff that doubles from
 *       {@link #ERROR_BACKOFF} up to {@link #MAX_ERROR_BACKOFF}; after {@link #MAX_ERROR_ATTEMPTS} errors
 *       in a row the session is left alone for {@link #SAME_STATEMENT_MEMORY}.</li>
 *   <li>NOT_OWNER, STALE: forgotten: the next look (or the next owner) decides again on fresh rows.</li>
 * </ul>
 */
final class OutcomeMemory {
    static final Duration KILL_MEMORY = Duration.ofSeconds(5);
    static final Duration SAME_STATEMENT_MEMORY = Duration.ofSeconds(60);
    static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_ERROR_BACKOFF = Duration.ofSeconds(16);
    static final int MAX_ERROR_ATTEMPTS = 6;

    private OutcomeMemory() {
    }

    /**
     * Until when the decision is remembered: {@link Instant#MAX} while the session is shown, {@code null}
     * to forget it at once.
     *
     * @param errorsInARow  errors of this victim so far, this one included (only read for ERROR)
     */
    static Instant rememberUntil(KillOutcome outcome, boolean byQueryId, int errorsInARow, Instant now) {
        return switch (outcome) {
            case KILLED, GONE_ALREADY -> now.plus(byQueryId ? SAME_STATEMENT_MEMORY : KILL_MEMORY);
            case NOT_PERMITTED, LOGGED, WOULD_KILL, REFUSED_ROLLBACK_GUARD, REFUSED_IDLE_SESSION, PENDING -> Instant.MAX;
            case ERROR -> errorsInARow <= 1 ? null
                    : errorsInARow >= MAX_ERROR_ATTEMPTS ? now.plus(SAME_STATEMENT_MEMORY)
                    : now.plus(errorBackoff(errorsInARow));
            case NOT_OWNER, STALE, GUARD_TRIPPED -> null;
        };
    }

    /** The wait after the n-th error in a row (n >= 2): 1 s, 2 s, 4 s, ... at most {@link #MAX_ERROR_BACKOFF}. */
    static Duration errorBackoff(int errorsInARow) {
        int doublings = Math.min(errorsInARow - 2, 10);
        Duration d = ERROR_BACKOFF.multipliedBy(1L << Math.max(0, doublings));
        return d.compareTo(MAX_ERROR_BACKOFF) > 0 ? MAX_ERROR_BACKOFF : d;
    }
}
