package io.querysniper.core.kill;

/**
 * What the core asks an adapter to kill.
 *
 * @param threadId      connection id
 * @param queryId       MariaDB QUERY_ID for {@code KILL QUERY ID}, or -1
 * @param action        KILL_QUERY or KILL_CONNECTION (never LOG)
 * @param expectedInfo  the statement text seen at decision time (MySQL re-checks it right before
 *                      KILL QUERY so a newer statement on the connection is not killed); may be null.
 *                      Never logged.
 */
public record KillRequest(long threadId, long queryId, KillAction action, String expectedInfo) {
    public KillRequest {
        if (action == KillAction.LOG) {
            throw new IllegalArgumentException("LOG is not a kill");
        }
    }

    @Override
    public String toString() {
        return "KillRequest[threadId=" + threadId + ", queryId=" + queryId + ", action=" + action + "]";
    }
}
