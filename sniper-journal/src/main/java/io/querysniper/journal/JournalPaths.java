package io.querysniper.journal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where records live, relative to the client's namespace: {@code /journal/records/<yyyy-MM-dd>/<HH>/<id>}
 * (UTC). The bucket comes from the decision time encoded at the front of the id (see
 * {@link io.querysniper.core.kill.RecordIds}), so an intent and its final record, written at different
 * instants, share one path, and a replay writes to the very path it wrote before.
 */
public final class JournalPaths {

    public static final String ROOT = "/journal";
    public static final String RECORDS = ROOT + "/records";
    public static final String PRUNER_LATCH = ROOT + "/pruner-latch";

    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);

    private JournalPaths() {
    }

    /**
     * The decision time of an id: its leading epoch millis, or {@code fallback} when the id does not
     * start with digits followed by '-'.
     */
    public static Instant idTime(String id, Instant fallback) {
        int dash = id.indexOf('-');
        if (dash <= 0 || dash > 19) {
            return fallback;
        }
        for (int i = 0; i < dash; i++) {
            if (!Character.isDigit(id.charAt(i))) {
                return fallback;
            }
        }
        return Instant.ofEpochMilli(Long.parseLong(id, 0, dash, 10));
    }

    public static String dayPath(Instant t) {
        return RECORDS + "/" + DAY.format(t);
    }

    public static String hourPath(Instant t) {
        return dayPath(t) + "/" + HOUR.format(t);
    }

    /** Path of a record; {@code fallback} places ids that carry no time. */
    public static String recordPath(String id, Instant fallback) {
        return hourPath(idTime(id, fallback)) + "/" + id;
    }

    /** Start instant of an hour bucket named by its day and hour child names. */
    static Instant bucketStart(String day, String hour) {
        return Instant.parse(day + "T" + hour + ":00:00Z");
    }
}
