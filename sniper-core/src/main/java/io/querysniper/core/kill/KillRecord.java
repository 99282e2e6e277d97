package io.querysniper.core.kill;

import java.time.Instant;
import java.util.Map;

/**
 * One kill decision, as logged, journaled and alerted. Carries no raw SQL: only the fingerprint
 * (literals replaced) and digests.
 *
 * @param id                 unique, sorts by time: see {@link RecordIds}
 * @param time               when the decision was taken (intent) or completed (final record)
 * @param node               node id of the deciding daemon
 * @param database           configured database name
 * @param queryId            MariaDB QUERY_ID or -1
 * @param transactionAgeMs   -1 when no open transaction
 * @param rule               rule name, or null for a guard record
 * @param action             null for a guard record
 * @param error              adapter detail for NOT_PERMITTED / ERROR, guard explanation; else null
 * @param fingerprint        query fingerprint (may be cut to a bounded size, ending in "…"), or null
 * @param digest             hex digest of the fingerprint, or null
 * @param serverDigest       the server's own digest where known, or null
 * @param tags               allow-listed sqlcommenter/marginalia tags of the query (application, route, ...)
 * @param dryRun             true when the daemon runs with dry-run
 */
public record KillRecord(
        String id,
        Instant time,
        String node,
        String database,
        long threadId,
        long queryId,
        String user,
        String host,
        String schema,
        String command,
        String state,
        long ageMs,
        long transactionAgeMs,
        long rowsModified,
        String rule,
        KillAction action,
        KillOutcome outcome,
        String error,
        String fingerprint,
        String digest,
        String serverDigest,
        Map<String, String> tags,
        boolean dryRun) {

    public KillRecord {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** The final record that completes this intent. Same id, so a journal can replace the intent. */
    public KillRecord complete(KillOutcome newOutcome, String newError, Instant at) {
        return new KillRecord(id, at, node, database, threadId, queryId, user, host, schema, command, state,
                ageMs, transactionAgeMs, rowsModified, rule, action, newOutcome, newError, fingerprint, digest,
                serverDigest, tags, dryRun);
    }
}
