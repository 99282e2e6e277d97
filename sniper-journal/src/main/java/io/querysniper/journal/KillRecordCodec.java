package io.querysniper.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link KillRecord} to and from compact JSON with snake_case names. Null fields are left out. A record
 * never exceeds {@link #MAX_BYTES}: long strings (fingerprint and error first) are cut, end in
 * {@link #CUT_MARKER} and the JSON carries {@code "truncated":true}. Records carry no raw SQL, so
 * neither does the JSON.
 */
public final class KillRecordCodec {

    /** Upper bound of one encoded record, well below ZooKeeper's 1 MB znode limit so batches fit. */
    public static final int MAX_BYTES = 4096;
    /** Ends a cut string, as the fingerprinter does. */
    public static final String CUT_MARKER = "…";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Cut steps, tried in order until the record fits: {fingerprint, error, any other string, max tags}. */
    private static final int[][] CUT_STEPS = {
            {1536, 512, Integer.MAX_VALUE, Integer.MAX_VALUE},
            {1024, 256, 128, 16},
            {512, 128, 32, 4},
            {128, 32, 16, 0},
    };

    private KillRecordCodec() {
    }

    /** Compact UTF-8 JSON of the record, at most {@link #MAX_BYTES}. */
    public static byte[] encode(KillRecord r) {
        byte[] bytes = write(toJson(r, null));
        for (int i = 0; i < CUT_STEPS.length && bytes.length > MAX_BYTES; i++) {
            bytes = write(toJson(r, CUT_STEPS[i]));
        }
        if (bytes.length > MAX_BYTES) {
            throw new SniperException("kill record " + r.id() + " does not fit " + MAX_BYTES + " bytes even when cut");
        }
        return bytes;
    }

    /** The JSON of {@link #encode} as a string (one line). */
    public static String encodeToString(KillRecord r) {
        return new String(encode(r), StandardCharsets.UTF_8);
    }

    public static KillRecord decode(byte[] json) {
        try {
            return fromJson(MAPPER.readTree(json));
        } catch (IOException | RuntimeException e) {
            throw new SniperException("unreadable kill record (" + json.length + " bytes): " + e.getMessage(), e);
        }
    }

    public static KillRecord decode(String json) {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** True when the encoded JSON says a field was cut. */
    public static boolean isTruncated(byte[] json) {
        try {
            return MAPPER.readTree(json).path("truncated").asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new SniperException("cannot encode kill record: " + e.getMessage(), e);
        }
    }

    /** @param cut null for no cutting, else one of {@link #CUT_STEPS} */
    private static ObjectNode toJson(KillRecord r, int[] cut) {
        int other = cut == null ? Integer.MAX_VALUE : cut[2];
        boolean[] truncated = {false};
        ObjectNode n = MAPPER.createObjectNode();
        putString(n, "id", r.id(), Integer.MAX_VALUE, truncated);
        if (r.time() != null) {
            n.put("time", r.time().toString());
        }
        putString(n, "node", r.node(), other, truncated);
        putString(n, "database", r.database(), other, truncated);
        n.put("thread_id", r.threadId());
        n.put("query_id", r.queryId());
        putString(n, "user", r.user(), other, truncated);
        putString(n, "host", r.host(), other, truncated);
        putString(n, "schema", r.schema(), other, truncated);
        putString(n, "command", r.command(), other, truncated);
        putString(n, "state", r.state(), other, truncated);
        n.put("age_ms", r.ageMs());
        n.put("transaction_age_ms", r.transactionAgeMs());
        n.put("rows_modified", r.rowsModified());
        putString(n, "rule", r.rule(), other, truncated);
        if (r.action() != null) {
            n.put("action", r.action().configName());
        }
        if (r.outcome() != null) {
            n.put("outcome", r.outcome().name());
        }
        putString(n, "error", r.error(), cut == null ? Integer.MAX_VALUE : cut[1], truncated);
        putString(n, "fingerprint", r.fingerprint(), cut == null ? Integer.MAX_VALUE : cut[0], truncated);
        putString(n, "digest", r.digest(), other, truncated);
        putString(n, "server_digest", r.serverDigest(), other, truncated);
        if (!r.tags().isEmpty()) {
            int maxTags = cut == null ? Integer.MAX_VALUE : cut[3];
            ObjectNode tags = MAPPER.createObjectNode();
            r.tags().entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(maxTags)
                    .forEach(e -> putString(tags, cut(e.getKey(), other, truncated), e.getValue(), other, truncated));
            if (tags.size() < r.tags().size()) {
                truncated[0] = true;
            }
            if (!tags.isEmpty()) {
                n.set("tags", tags);
            }
        }
        n.put("dry_run", r.dryRun());
        if (truncated[0]) {
            n.put("truncated", true);
        }
        return n;
    }

    private static void putString(ObjectNode n, String name, String value, int max, boolean[] truncated) {
        if (value != null) {
            n.put(name, cut(value, max, truncated));
        }
    }

    /** Cuts to at most max chars (marker included), never inside a surrogate pair. */
    static String cut(String value, int max, boolean[] truncated) {
        if (value.length() <= max) {
            return value;
        }
        truncated[0] = true;
        int end = Math.max(0, max - CUT_MARKER.length());
        if (end > 0 && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + CUT_MARKER;
    }

    private static KillRecord fromJson(JsonNode n) {
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
        String action = text(n, "action");
        String outcome = text(n, "outcome");
        String time = text(n, "time");
        String id = text(n, "id");
        if (id == null || id.isEmpty()) {
            throw new SniperException("kill record without id");
        }
        return new KillRecord(
                id,
                time == null ? null : Instant.parse(time),
                text(n, "node"),
                text(n, "database"),
                n.path("thread_id").asLong(-1),
                n.path("query_id").asLong(-1),
                text(n, "user"),
                text(n, "host"),
                text(n, "schema"),
                text(n, "command"),
                text(n, "state"),
                n.path("age_ms").asLong(-1),
                n.path("transaction_age_ms").asLong(-1),
                n.path("rows_modified").asLong(-1),
                text(n, "rule"),
                action == null ? null : KillAction.fromConfigName(action),
                outcome == null ? null : KillOutcome.valueOf(outcome),
                text(n, "error"),
                text(n, "fingerprint"),
                text(n, "digest"),
                text(n, "server_digest"),
                tags,
                n.path("dry_run").asBoolean(false));
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }
}
