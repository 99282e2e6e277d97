package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Sink settings for tests, as the config reader would make them. */
final class Sinks {
    static final String SLACK_TOKEN = "services/T000/B000/SLACKTOKENxyz";
    static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdef012345";
    static final String HMAC = "hmac-secret-that-must-not-leak";
    static final String WEBHOOK_TOKEN = "hook/WEBHOOKTOKENabc";

    private Sinks() {
    }

    static AlertSinkSettings slack(URI url, Duration window) {
        return settings("ops", AlertSinkSettings.Type.SLACK, window, url, null, null, List.of(), 100);
    }

    static AlertSinkSettings pagerDuty(URI url, Duration window) {
        return settings("oncall", AlertSinkSettings.Type.PAGERDUTY, window, url, ROUTING_KEY, null, List.of(), 100);
    }

    static AlertSinkSettings webhook(URI url, Duration window) {
        return settings("audit", AlertSinkSettings.Type.WEBHOOK, window, url, null, HMAC, List.of(), 100);
    }

    static AlertSinkSettings settings(String name, AlertSinkSettings.Type type, Duration window, URI url,
                                      String routingKey, String hmac, List<String> command, int queueSize) {
        java.util.EnumSet<Event> events = java.util.EnumSet.allOf(Event.class);
        return new AlertSinkSettings(name, type, Set.of(), Set.of(), events, window, Duration.ofHours(4),
                type.resolvedByDefault(), type == AlertSinkSettings.Type.PAGERDUTY ? "error" : null, command,
                Duration.ofSeconds(2), queueSize, url, routingKey, hmac);
    }

    static AlertSinkSettings withTimeout(AlertSinkSettings s, Duration timeout, int queueSize) {
        return new AlertSinkSettings(s.name(), s.type(), s.databases(), s.rules(), s.events(), s.aggregateWindow(),
                s.repeatInterval(), s.sendResolved(), s.severity(), s.command(), timeout, queueSize, s.url(),
                s.routingKey(), s.hmacSecret());
    }
}
