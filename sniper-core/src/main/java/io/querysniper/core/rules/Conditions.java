package io.querysniper.core.rules;

import java.time.Duration;

/**
 * Server stress conditions ({@code when { ... }}): the rule acts only while every condition set holds.
 *
 * @param replicaLagOver   act only while replica lag >= this, or null
 * @param historyListOver  act only while the InnoDB history list length >= this, or -1
 */
public record Conditions(Duration replicaLagOver, long historyListOver) {
    public static final Conditions NONE = new Conditions(null, -1);

    public boolean isEmpty() {
        return replicaLagOver == null && historyListOver < 0;
    }
}
