package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;

/** What events are grouped by (Alertmanager's group_by): event, database, rule; nulls where none applies. */
public record GroupKey(Event event, String database, String rule) {

    /** {@code kill/orders-primary/long-select}: stable, so two nodes name one group alike. */
    public String asString() {
        return event.configName() + "/" + (database == null ? "-" : database) + "/" + (rule == null ? "-" : rule);
    }
}
