package io.querysniper.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Shared set-up for the cluster tests: fast-ticking ZooKeeper servers and quick-settling nodes. */
final class ZkTesting {
    /** ZooKeeper tick: sessions of 400 ms .. 4 s are allowed, elections are quick. */
    static final int TICK_MS = 200;
    static final Duration SESSION = Duration.ofSeconds(2);
    static final ClusterNode.Tuning FAST = new ClusterNode.Tuning(Duration.ofMillis(300), Duration.ofMillis(50));

    private ZkTesting() {
    }

    static TestingServer server() throws Exception {
        return new TestingServer(spec(), true);
    }

    static InstanceSpec spec() {
        return new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1);
    }

    static TestingCluster cluster(int size) {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i + 1, TICK_MS, -1));
        }
        return new TestingCluster(specs);
    }

    static ClusterOptions options(String connect) {
        return ClusterOptions.defaults(connect, null).withSessionTimeout(SESSION);
    }

    static ClusterNode node(String id, ClusterOptions options, Collection<String> dbs) {
        return new ClusterNode(options, new NodeInfo(id, "host-" + id, "test", "cfg1"), dbs, Clock.systemUTC(),
                FAST, System::nanoTime);
    }

    static List<String> databases(int count) {
        List<String> dbs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            dbs.add(String.format("db%02d", i));
        }
        return dbs;
    }

    /** db -> ids of the nodes that say mayKill for it right now. */
    static Map<String, List<String>> killers(Collection<ClusterNode> nodes, Collection<String> dbs) {
        Map<String, List<String>> result = new TreeMap<>();
        for (String db : dbs) {
            List<String> ids = new ArrayList<>();
            for (ClusterNode n : nodes) {
                if (n.mayKill(db)) {
                    ids.add(n.view().self());
                }
            }
            result.put(db, ids);
        }
        return result;
    }

    /** Every database has exactly one killer and each node has floor(D/N) or ceil(D/N). */
    static boolean balanced(Collection<ClusterNode> nodes, Collection<String> dbs) {
        Map<String, List<String>> k = killers(nodes, dbs);
        if (k.values().stream().anyMatch(l -> l.size() != 1)) {
            return false;
        }
        int floor = dbs.size() / nodes.size();
        int ceil = floor + (dbs.size() % nodes.size() == 0 ? 0 : 1);
        for (ClusterNode n : nodes) {
            long count = k.values().stream().filter(l -> l.get(0).equals(n.view().self())).count();
            if (count < floor || count > ceil) {
                return false;
            }
        }
        return true;
    }

    /** Balanced exactly as the plan says (so no further hand-overs are due). */
    static boolean converged(Collection<ClusterNode> nodes, Collection<String> dbs) {
        List<String> ids = nodes.stream().map(n -> n.view().self()).toList();
        Map<String, String> plan = Balancer.assign(dbs, ids);
        Map<String, List<String>> k = killers(nodes, dbs);
        for (String db : dbs) {
            if (k.get(db).size() != 1 || !k.get(db).get(0).equals(plan.get(db))) {
                return false;
            }
        }
        return balanced(nodes, dbs);
    }

    static void closeAll(Collection<? extends AutoCloseable> things) {
        for (AutoCloseable c : things) {
            try {
                c.close();
            } catch (Exception ignored) {
                // teardown
            }
        }
    }
}
