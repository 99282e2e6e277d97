package io.querysniper.core.watch;

import java.time.Instant;

/**
 * What a watcher is doing, for status pages and health checks.
 *
 * @param database     configured database name
 * @param lastLook     when the last successful look was taken, or null before the first
 * @param up           the server answered the last attempt (a slow answer counts: see {@code health})
 * @param owner        the kill gate allowed this node to watch the database at the last attempt
 * @param lastError    message of the last failure (never query text), or null
 * @param kills        statements or connections killed since start
 * @param guardTripped the kill rate guard has paused killing
 * @param health       UP, SLOW (the last poll hit its statement timeout) or DOWN (unreachable)
 */
public record WatcherStatus(String database, Instant lastLook, boolean up, boolean owner, String lastError,
                            long kills, boolean guardTripped, Health health) {

    /** How the server answered the last attempt. */
    public enum Health { UP, SLOW, DOWN }
}
