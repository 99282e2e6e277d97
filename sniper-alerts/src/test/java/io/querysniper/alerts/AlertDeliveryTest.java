package io.querysniper.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.testkit.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static io.querysniper.alerts.FakeEndpoint.Answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sinks against a local HTTP server playing Slack, PagerDuty and a webhook receiver, through the whole
 * service (kill listener, ticker, grouping, queue, retries). Every log line of every test is checked for secrets.
 */
class AlertDeliveryTest {
    /** Quick retries, so a retry test takes a second, not a minute. */
    static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(5));
    static final Duration NO_WINDOW = Duration.ZERO;

    private final List<AutoCloseable> open = new ArrayList<>();
    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void closeAndCheckLogsForSecrets() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        logs.close();
        assertThat(logs.lines()).allSatisfy(line -> assertThat(line)
                .doesNotContain(Sinks.SLACK_TOKEN, "SLACKTOKEN", Sinks.ROUTING_KEY, Sinks.HMAC, "WEBHOOKTOKEN"));
    }

    private FakeEndpoint endpoint(Answer fallback) {
        FakeEndpoint e = new FakeEndpoint(fallback);
        open.add(e);
        return e;
    }

    private AlertService service(List<ConditionProbe> probes, BooleanSupplier leader, AlertSinkSettings... sinks) {
        HttpClient http = HttpClient.newHttpClient();
        Map<AlertSinkSettings, Sink> map = new LinkedHashMap<>();
        for (AlertSinkSettings s : sinks) {
            map.put(s, AlertService.sink(s, http, Clock.systemUTC()));
        }
        AlertService a = new AlertService("n1", map, Clock.systemUTC(), probes, leader, Duration.ofSeconds(2), FAST);
        a.start();
        open.add(a);
        return a;
    }

    private AlertService service(AlertSinkSettings... sinks) {
        return service(List.of(), null, sinks);
    }

    static KillRecord kill(int i) {
        return GrouperTest.kill(i, "orders", "long-select", Instant.now());
    }

    private static void awaitRequests(FakeEndpoint e, int n) {
        await().atMost(Timing.seconds(10)).until(() -> e.requests().size() >= n);
    }

    @Test
    void slackGetsOneBlockKitMessageWithinItsLimits() throws Exception {
        FakeEndpoint slack = endpoint(Answer.of(200, "ok"));
        AlertService a = service(Sinks.slack(slack.url(Sinks.SLACK_TOKEN), NO_WINDOW));
        a.onRecord(kill(1));
        awaitRequests(slack, 1);
        JsonNode doc = Messages.JSON.readTree(slack.requests().get(0).body());
        assertThat(doc.get("text").asText()).isEqualTo("Query Sniper: 1 kill on orders by rule long-select");
        assertThat(doc.get("blocks").size()).isBetween(2, Messages.SLACK_MAX_BLOCKS);
        assertThat(doc.get("blocks").get(0).get("type").asText()).isEqualTo("header");
        assertThat(doc.toString()).contains("SELECT * FROM orders WHERE id = ?", "d1", "application=shop");
        await().atMost(Timing.seconds(5)).until(() -> a.sinkStats().get(0).delivered() == 1);
    }

    @Test
    void retryAfterOf429IsHonoured() {
        FakeEndpoint slack = endpoint(Answer.of(200, "ok"))
                .then(new Answer(429, "rate_limited", Map.of("Retry-After", "3"), 0));
        AlertService a = service(Sinks.slack(slack.url(Sinks.SLACK_TOKEN), NO_WINDOW));
        a.onRecord(kill(1));
        awaitRequests(slack, 2);
        List<FakeEndpoint.Request> r = slack.requests();
        assertThat(Duration.ofNanos(r.get(1).receivedNanos() - r.get(0).receivedNanos()))
                .as("Retry-After: 3 waited, not the 100 ms backoff nor Slack's 1 s spacing")
                .isGreaterThanOrEqualTo(Duration.ofMillis(2990));
        assertThat(r.get(1).body()).isEqualTo(r.get(0).body());
        await().atMost(Timing.seconds(5)).until(() -> a.sinkStats().get(0).delivered() == 1);
        assertThat(slack.requests()).hasSize(2);
    }

    @Test
    void a500IsRetriedUntilItSucceeds() {
        FakeEndpoint pd = endpoint(Answer.of(202, "{\"status\":\"success\"}"))
                .then(Answer.of(500, "oops")).then(Answer.of(503, "busy"));
        AlertService a = service(Sinks.pagerDuty(pd.url("v2/enqueue"), NO_WINDOW));
        a.onRecord(kill(1));
        awaitRequests(pd, 3);
        await().atMost(Timing.seconds(5)).until(() -> a.sinkStats().get(0).delivered() == 1);
        assertThat(a.sinkStats().get(0).failed()).isZero();
        assertThat(pd.requests()).hasSize(3);
    }

    @Test
    void slackRefusalsAreNotRetriedButLoggedOnceAndCounted() {
        FakeEndpoint slack = endpoint(Answer.of(404, "channel_not_found"));
        AlertSinkSettings s = Sinks.slack(slack.url(Sinks.SLACK_TOKEN), NO_WINDOW);
        AlertService a = service(s);
        a.onRecord(kill(1));
        a.onRecord(GrouperTest.kill(2, "users", "long-select", Instant.now()));
        await().atMost(Timing.seconds(10)).until(() -> a.sinkStats().get(0).failed() == 2);
        assertThat(slack.requests()).hasSize(2);
        assertThat(logs.lines()).filteredOn(l -> l.contains("channel_not_found")).hasSize(1);
    }

    @Test
    void pagerDutyEventsCarryTheDocumentedFieldsAndResolve() throws Exception {
        FakeEndpoint pd = endpoint(Answer.of(202, "{\"status\":\"success\"}"));
        Set<Condition> now = ConcurrentHashMap.newKeySet();
        now.add(new Condition(Event.GUARD_TRIPPED, "orders", "more than 60 kills in a minute"));
        service(List.of(() -> Set.copyOf(now)), null, Sinks.pagerDuty(pd.url("v2/enqueue"), NO_WINDOW));
        awaitRequests(pd, 1);
        JsonNode trigger = Messages.JSON.readTree(pd.requests().get(0).body());
        assertThat(trigger.get("routing_key").asText()).isEqualTo(Sinks.ROUTING_KEY);
        assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.get("dedup_key").asText()).isEqualTo("query-sniper/guard-tripped/orders/-");
        JsonNode p = trigger.get("payload");
        assertThat(p.get("summary").asText()).isEqualTo("Query Sniper: guard-tripped on orders: more than 60 kills in a minute");
        assertThat(p.get("severity").asText()).isEqualTo("error");
        assertThat(p.get("source").asText()).isEqualTo("orders");
        assertThat(p.get("component").asText()).isEqualTo("orders");
        assertThat(p.get("class").asText()).isEqualTo("guard-tripped");
        assertThat(p.get("custom_details").get("node").asText()).isEqualTo("n1");
        now.clear();
        awaitRequests(pd, 2);
        JsonNode resolve = Messages.JSON.readTree(pd.requests().get(1).body());
        assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
        assertThat(resolve.get("dedup_key").asText()).isEqualTo(trigger.get("dedup_key").asText());
    }

    @Test
    void webhookDocumentsAreSignedOverTimestampAndBody() throws Exception {
        FakeEndpoint hook = endpoint(Answer.of(204, ""));
        service(Sinks.webhook(hook.url(Sinks.WEBHOOK_TOKEN), NO_WINDOW)).onRecord(kill(1));
        awaitRequests(hook, 1);
        FakeEndpoint.Request r = hook.requests().get(0);
        String ts = r.header(HttpSink.TIMESTAMP_HEADER);
        assertThat(Long.parseLong(ts)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(r.header(HttpSink.SIGNATURE_HEADER)).isEqualTo("sha256=" + HttpSink.sign(Sinks.HMAC, ts, r.body()));
        JsonNode doc = Messages.JSON.readTree(r.body());
        assertThat(doc.get("version").asText()).isEqualTo("1");
        assertThat(doc.get("group_key").asText()).isEqualTo("kill/orders/long-select");
        assertThat(doc.get("status").asText()).isEqualTo("firing");
        assertThat(doc.get("records").get(0).get("digest").asText()).isEqualTo("d1");
    }

    @Test
    void aStormOf500KillsIsAHandfulOfMessagesPerSink() {
        FakeEndpoint slack = endpoint(Answer.of(200, "ok"));
        FakeEndpoint pd = endpoint(Answer.of(202, "{}"));
        FakeEndpoint hook = endpoint(Answer.of(200, ""));
        Duration window = Duration.ofSeconds(1);
        AlertService a = service(Sinks.slack(slack.url(Sinks.SLACK_TOKEN), window),
                Sinks.pagerDuty(pd.url("pd"), window), Sinks.webhook(hook.url(Sinks.WEBHOOK_TOKEN), window));
        for (int i = 0; i < 500; i++) {
            a.onRecord(GrouperTest.kill(i, "orders", i % 2 == 0 ? "long-select" : "idle-tx", Instant.now()));
        }
        await().atMost(Timing.seconds(10)).until(() -> a.sinkStats().stream().allMatch(s -> s.delivered() >= 2));
        // Let a straggling window close before counting.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Timing.seconds(5)).until(() -> true);
        for (FakeEndpoint e : List.of(slack, pd, hook)) {
            assertThat(e.requests()).hasSizeBetween(2, 4);
        }
        long counted = slack.requests().stream().mapToLong(r -> {
            try {
                String text = Messages.JSON.readTree(r.body()).get("text").asText();
                return Long.parseLong(text.replaceAll("^Query Sniper: (\\d+) kills?.*$", "$1"));
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        }).sum();
        assertThat(counted).isEqualTo(500);
    }

    @Test
    void aHangingEndpointTimesOutAndNeverHoldsTheKillPath() {
        FakeEndpoint hook = endpoint(new Answer(200, "", Map.of(), 60_000));
        AlertSinkSettings s = Sinks.withTimeout(Sinks.webhook(hook.url(Sinks.WEBHOOK_TOKEN), NO_WINDOW),
                Duration.ofMillis(300), 5);
        AlertService a = service(s);
        a.onRecord(kill(0));
        awaitRequests(hook, 2); // the first attempt timed out and was retried
        long worst = 0;
        for (int i = 1; i <= 2000; i++) {
            long t0 = System.nanoTime();
            a.onRecord(GrouperTest.kill(i, "db" + i, "long-select", Instant.now()));
            worst = Math.max(worst, System.nanoTime() - t0);
        }
        // The queue holds 5: the rest of the 2,000 groups are dropped and counted, never waited on.
        await().atMost(Timing.seconds(10)).until(() -> a.sinkStats().get(0).dropped() >= 1900);
        assertThat(a.sinkStats().get(0).depth()).isLessThanOrEqualTo(5);
        System.out.printf("onRecord with a hanging sink: worst of 2000 calls %.3f ms%n", worst / 1e6);
    }

    @Test
    void aStopDrainsTheQueuesForABoundedTime() {
        FakeEndpoint hook = endpoint(Answer.of(200, ""));
        AlertService a = service(Sinks.webhook(hook.url(Sinks.WEBHOOK_TOKEN), Duration.ofHours(1)));
        a.onRecord(kill(1));
        await().atMost(Timing.seconds(5)).until(() -> a.inboxDropped() == 0 && hook.requests().isEmpty());
        a.close(); // the hour-long window is not waited out: its message goes now
        assertThat(hook.requests()).hasSize(1);
        FakeEndpoint hang = endpoint(new Answer(200, "", Map.of(), 60_000));
        AlertService b = service(Sinks.withTimeout(Sinks.webhook(hang.url(Sinks.WEBHOOK_TOKEN), NO_WINDOW),
                Duration.ofSeconds(30), 10));
        b.onRecord(kill(2));
        awaitRequests(hang, 1);
        long t0 = System.nanoTime();
        b.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2).plus(Timing.seconds(2)));
        assertThat(b.sinkStats().get(0).dropped()).isEqualTo(1);
    }

    @Test
    void anUnreachableEndpointLogsNoSecret() {
        URI closed = URI.create("http://127.0.0.1:9/" + Sinks.SLACK_TOKEN);
        AlertService a = service(Sinks.slack(closed, NO_WINDOW), Sinks.pagerDuty(URI.create("http://127.0.0.1:9/pd"), NO_WINDOW));
        a.onRecord(kill(1));
        await().atMost(Timing.seconds(20)).until(() -> a.sinkStats().stream().allMatch(s -> s.failed() == 1));
        assertThat(logs.lines()).anyMatch(l -> l.contains("gave up"));
    }
}
