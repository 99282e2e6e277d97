package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** What {@code alert-test} sends: one test message per sink, one attempt, and what the endpoint answered. */
public final class AlertTest {
    private AlertTest() {
    }

    /** The outcome of one sink's test: its masked endpoint and the attempt. */
    public record Result(String sink, String endpoint, Attempt attempt) {
        public boolean delivered() {
            return attempt.verdict() == Attempt.Verdict.DELIVERED;
        }
    }

    public static Result send(AlertSinkSettings settings, String node, Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        Sink sink = AlertService.sink(settings, http, clock);
        Notification n = new Notification(settings.name(), new GroupKey(Event.KILL, null, null),
                Notification.Status.FIRING, clock.instant(), clock.instant(), 0, List.of(),
                "query-sniper alert-test from node " + node + " to sink " + settings.name(), node, false);
        return new Result(settings.name(), sink.describe(), sink.deliver(n));
    }
}
