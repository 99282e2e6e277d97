package io.querysniper.alerts;

import io.querysniper.core.kill.KillRecord;

import java.time.Instant;
import java.util.List;

/**
 * One message to a sink: the events of one group within one window (or a condition's state).
 *
 * @param kills  the kill records of the window, at most {@link Grouper#MAX_RECORDS}; {@code count} has them all
 * @param repeat a condition that is still true, sent again after the repeat interval
 */
public record Notification(String sink, GroupKey key, Status status, Instant firstAt, Instant lastAt, int count,
                           List<KillRecord> kills, String detail, String node, boolean repeat) {

    /** Firing or resolved, in Alertmanager's words. */
    public enum Status {
        FIRING("firing"), RESOLVED("resolved");

        private final String word;

        Status(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public Notification {
        kills = List.copyOf(kills);
    }
}
