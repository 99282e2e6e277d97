package io.querysniper.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Notification} as each sink's document: Slack Block Kit, PagerDuty Events API v2, the
 * webhook's JSON. Pure; every text is cut to the receiver's documented limit. Never query text: fingerprints,
 * digests, counts, ages, rule, database, node and allow-listed tags only.
 */
final class Messages {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int SLACK_MAX_BLOCKS = 50;
    static final int SLACK_MAX_SECTION = 3000;
    static final int SLACK_MAX_HEADER = 150;
    static final int PD_MAX_SUMMARY = 1024;
    static final int PD_MAX_DEDUP = 255;
    static final int TOP_FINGERPRINTS = 5;
    static final int WEBHOOK_MAX_RECORDS = 100;
    static final String WEBHOOK_VERSION = "1";

    private Messages() {
    }

    /** One line: "37 kills on orders-primary by rule long-select" / "RESOLVED: database-down on orders". */
    static String title(Notification n) {
        GroupKey k = n.key();
        StringBuilder sb = new StringBuilder();
        if (n.count() == 0) {
            return "test message: " + n.detail();
        }
        if (n.status() == Notification.Status.RESOLVED) {
            sb.append("RESOLVED: ");
        }
        if (k.event() == Event.KILL || k.event() == Event.WOULD_KILL) {
            sb.append(n.count()).append(k.event() == Event.KILL ? " kill" : " would-kill").append(n.count() == 1 ? "" : "s");
        } else {
            sb.append(k.event().configName());
            if (n.repeat()) {
                sb.append(" (still)");
            }
        }
        if (k.database() != null) {
            sb.append(" on ").append(k.database());
        }
        if (k.rule() != null) {
            sb.append(" by rule ").append(k.rule());
        }
        return sb.toString();
    }

    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 1) + "…";
    }

    // ---- Slack: incoming webhook, Block Kit ----

    static ObjectNode slack(Notification n) {
        ObjectNode doc = JSON.createObjectNode();
        String title = title(n);
        doc.put("text", cut("Query Sniper: " + title, SLACK_MAX_SECTION));
        ArrayNode blocks = doc.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(title, SLACK_MAX_HEADER));
        ObjectNode facts = blocks.addObject().put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        field(fields, "Database", n.key().database());
        field(fields, "Rule", n.key().rule());
        field(fields, "Node", n.node());
        field(fields, "Window", n.firstAt() + " – " + n.lastAt());
        if (n.detail() != null) {
            section(blocks, n.detail());
        }
        if (!n.kills().isEmpty()) {
            KillSummary s = KillSummary.of(n.kills(), TOP_FINGERPRINTS);
            field(fields, "Ages", "min " + KillSummary.seconds(s.minAgeMs()) + ", median "
                    + KillSummary.seconds(s.medianAgeMs()) + ", max " + KillSummary.seconds(s.maxAgeMs()));
            StringBuilder top = new StringBuilder("*Top fingerprints*\n");
            for (KillSummary.Top t : s.top()) {
                top.append("• ").append(t.count()).append("× `").append(cut(t.fingerprint() == null ? "-" : t.fingerprint(), 400)
                        .replace("`", "'")).append("` digest `").append(t.digest()).append("`\n");
            }
            section(blocks, top.toString());
            if (!s.tags().isEmpty()) {
                ObjectNode context = blocks.addObject().put("type", "context");
                StringBuilder tags = new StringBuilder();
                s.tags().forEach((k, v) -> tags.append(k).append('=').append(v).append("  "));
                context.putArray("elements").addObject().put("type", "mrkdwn").put("text", cut(tags.toString().trim(), SLACK_MAX_SECTION));
            }
        }
        return doc;
    }

    private static void field(ArrayNode fields, String name, String value) {
        if (value != null) {
            fields.addObject().put("type", "mrkdwn").put("text", cut("*" + name + "*\n" + value, 2000));
        }
    }

    private static void section(ArrayNode blocks, String text) {
        if (blocks.size() < SLACK_MAX_BLOCKS) {
            blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                    .put("text", cut(text, SLACK_MAX_SECTION));
        }
    }

    // ---- PagerDuty Events API v2 ----

    /** Stable per database, rule and event, so every node (and every repeat) speaks of one incident. */
    static String dedupKey(GroupKey k) {
        return cut("query-sniper/" + k.asString(), PD_MAX_DEDUP);
    }

    static ObjectNode pagerDuty(Notification n, String routingKey, String severity) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("routing_key", routingKey);
        doc.put("event_action", n.status() == Notification.Status.RESOLVED ? "resolve" : "trigger");
        doc.put("dedup_key", dedupKey(n.key()));
        if (n.status() == Notification.Status.RESOLVED) {
            return doc;
        }
        ObjectNode p = doc.putObject("payload");
        p.put("summary", cut("Query Sniper: " + title(n) + (n.detail() == null ? "" : ": " + n.detail()), PD_MAX_SUMMARY));
        p.put("source", n.key().database() == null ? "query-sniper" : n.key().database());
        p.put("severity", severity);
        p.put("timestamp", n.firstAt().toString());
        if (n.key().database() != null) {
            p.put("component", n.key().database());
        }
        if (n.key().rule() != null) {
            p.put("group", n.key().rule());
        }
        p.put("class", n.key().event().configName());
        ObjectNode details = p.putObject("custom_details");
        details.put("node", n.node());
        details.put("count", n.count());
        details.put("first", n.firstAt().toString());
        details.put("last", n.lastAt().toString());
        if (!n.kills().isEmpty()) {
            KillSummary s = KillSummary.of(n.kills(), TOP_FINGERPRINTS);
            ArrayNode top = details.putArray("top_fingerprints");
            for (KillSummary.Top t : s.top()) {
                top.addObject().put("count", t.count()).put("digest", t.digest()).put("fingerprint", cut(t.fingerprint(), 400));
            }
            details.put("age_ms_min", s.minAgeMs()).put("age_ms_median", s.medianAgeMs()).put("age_ms_max", s.maxAgeMs());
        }
        return doc;
    }

    // ---- Webhook (and the command's stdin) ----

    static ObjectNode webhook(Notification n) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("version", WEBHOOK_VERSION);
        doc.put("group_key", n.key().asString());
        doc.put("status", n.status().word());
        doc.put("event", n.key().event().configName());
        doc.put("database", n.key().database());
        doc.put("rule", n.key().rule());
        doc.put("node", n.node());
        doc.put("count", n.count());
        doc.put("repeat", n.repeat());
        doc.put("first", n.firstAt().toString());
        doc.put("last", n.lastAt().toString());
        doc.put("detail", n.detail());
        doc.put("records_truncated", n.kills().size() > WEBHOOK_MAX_RECORDS || n.count() > n.kills().size());
        ArrayNode records = doc.putArray("records");
        for (KillRecord r : n.kills().subList(0, Math.min(WEBHOOK_MAX_RECORDS, n.kills().size()))) {
            ObjectNode o = records.addObject();
            o.put("id", r.id()).put("time", r.time().toString()).put("node", r.node()).put("database", r.database())
                    .put("thread_id", r.threadId()).put("user", r.user()).put("host", r.host()).put("schema", r.schema())
                    .put("command", r.command()).put("age_ms", r.ageMs()).put("transaction_age_ms", r.transactionAgeMs())
                    .put("rule", r.rule()).put("action", r.action() == null ? null : r.action().name())
                    .put("outcome", r.outcome().name()).put("fingerprint", r.fingerprint()).put("digest", r.digest())
                    .put("dry_run", r.dryRun());
            if (!r.tags().isEmpty()) {
                ObjectNode tags = o.putObject("tags");
                r.tags().forEach(tags::put);
            }
        }
        return doc;
    }

    /** The digests of a notification's kills, most frequent first (QS_DIGESTS). */
    static List<String> digests(Notification n) {
        return n.kills().isEmpty() ? List.of() : new ArrayList<>(KillSummary.of(n.kills(), TOP_FINGERPRINTS).digests());
    }
}
