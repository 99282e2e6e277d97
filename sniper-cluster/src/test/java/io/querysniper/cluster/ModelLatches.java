package io.querysniper.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's view of modelled latch queues, for the balancing pass's tests: it leads when first in a
 * queue; a hand-over moves it to the back. Counts the hand-overs (shared by all nodes' views) and its own
 * seat reads (one per database a walk visits).
 */
record ModelLatches(String self, Map<String, List<String>> queues, AtomicLong handOvers, AtomicLong seatReads)
        implements Rebalancer.Latches {

    ModelLatches(String self, Map<String, List<String>> queues, AtomicLong handOvers) {
        this(self, queues, handOvers, new AtomicLong());
    }

    @Override
    public boolean seated(String db) {
        seatReads.incrementAndGet();
        return queues.getOrDefault(db, List.of()).contains(self);
    }

    @Override
    public long nodelessSince(String db) {
        return -1;
    }

    @Override
    public boolean leads(String db) {
        List<String> q = queues.get(db);
        return q != null && !q.isEmpty() && q.get(0).equals(self);
    }

    @Override
    public boolean queued(String db, String node) {
        return queues.getOrDefault(db, List.of()).contains(node);
    }

    @Override
    public void handOver(String db, String target) {
        List<String> q = queues.get(db);
        q.remove(self);
        q.add(self);
        handOvers.incrementAndGet();
    }
}
