package io.querysniper.core.rules;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillBasis;
import io.querysniper.core.model.Session;

import java.time.Duration;

/**
 * The rule engine's judgement of one session that breaks a rule.
 *
 * @param session    the session (its info is never logged)
 * @param rule       the first rule it breaks
 * @param action     what to do (the rule's action)
 * @param refusal    why the session is reported but must not be killed (rollback guard), or null
 * @param limit      the threshold that was crossed (the query's own timeout when shorter)
 * @param reason     human text, e.g. "busy 31.2s >= busy-time 30s"; no query text
 * @param basis      which threshold was crossed: what the adapter re-checks right before the KILL
 */
public record Verdict(Session session, Rule rule, KillAction action, String refusal, Duration limit, String reason,
                      KillBasis basis) {

    /** A verdict on a busy statement's age. */
    public Verdict(Session session, Rule rule, KillAction action, String refusal, Duration limit, String reason) {
        this(session, rule, action, refusal, limit, reason, KillBasis.BUSY);
    }
}
