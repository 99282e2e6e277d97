package io.querysniper.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the balancing pass walks the latches: every tick while anything moves or is awaited, once a
 * {@link Rebalancer#QUIET_WALK} once nothing has moved for {@link Rebalancer#BUSY_FOR}, and every tick
 * again as soon as the roster changes. Simulated time, a model of the latch queues that counts its reads.
 */
class RebalancerQuietWalkTest {

    private static final Duration TICK = ClusterNode.Tuning.DEFAULT.tick();
    private static final Duration SETTLE = ClusterNode.Tuning.DEFAULT.settle();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Map<String, List<String>> queues = new TreeMap<>();
    private final AtomicReference<Membership.Roster> roster = new AtomicReference<>();
    private final CountingLatches latches = new CountingLatches("a", queues);

    @Test
    void aStableNodeWalksItsLatchesOnceASecondInsteadOfEveryTick() {
        List<String> dbs = List.of("x", "y", "z");
        dbs.forEach(db -> queues.put(db, new ArrayList<>(List.of("a"))));
        roster.set(new Membership.Roster(List.of("a"), Map.of("a", Set.copyOf(dbs))));
        Rebalancer pass = pass(dbs);

        run(pass, SETTLE.plus(Rebalancer.BUSY_FOR).plus(TICK.multipliedBy(2)));
        latches.reads = 0;
        run(pass, Duration.ofSeconds(10));
        // Five ticks a second: walking every tick would read each seat 50 times.
        assertThat(latches.reads).isBetween(9 * dbs.size(), 11 * dbs.size());
    }

    @Test
    void aMemberComingMakesTheNextWalksComeEveryTickAndTheHandOverFollowsTheSettleTime() {
        List<String> dbs = List.of("x", "y");
        dbs.forEach(db -> queues.put(db, new ArrayList<>(List.of("a"))));
        roster.set(new Membership.Roster(List.of("a"), Map.of("a", Set.copyOf(dbs))));
        Rebalancer pass = pass(dbs);
        run(pass, SETTLE.plus(Rebalancer.BUSY_FOR).plus(Duration.ofSeconds(3)));

        // b joins both latches and the roster; the plan gives it one of the two.
        dbs.forEach(db -> queues.get(db).add("b"));
        roster.set(new Membership.Roster(List.of("a", "b"), Map.of("a", Set.copyOf(dbs), "b", Set.copyOf(dbs))));
        String given = Balancer.assign(roster.get().configured()).entrySet().stream()
                .filter(e -> e.getValue().equals("b")).map(Map.Entry::getKey).findFirst().orElseThrow();
        long changed = nanos.get() + TICK.toNanos();
        while (leader(given).equals("a")) {
            tick(pass);
            assertThat(Duration.ofNanos(nanos.get() - changed)).as("handed over within the settle time and two ticks")
                    .isLessThanOrEqualTo(SETTLE.plus(TICK.multipliedBy(2)));
        }
        assertThat(leader(given)).isEqualTo("b");
    }

    @Test
    void aLedDatabaseWhosePlannedOwnerHasNotQueuedYetKeepsTheWalksComingEveryTick() {
        List<String> dbs = List.of("x", "y");
        dbs.forEach(db -> queues.put(db, new ArrayList<>(List.of("a"))));
        // b is a member with both databases configured but has not queued on their latches yet.
        roster.set(new Membership.Roster(List.of("a", "b"), Map.of("a", Set.copyOf(dbs), "b", Set.copyOf(dbs))));
        String given = Balancer.assign(roster.get().configured()).entrySet().stream()
                .filter(e -> e.getValue().equals("b")).map(Map.Entry::getKey).findFirst().orElseThrow();
        Rebalancer pass = pass(dbs);
        run(pass, SETTLE.plus(Rebalancer.BUSY_FOR).plus(Duration.ofSeconds(3)));
        assertThat(leader(given)).isEqualTo("a");

        queues.get(given).add("b");
        tick(pass);
        assertThat(leader(given)).as("handed over at the first tick after b queued").isEqualTo("b");
    }

    private Rebalancer pass(List<String> dbs) {
        return new Rebalancer("a", roster::get, latches, () -> dbs, () -> true, SETTLE, nanos::get);
    }

    private void run(Rebalancer pass, Duration time) {
        long end = nanos.get() + time.toNanos();
        while (nanos.get() < end) {
            tick(pass);
        }
    }

    private void tick(Rebalancer pass) {
        nanos.addAndGet(TICK.toNanos());
        pass.tick();
    }

    private String leader(String db) {
        return queues.get(db).get(0);
    }

    /** Node a's view of the modelled queues; counts its seat reads (one per database a walk visits). */
    private static final class CountingLatches implements Rebalancer.Latches {
        private final String self;
        private final Map<String, List<String>> queues;
        int reads;

        CountingLatches(String self, Map<String, List<String>> queues) {
            this.self = self;
            this.queues = queues;
        }

        @Override
        public boolean seated(String db) {
            reads++;
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
        }
    }
}
