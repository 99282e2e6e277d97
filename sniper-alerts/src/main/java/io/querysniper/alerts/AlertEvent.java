package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillRecord;

import java.time.Instant;

/**
 * Something to alert about: a kill (with its record) or a condition becoming true or false.
 *
 * @param database null for events about the node or the cluster (coordination-lost, journal-*)
 * @param rule     the rule of a kill, else null
 * @param kill     the record of a kill or would-kill, else null
 * @param detail   words for a condition (never query text), or null
 */
public record AlertEvent(Event type, boolean resolved, String database, String rule, Instant time, KillRecord kill,
                         String detail) {

    static AlertEvent ofKill(Event type, KillRecord r) {
        return new AlertEvent(type, false, r.database(), r.rule(), r.time(), r, null);
    }

    GroupKey key() {
        return new GroupKey(type, database, rule);
    }
}
