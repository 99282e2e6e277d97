package io.querysniper.core.kill;

/**
 * How a kill decision ended. The adapter reports only KILLED, GONE_ALREADY, NOT_PERMITTED, ERROR and
 * NOT_OWNER (its last-moment fence said no); the watcher adds STALE.
 */
public enum KillOutcome {
    /** Intent written ahead of the KILL; the final record follows. Left alone, it means "outcome unknown". */
    PENDING,
    KILLED,
    /** The thread or statement had already ended: nothing was killed. */
    GONE_ALREADY,
    /** The server refused: missing privilege (SUPER / CONNECTION_ADMIN) or another user's thread. */
    NOT_PERMITTED,
    ERROR,
    /** dry-run: the daemon would have killed. */
    WOULD_KILL,
    /** The rule's action is {@code log}. */
    LOGGED,
    /** The rollback guard ({@code max-rows-modified}) refused to kill a large transaction. */
    REFUSED_ROLLBACK_GUARD,
    /**
     * The rule says kill-query but the session is idle (Sleep): KILL QUERY would kill nothing (and on
     * MySQL could hit the next statement of the connection). Reported, never sent.
     */
    REFUSED_IDLE_SESSION,
    /** The per-database kill rate guard ({@code max-kills-per-minute}) tripped; killing is paused. */
    GUARD_TRIPPED,
    /** The node no longer owned the database at the instant of the kill (cluster fencing). */
    NOT_OWNER,
    /**
     * The KILL could not be sent within one interval of the decision (every kill connection busy): it was
     * not sent on old rows; the next look judges the session again.
     */
    STALE
}
