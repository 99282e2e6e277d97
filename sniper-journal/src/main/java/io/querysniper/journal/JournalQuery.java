package io.querysniper.journal;

import io.querysniper.core.kill.KillRecord;

import java.time.Instant;

/**
 * What to read from the journal. Every field may be null (no bound, any database, any rule). Times are
 * decision times (the time in the record id), inclusive since, exclusive until.
 */
public record JournalQuery(Instant since, Instant until, String database, String rule) {

    /** Everything. */
    public static JournalQuery all() {
        return new JournalQuery(null, null, null, null);
    }

    /** True when a record of this decision time could match. */
    boolean inRange(Instant t) {
        return (since == null || !t.isBefore(since)) && (until == null || t.isBefore(until));
    }

    boolean matches(KillRecord r) {
        return (database == null || database.equals(r.database())) && (rule == null || rule.equals(r.rule()));
    }
}
