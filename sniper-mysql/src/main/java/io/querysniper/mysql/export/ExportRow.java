package io.querysniper.mysql.export;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

import io.querysniper.core.kill.KillRecord;

/**
 * Binds one {@link KillRecord} to the parameters of {@link ExportTable#upsert(int)}, in
 * {@link ExportTable#COLUMNS} order. Strings are cut to their column's size here (ending in "…"), so a
 * server in non-strict mode never truncates silently and one in strict mode never refuses a row for it;
 * only the id is never cut (two ids cut alike would merge records), see {@link #fits(KillRecord)}.
 */
final class ExportRow {
    static final int ID_MAX = 96;
    static final int NAME_MAX = 255;
    static final int SHORT_MAX = 64;
    /** TEXT holds 65 535 bytes: at most 4 bytes per utf8mb4 character. */
    static final int TEXT_MAX = 16_000;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private ExportRow() {
    }

    /** False for a record that cannot be a row: no id, an id longer than the key column, or no time. */
    static boolean fits(KillRecord r) {
        return r.id() != null && !r.id().isEmpty() && r.id().length() <= ID_MAX && r.time() != null
                && r.outcome() != null;
    }

    /** Binds {@code r} starting at parameter {@code first}; returns the next free parameter index. */
    static int bind(PreparedStatement ps, int first, KillRecord r) throws SQLException {
        int i = first;
        ps.setString(i++, r.id());
        ps.setString(i++, TIME.format(r.time()));
        ps.setString(i++, cut(orEmpty(r.node()), NAME_MAX));
        ps.setString(i++, cut(orEmpty(r.database()), NAME_MAX));
        ps.setLong(i++, r.threadId());
        ps.setLong(i++, r.queryId());
        ps.setString(i++, cut(r.user(), NAME_MAX));
        ps.setString(i++, cut(r.host(), NAME_MAX));
        ps.setString(i++, cut(r.schema(), NAME_MAX));
        ps.setString(i++, cut(r.command(), SHORT_MAX));
        ps.setString(i++, cut(r.state(), NAME_MAX));
        ps.setLong(i++, r.ageMs());
        ps.setLong(i++, r.transactionAgeMs());
        ps.setLong(i++, r.rowsModified());
        ps.setString(i++, cut(r.rule(), NAME_MAX));
        ps.setString(i++, r.action() == null ? null : r.action().configName());
        ps.setString(i++, cut(r.error(), TEXT_MAX));
        ps.setString(i++, cut(r.fingerprint(), TEXT_MAX));
        ps.setString(i++, cut(r.digest(), SHORT_MAX));
        ps.setString(i++, cut(r.serverDigest(), SHORT_MAX));
        ps.setString(i++, json(r.tags()));
        ps.setBoolean(i++, r.dryRun());
        ps.setString(i++, r.outcome().name());
        return i;
    }

    /** The tags as a JSON object with sorted keys (each key and value cut to 255 characters). */
    static String json(Map<String, String> tags) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(tags).entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, cut(e.getKey(), NAME_MAX));
            sb.append(':');
            quote(sb, cut(e.getValue(), NAME_MAX));
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** At most {@code max} characters, ending in "…" when cut; never splits a surrogate pair. */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
