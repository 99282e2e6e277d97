package io.querysniper.http;

/**
 * One journal record on the status page: the fingerprint (literals replaced) and its digest, never query text.
 *
 * @param time ISO-8601 UTC
 */
public record RecentKill(String time, String node, String database, String rule, String action, String outcome,
                         long ageMs, String fingerprint, String digest) {
}
