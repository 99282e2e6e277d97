package io.querysniper.core.rules;

import java.time.Duration;

/** Short human spellings of durations for reasons and logs: {@code 450ms}, {@code 31.2s}, {@code 2m5s}. */
public final class Durations {
    private Durations() {
    }

    public static String human(Duration d) {
        if (d == null) {
            return "-";
        }
        long ms = d.toMillis();
        if (Math.abs(ms) < 1000) {
            return ms + "ms";
        }
        if (Math.abs(ms) < 60_000) {
            long tenths = Math.round(ms / 100.0);
            return tenths % 10 == 0 ? (tenths / 10) + "s" : (tenths / 10) + "." + Math.abs(tenths % 10) + "s";
        }
        long s = ms / 1000;
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
    }
}
