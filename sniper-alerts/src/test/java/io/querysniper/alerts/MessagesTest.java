package io.querysniper.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each receiver's documented limits hold whatever the records say. */
class MessagesTest {
    private static final Instant T = GrouperTest.T0;

    private static Notification huge() {
        List<KillRecord> kills = new ArrayList<>();
        String longName = "x".repeat(400);
        for (int i = 0; i < 1000; i++) {
            kills.add(new KillRecord("id" + i, T, "n1", "db", i, -1, "u", "h", "s", "Query", null, 5000 + i, -1, 0,
                    longName, KillAction.KILL_QUERY, KillOutcome.KILLED, null,
                    "SELECT " + "col_" + i + ", ".repeat(3000) + " FROM t WHERE a = ?", "digest" + (i % 40), null,
                    Map.of("application", "a".repeat(128), "route", "r".repeat(128)), false));
        }
        return new Notification("s", new GroupKey(Event.KILL, "d".repeat(300), longName), Notification.Status.FIRING,
                T, T.plusSeconds(30), 5000, kills, "detail ".repeat(500), "n1", false);
    }

    @Test
    void slackStaysWithinBlockKitLimits() {
        ObjectNode doc = Messages.slack(huge());
        JsonNode blocks = doc.get("blocks");
        assertThat(blocks.size()).isLessThanOrEqualTo(Messages.SLACK_MAX_BLOCKS);
        for (JsonNode b : blocks) {
            if (b.has("text")) {
                assertThat(b.get("text").get("text").asText().length()).isLessThanOrEqualTo(
                        b.get("type").asText().equals("header") ? Messages.SLACK_MAX_HEADER : Messages.SLACK_MAX_SECTION);
            }
            if (b.has("fields")) {
                assertThat(b.get("fields").size()).isLessThanOrEqualTo(10);
                b.get("fields").forEach(f -> assertThat(f.get("text").asText().length()).isLessThanOrEqualTo(2000));
            }
        }
        assertThat(doc.get("text").asText().length()).isLessThanOrEqualTo(Messages.SLACK_MAX_SECTION);
    }

    @Test
    void pagerDutyStaysWithinEventsApiV2Limits() {
        ObjectNode doc = Messages.pagerDuty(huge(), "k".repeat(32), "warning");
        assertThat(doc.get("dedup_key").asText().length()).isLessThanOrEqualTo(Messages.PD_MAX_DEDUP);
        assertThat(doc.get("payload").get("summary").asText().length()).isLessThanOrEqualTo(Messages.PD_MAX_SUMMARY);
        assertThat(doc.get("payload").get("severity").asText()).isEqualTo("warning");
        assertThat(doc.get("payload").get("custom_details").get("top_fingerprints").size()).isEqualTo(Messages.TOP_FINGERPRINTS);
    }

    @Test
    void theDedupKeyIsTheSameOnEveryNodeAndEveryWindow() {
        GroupKey k = new GroupKey(Event.KILL, "orders", "long-select");
        Notification a = new Notification("s", k, Notification.Status.FIRING, T, T, 1, List.of(), null, "n1", false);
        Notification b = new Notification("s", k, Notification.Status.FIRING, T.plusSeconds(99), T.plusSeconds(99), 7,
                List.of(), null, "n2", false);
        assertThat(Messages.pagerDuty(a, "k", "error").get("dedup_key"))
                .isEqualTo(Messages.pagerDuty(b, "k", "error").get("dedup_key"));
    }

    @Test
    void webhookRecordsAreBoundedAndSaySo() {
        ObjectNode doc = Messages.webhook(huge());
        assertThat(doc.get("records").size()).isEqualTo(Messages.WEBHOOK_MAX_RECORDS);
        assertThat(doc.get("records_truncated").asBoolean()).isTrue();
        assertThat(doc.get("count").asInt()).isEqualTo(5000);
    }
}
