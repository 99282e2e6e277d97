package io.querysniper.core.rules;

import io.querysniper.core.kill.KillAction;

import java.time.Duration;
import java.util.Objects;

/**
 * One rule of a database. A session breaks the rule when it matches {@code match}, is not ignored by
 * {@code ignore}, and crosses at least one threshold that is set (thresholds are inclusive: age >= limit):
 * <ul>
 *   <li>{@code busyTime}: any non-Sleep command (Query, Execute, Fetch, ...) running for this long;</li>
 *   <li>{@code idleTime}: a Sleep connection idle this long;</li>
 *   <li>{@code transactionTime}: an open InnoDB transaction this old, busy or idle.</li>
 * </ul>
 * Each threshold is null when not set; at least one is set (the config rejects a rule without one).
 *
 * @param groupBy          pile-up grouping, or null for a plain rule
 * @param queryCount       with groupBy: act only when a group has at least this many breaking members
 * @param victims          with groupBy: which members to kill
 * @param allowSkip        honour {@code /* query-sniper: skip * /} comments in the query
 * @param maxRowsModified  rollback guard: refuse to kill a transaction that modified more rows, or -1
 * @param when             server stress conditions, {@link Conditions#NONE} when unconditional
 */
public record Rule(
        String name,
        SessionMatch match,
        SessionMatch ignore,
        Duration busyTime,
        Duration idleTime,
        Duration transactionTime,
        KillAction action,
        GroupBy groupBy,
        int queryCount,
        Victims victims,
        boolean allowSkip,
        long maxRowsModified,
        Conditions when) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(ignore, "ignore");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(victims, "victims");
        Objects.requireNonNull(when, "when");
    }
}
