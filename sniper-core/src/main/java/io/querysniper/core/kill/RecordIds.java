package io.querysniper.core.kill;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes record ids that are unique across the fleet and sort by time as strings:
 * {@code <epoch millis, 13 digits>-<node id>-<counter, 6 digits>}. The counter is one per process, not
 * one per instance: every database's watcher makes its own {@code RecordIds}, and two counters that both
 * start at 1 gave two databases' records of the same millisecond the same id (the journal kept one, the
 * SQL export overwrote the other). It restarts with the process; the millisecond prefix keeps ids of a
 * restarted node apart from its earlier ones. A million records in one millisecond would be needed to
 * wrap it onto an id already given.
 */
public final class RecordIds {
    private static final AtomicLong COUNTER = new AtomicLong();

    private final String node;

    public RecordIds(String node) {
        this.node = node;
    }

    public String next(Instant at) {
        return String.format("%013d-%s-%06d", at.toEpochMilli(), node, COUNTER.incrementAndGet() % 1_000_000);
    }
}
