package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;

/**
 * A condition that is true now (guard tripped on a database, a database down, no owner, ...).
 *
 * @param database null for conditions of the node or the cluster as a whole
 * @param detail   words for the message (never query text), or null
 */
public record Condition(Event type, String database, String detail) {

    /** Two readings of one condition are the same condition, whatever their detail says. */
    record Key(Event type, String database) {
    }

    Key key() {
        return new Key(type, database);
    }
}
