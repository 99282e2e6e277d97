package io.querysniper.core.kill;

import java.util.function.BooleanSupplier;

/**
 * What the core asks an adapter to kill.
 *
 * @param threadId      connection id
 * @param queryId       MariaDB QUERY_ID for {@code KILL QUERY ID}, or -1
 * @param action        KILL_QUERY or KILL_CONNECTION (never LOG)
 * @param expectedInfo  the statement text seen at decision time; may be null. Never logged.
 * @param fence         asked by the adapter at the last moment, after it has a connection and has
 *                      re-checked the thread, right before the KILL statement is executed: false
 *                      means this node no longer owns the database, and nothing is sent (NOT_OWNER)
 * @param check         what the adapter re-checks right before the KILL (identity of the statement,
 *                      idle stretch or transaction; the server; the rollback guard), or null for the
 *                      plain behaviour: KILL QUERY by thread id re-checks the statement text only
 */
public record KillRequest(long threadId, long queryId, KillAction action, String expectedInfo, BooleanSupplier fence,
                          KillCheck check) {
    public KillRequest {
        if (action == KillAction.LOG) {
            throw new IllegalArgumentException("LOG is not a kill");
        }
        if (fence == null) {
            fence = () -> true;
        }
    }

    /** A request with a fence and no identity check. */
    public KillRequest(long threadId, long queryId, KillAction action, String expectedInfo, BooleanSupplier fence) {
        this(threadId, queryId, action, expectedInfo, fence, null);
    }

    /** A request with no fence (a single node, or a test). */
    public KillRequest(long threadId, long queryId, KillAction action, String expectedInfo) {
        this(threadId, queryId, action, expectedInfo, null, null);
    }

    @Override
    public String toString() {
        return "KillRequest[threadId=" + threadId + ", queryId=" + queryId + ", action=" + action
                + (check == null ? "" : ", basis=" + check.basis()) + "]";
    }
}
