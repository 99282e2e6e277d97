package io.querysniper.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "No hand-over for the next 60 s" taken literally, without waiting a minute (issue 9): several nodes
 * with different, overlapping database lists each run the real {@link Rebalancer} pass every 200 ms (the
 * product's tick, settle 1 s) over simulated time, against a model of the latch queues (the first in
 * a queue leads; a hand-over moves the leader to the back). Ownership must converge to the plan, each
 * database led by a node that has it configured, within the settle time and a few passes, and then not
 * move once in 60 s of passes. {@code OwnershipIT} runs the same lists against a real ZooKeeper.
 */
class RebalancerSimulationTest {
    private static final Duration TICK = ClusterNode.Tuning.DEFAULT.tick();
    private static final Duration SETTLE = ClusterNode.Tuning.DEFAULT.settle();
    /** The issue's figure, counted after convergence. */
    private static final Duration STABLE = Duration.ofSeconds(60);
    /** Settle, then at most one hand-over per node and database in turn: generous for 5 nodes. */
    private static final Duration CONVERGE_WITHIN = SETTLE.plus(TICK.multipliedBy(12));

    @Test
    void theIssuesExampleConvergesAndStays() {
        // Each planning with its own list, a gives y to b and b gives it back, at every pass, forever.
        simulate(lists("a", List.of("x", "y"), "b", List.of("y")), new Random(1));
    }

    @Test
    void twoNodesWithOverlappingListsConvergeAndStay() {
        simulate(lists("a", ZkTesting.databases(6), "b", List.of("db04", "db05", "db06", "db07", "db08", "db09")),
                new Random(2));
    }

    @Test
    void threeNodesWithOverlappingListsConvergeAndStay() {
        simulate(lists("a", ZkTesting.databases(6),
                "b", List.of("db04", "db05", "db06", "db07", "db08", "db09"),
                "c", List.of("db01", "db02", "db08", "db10", "db11")), new Random(3));
    }

    @Test
    void randomMixedListsOfTwoToFiveNodesConvergeAndStay() {
        Random random = new Random(9);
        for (int round = 0; round < 60; round++) {
            int n = 2 + random.nextInt(4);
            Map<String, List<String>> configured = new TreeMap<>();
            for (int m = 0; m < n; m++) {
                List<String> dbs = new ArrayList<>();
                for (String db : ZkTesting.databases(12)) {
                    if (random.nextInt(3) > 0) {
                        dbs.add(db);
                    }
                }
                configured.put("node-" + (char) ('a' + m), dbs);
            }
            simulate(configured, random);
        }
    }

    /** Runs the nodes' passes over simulated time; asserts convergence and then 60 s without a hand-over. */
    private static void simulate(Map<String, List<String>> lists, Random random) {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        Map<String, List<String>> queues = new TreeMap<>();
        Map<String, Set<String>> configured = new TreeMap<>();
        lists.forEach((node, dbs) -> configured.put(node, Set.copyOf(dbs)));
        Membership.Roster roster = new Membership.Roster(List.copyOf(lists.keySet()), configured);
        // Every node joins the latches of its databases in some order: the queues' order is arbitrary.
        List<String[]> joins = new ArrayList<>();
        lists.forEach((node, dbs) -> dbs.forEach(db -> joins.add(new String[] {node, db})));
        Collections.shuffle(joins, random);
        for (String[] j : joins) {
            queues.computeIfAbsent(j[1], d -> new ArrayList<>()).add(j[0]);
        }
        AtomicLong handOvers = new AtomicLong();
        Map<String, Rebalancer> passes = new LinkedHashMap<>();
        lists.forEach((node, dbs) -> passes.put(node, new Rebalancer(node, () -> roster,
                new ModelLatches(node, queues, handOvers), () -> dbs, () -> true, SETTLE, nanos::get)));
        Map<String, String> plan = Balancer.assign(lists);
        String what = lists.toString();

        long start = nanos.get();
        long convergedAt = -1;
        List<String> order = new ArrayList<>(passes.keySet());
        while (convergedAt < 0) {
            assertThat(nanos.get() - start).as("converged within %s: %s, leaders %s", CONVERGE_WITHIN, what, leaders(queues))
                    .isLessThanOrEqualTo(CONVERGE_WITHIN.toNanos());
            tickAll(passes, order, random, nanos);
            if (leaders(queues).equals(plan)) {
                convergedAt = nanos.get();
            }
        }
        plan.forEach((db, node) -> assertThat(lists.get(node)).as("%s: %s led by %s", what, db, node).contains(db));

        long before = handOvers.get();
        Map<String, String> settled = leaders(queues);
        while (nanos.get() - convergedAt <= STABLE.toNanos()) {
            tickAll(passes, order, random, nanos);
            assertThat(handOvers.get()).as("hand-overs %s after convergence: %s", Duration.ofNanos(nanos.get() - convergedAt),
                    what).isEqualTo(before);
        }
        assertThat(leaders(queues)).isEqualTo(settled);
    }

    /** One tick: every node's pass once, in an order that changes from tick to tick (their timers are independent). */
    private static void tickAll(Map<String, Rebalancer> passes, List<String> order, Random random, AtomicLong nanos) {
        nanos.addAndGet(TICK.toNanos());
        Collections.shuffle(order, random);
        for (String node : order) {
            passes.get(node).tick();
        }
    }

    private static Map<String, String> leaders(Map<String, List<String>> queues) {
        Map<String, String> out = new TreeMap<>();
        queues.forEach((db, q) -> out.put(db, q.get(0)));
        return out;
    }

    private static Map<String, List<String>> lists(Object... idsAndLists) {
        Map<String, List<String>> m = new TreeMap<>();
        for (int i = 0; i < idsAndLists.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> l = (List<String>) idsAndLists[i + 1];
            m.put((String) idsAndLists[i], l);
        }
        return m;
    }
}
