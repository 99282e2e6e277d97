package io.querysniper.core.watch;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.rules.Verdict;

import java.time.Instant;

/**
 * One victim of a batch, decided and ready to go: the verdict, the record its intent and final record
 * share, and what the adapter re-checks.
 *
 * @param verdict     the decision (its session as the look saw it)
 * @param key         what the watcher remembers the decision under
 * @param victim      the statement (or connection) in flight
 * @param intent      the PENDING record written ahead of the KILL
 * @param decidedAt   when it was decided (a look, or an armed instant): a KILL not sent within one
 *                    interval of it is not sent (STALE)
 * @param seenAt      when the rows it rests on were read
 * @param subSecond   the server gave millisecond ages
 * @param serverId    the server the rows came from, or null
 * @param notBefore   the KILL is not sent before this instant: an armed kill's crossing, whose intent is
 *                    written a little ahead of it; for a look's verdict, the decision itself
 */
record KillOrder(Verdict verdict, RecentDecisions.Key key, Victim victim, KillRecord intent, Instant decidedAt,
                 Instant seenAt, boolean subSecond, String serverId, Instant notBefore) {

    /** One statement (or connection, for kill-connection) as the server names it. */
    record Victim(long threadId, long queryId) {
        static Victim of(Verdict v) {
            return new Victim(v.session().threadId(), v.session().queryId());
        }
    }
}
