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
    private final ModelLatches latches = new ModelLatches("a", queues, new AtomicLong());

    @Test
    void aStableNodeWalksItsLatchesOnceASecondInsteadOfEveryTick() {
        List<String> dbs = List.of("x", "y", "z");
        dbs.forEach(db -> queues.put(db, new ArrayList<>(List.of("a"))));
        roster.set(new Membership.Roster(List.of("a"), Map.of("a", Set.copyOf(dbs))));
        Rebalancer pass = pass(dbs);

        run(pass, SETTLE.plus(Rebalancer.BUSY_FOR).plus(TICK.multipliedBy(2)));
        long before = latches.seatReads().get();
        run(pass, Duration.ofSeconds(10));
        // Five ticks a second: walking every tick would read each seat 50 times.
        assertThat(latches.seatReads().get() - before).isBetween(9L * dbs.size(), 11L * dbs.size());
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
}
