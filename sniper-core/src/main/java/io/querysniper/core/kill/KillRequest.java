package io.querysniper.core.kill;

import java.util.function.BooleanSupplier;

/**
 * What the core asks an adapter to kill.
 *
 * @param threadId      connection id
 * @param queryId       MariaDB QUERY_ID for {@code KILL QUERY ID}, or -1
 * @param action        KILL_QUERY or KILL_CONNECTION (never LOG)
 * @param expectedInfo  the statement text seen at decision time (MySQL re-checks it right before
 *                      KILL QUERY so a newer statement on the connection is not killed); may be null.
 *                      Never logged.
 * @param fence         asked by the adapter at the last moment, after it has a connection and has
 *                      re-checked the statement, right before the KILL statement is executed: false
 *                      means this node no longer owns the database, and nothing is sent (NOT_OWNER)
 */
public record KillRequest(long threadId, long queryId, KillAction action, String expectedInfo, BooleanSupplier fence) {
    public KillRequest {
        if (action == KillAction.LOG) {
            throw new IllegalArgumentException("LOG is not a kill");
        }
        if (fence == null) {
            fence = () -> true;
        }
    }

    /** A request with no fence (a single node, or a test). */
    public KillRequest(long threadId, long queryId, KillAction action, String expectedInfo) {
        this(threadId, queryId, action, expectedInfo, null);
    }

    @Override
    public String toString() {
        return "KillRequest[threadId=" + threadId + ", queryId=" + queryId + ", action=" + action + "]";
    }
}
