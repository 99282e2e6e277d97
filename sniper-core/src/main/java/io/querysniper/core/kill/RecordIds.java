package io.querysniper.core.kill;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes record ids that are unique across the fleet and sort by time as strings:
 * {@code <epoch millis, 13 digits>-<node id>-<counter, 6 digits>}. The counter restarts with the
 * process; the millisecond prefix keeps ids of a restarted node apart from its earlier ones.
 */
public final class RecordIds {
    private final String node;
    private final AtomicLong counter = new AtomicLong();

    public RecordIds(String node) {
        this.node = node;
    }

    public String next(Instant at) {
        return String.format("%013d-%s-%06d", at.toEpochMilli(), node, counter.incrementAndGet() % 1_000_000);
    }
}
