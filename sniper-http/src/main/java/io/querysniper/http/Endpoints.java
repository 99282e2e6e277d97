package io.querysniper.http;

import java.util.List;

/**
 * What the HTTP server serves, asked on every request (owned by the server, implemented by the daemon).
 * Every method is called on a request's virtual thread and must not block for long: the daemon answers
 * from memory, except {@link #recentKills} (a bounded journal read) and {@link #reload}.
 */
public interface Endpoints {

    /** The metrics in the format {@code accept} asks for (Prometheus text, or OpenMetrics). */
    Metrics metrics(String accept);

    /** May this node receive traffic: config loaded, coordination up, a database reachable. */
    Readiness readiness();

    /** This node and every configured database, for {@code /status} and the page. */
    StatusReport status();

    /** The newest kills of the journal, newest first, at most {@code max}; fingerprints only, never query text. */
    List<RecentKill> recentKills(int max);

    /** Reads and validates both files again and swaps them in (as SIGHUP). */
    ReloadResult reload();

    /** A rendered scrape. */
    record Metrics(String contentType, String body) {
    }
}
