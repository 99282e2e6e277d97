package io.querysniper.cluster;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BalancerTest {

    @Test
    void everyDatabaseAssignedAndLoadsAreFloorOrCeil() {
        for (int n = 1; n <= 7; n++) {
            for (int d = 0; d <= 25; d++) {
                List<String> members = members(n);
                Map<String, String> plan = Balancer.assign(ZkTesting.databases(d), members);
                assertThat(plan).hasSize(d);
                Map<String, Integer> load = new HashMap<>();
                plan.values().forEach(m -> load.merge(m, 1, Integer::sum));
                for (String m : members) {
                    assertThat(load.getOrDefault(m, 0)).as("n=%d d=%d member %s", n, d, m)
                            .isBetween(d / n, (d + n - 1) / n);
                }
            }
        }
    }

    @Test
    void sameInputSamePlanWhateverTheOrder() {
        List<String> members = members(4);
        List<String> reversed = new ArrayList<>(members);
        java.util.Collections.reverse(reversed);
        assertThat(Balancer.assign(ZkTesting.databases(13), members))
                .isEqualTo(Balancer.assign(ZkTesting.databases(13).reversed(), reversed));
    }

    @Test
    void aJoiningMemberMovesFewDatabases() {
        List<String> dbs = ZkTesting.databases(20);
        for (int n = 1; n <= 4; n++) {
            Map<String, String> before = Balancer.assign(dbs, members(n));
            Map<String, String> after = Balancer.assign(dbs, members(n + 1));
            long moved = dbs.stream().filter(db -> !before.get(db).equals(after.get(db))).count();
            String newcomer = "node-" + (n + 1);
            long toNewcomer = after.values().stream().filter(newcomer::equals).count();
            // Ideal is exactly what the newcomer takes; bounded loads may shuffle a few more.
            assertThat(moved).as("n=%d", n).isLessThanOrEqualTo(toNewcomer + 4);
        }
    }

    @Test
    void mixedListsGiveEveryDatabaseToAMemberThatHasIt() {
        java.util.Random random = new java.util.Random(9);
        for (int r = 0; r < 300; r++) {
            int round = r;
            int n = 1 + random.nextInt(5);
            Map<String, List<String>> configured = new java.util.TreeMap<>();
            java.util.Set<String> all = new java.util.TreeSet<>();
            for (String m : members(n)) {
                List<String> dbs = new ArrayList<>();
                for (String db : ZkTesting.databases(12)) {
                    if (random.nextInt(3) > 0) {
                        dbs.add(db);
                    }
                }
                configured.put(m, dbs);
                all.addAll(dbs);
            }
            Map<String, String> plan = Balancer.assign(configured);
            assertThat(plan.keySet()).as("round %d", round).isEqualTo(all);
            plan.forEach((db, m) -> assertThat(configured.get(m)).as("round %d: %s on %s", round, db, m).contains(db));
            // Same inputs in another order, same plan: every node computes the same.
            assertThat(Balancer.assign(new java.util.LinkedHashMap<>(configured).reversed())).isEqualTo(plan);
        }
    }

    @Test
    void equalListsPlanAsBefore() {
        List<String> dbs = ZkTesting.databases(17);
        Map<String, List<String>> configured = new java.util.TreeMap<>();
        members(4).forEach(m -> configured.put(m, dbs));
        assertThat(Balancer.assign(configured)).isEqualTo(Balancer.assign(dbs, members(4)));
        Map<String, List<String>> older = new java.util.TreeMap<>(configured);
        older.put("node-4", null); // announces no list: taken as all
        assertThat(Balancer.assign(older)).isEqualTo(Balancer.assign(dbs, members(4)));
    }

    @Test
    void weightsDependOnBothNames() {
        assertThat(Balancer.weight("a", "b")).isNotEqualTo(Balancer.weight("b", "a"));
        assertThat(Balancer.weight("db1", "n1")).isEqualTo(Balancer.weight("db1", "n1"));
    }

    private static List<String> members(int n) {
        List<String> m = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            m.add("node-" + i);
        }
        return m;
    }
}
