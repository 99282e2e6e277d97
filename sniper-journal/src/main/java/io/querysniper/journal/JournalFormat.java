package io.querysniper.journal;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How {@code query-sniper journal} prints records: one JSON object per line, or a readable table. */
public final class JournalFormat {

    public static final int DEFAULT_FINGERPRINT_WIDTH = 60;
    /** What a PENDING record means to a reader: the node never wrote the KILL's result. */
    public static final String OUTCOME_UNKNOWN = "UNKNOWN(pending)";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final String ROW = "%-23s  %-12s  %-16s  %10s  %-12s  %-16s  %-15s  %-22s  %9s  %s";

    private JournalFormat() {
    }

    /** One compact JSON object, no newline (the codec's form, so the same bound and names). */
    public static String jsonLine(KillRecord r) {
        return KillRecordCodec.encodeToString(r);
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, ROW, "TIME (UTC)", "NODE", "DATABASE", "THREAD", "USER", "RULE",
                "ACTION", "OUTCOME", "AGE", "FINGERPRINT").stripTrailing();
    }

    /** One table row; the fingerprint is cut to {@code fingerprintWidth} characters. */
    public static String tableRow(KillRecord r, int fingerprintWidth) {
        String time = r.time() == null ? "-" : TIME.format(r.time());
        return String.format(Locale.ROOT, ROW, time, col(r.node(), 12), col(r.database(), 16), r.threadId(),
                col(r.user(), 12), col(r.rule(), 16), r.action() == null ? "-" : r.action().configName(),
                outcomeText(r), age(r.ageMs()), col(r.fingerprint(), fingerprintWidth)).stripTrailing();
    }

    /** The outcome as shown to people: PENDING reads as "outcome unknown". */
    public static String outcomeText(KillRecord r) {
        if (r.outcome() == null) {
            return "-";
        }
        return r.outcome() == KillOutcome.PENDING ? OUTCOME_UNKNOWN : r.outcome().name();
    }

    static String age(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 600_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
    }

    private static String col(String s, int width) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        s = s.replace('\n', ' ').replace('\t', ' ');
        return s.length() <= width ? s : KillRecordCodec.cut(s, width, new boolean[1]);
    }
}
