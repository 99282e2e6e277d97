package io.querysniper.daemon.ops;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.rules.Rule;

import java.time.Duration;

/**
 * How late past its limit a victim was killed: its age when the KILL answered, less the limit it crossed
 * first. The record's age is taken at the decision (the instant in its id); the KILL answered at the final
 * record's time. A query's own shorter limit (a hint) is not known here: against the rule's limit the
 * figure is then smaller than the truth, never larger.
 */
public final class KillOvershoot {
    private KillOvershoot() {
    }

    /** Seconds past the limit, at least 0; null when the record carries no age or the rule sets no limit that applies. */
    public static Double seconds(KillRecord r, Rule rule) {
        if (rule == null || r.ageMs() < 0) {
            return null;
        }
        long sinceDecision = Math.max(0, r.time().toEpochMilli() - decidedAtMs(r));
        long late = Long.MIN_VALUE;
        boolean idle = "Sleep".equals(r.command());
        if (idle) {
            late = Math.max(late, over(r.ageMs(), rule.idleTime()));
        } else {
            late = Math.max(late, over(r.ageMs(), rule.busyTime()));
        }
        if (r.transactionAgeMs() >= 0) {
            late = Math.max(late, over(r.transactionAgeMs(), rule.transactionTime()));
        }
        if (late == Long.MIN_VALUE) {
            return null;
        }
        return Math.max(0, late + sinceDecision) / 1000.0;
    }

    private static long over(long ageMs, Duration limit) {
        return limit == null ? Long.MIN_VALUE : ageMs - limit.toMillis();
    }

    /** The decision instant: the epoch milliseconds that start every record id ({@code <ms>-<node>-<n>}). */
    static long decidedAtMs(KillRecord r) {
        String id = r.id();
        int dash = id == null ? -1 : id.indexOf('-');
        if (dash > 0) {
            try {
                return Long.parseLong(id, 0, dash, 10);
            } catch (NumberFormatException e) {
                // not an id of ours: fall through
            }
        }
        return r.time().toEpochMilli();
    }
}
