package io.querysniper.journal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Where records live, relative to the client's namespace:
 * {@code /journal/records/<yyyy-MM-dd>/<HH>/<mm>/<ss>/<id>} (UTC). The bucket comes from the decision time
 * encoded at the front of the id (see {@link io.querysniper.core.kill.RecordIds}), so an intent and its
 * final record, written at different instants, share one path, and a replay writes to the very path it
 * wrote before.
 *
 * <p>Why a second level under the minute: a getChildren reply must fit in ZooKeeper's 1 MB packet, about
 * 25 000 ids of ~40 bytes. A minute bucket holds 120 000 records at 2 000 records/s and a 10-second one
 * 20 000, too close to the limit once node ids are long. A second bucket holds 2 000 (~80 KB) at that rate,
 * a margin of more than 10x; it overflows only above ~20 000 records in one second fleet-wide, about twice
 * what one writer can push at all. Per-node buckets would not help: one busy node is the worst case.
 * Every level has at most 60 children (31 days per month aside), so walking a time range is cheap.
 */
public final class JournalPaths {

    public static final String ROOT = "/journal";
    public static final String RECORDS = ROOT + "/records";
    public static final String PRUNER_LATCH = ROOT + "/pruner-latch";
    /** Scratch nodes of the writer's warm-up at start (ephemeral, deleted at once): never records. */
    public static final String WARM_UP = ROOT + "/warm-up";

    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("mm").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("ss").withZone(ZoneOffset.UTC);

    /** The bucket levels under {@link #RECORDS}, outermost first; records are children of the last. */
    enum Level {
        DAY(ChronoUnit.DAYS), HOUR(ChronoUnit.HOURS), MINUTE(ChronoUnit.MINUTES), SECOND(ChronoUnit.SECONDS);

        final ChronoUnit unit;

        Level(ChronoUnit unit) {
            this.unit = unit;
        }

        Duration length() {
            return unit.getDuration();
        }

        boolean isLeaf() {
            return this == SECOND;
        }

        Level next() {
            return values()[ordinal() + 1];
        }
    }

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

    public static String minutePath(Instant t) {
        return hourPath(t) + "/" + MINUTE.format(t);
    }

    /** The leaf bucket (one second) that holds the records decided at {@code t}. */
    public static String bucketPath(Instant t) {
        return minutePath(t) + "/" + SECOND.format(t);
    }

    /** Path of a record; {@code fallback} places ids that carry no time. */
    public static String recordPath(String id, Instant fallback) {
        return bucketPath(idTime(id, fallback)) + "/" + id;
    }

    /**
     * Start of the bucket named by the child names below {@link #RECORDS} (day, then hour, minute, second;
     * missing trailing levels count as zero). Throws when a name is not a bucket name.
     */
    static Instant bucketStart(List<String> names) {
        String hh = names.size() > 1 ? names.get(1) : "00";
        String mm = names.size() > 2 ? names.get(2) : "00";
        String ss = names.size() > 3 ? names.get(3) : "00";
        if (hh.length() != 2 || mm.length() != 2 || ss.length() != 2) {
            throw new IllegalArgumentException("not a bucket: " + names);
        }
        return Instant.parse(names.get(0) + "T" + hh + ":" + mm + ":" + ss + "Z");
    }

    /** Start instant of an hour bucket named by its day and hour child names. */
    static Instant bucketStart(String day, String hour) {
        return bucketStart(List.of(day, hour));
    }
}
