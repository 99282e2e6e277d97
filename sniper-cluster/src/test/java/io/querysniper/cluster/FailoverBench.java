package io.querysniper.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * bench/failover: the ownership gap (time during which no live node says mayKill for a database)
 * during rolling restarts and crashes of one of three nodes, on a 3-server ZooKeeper ensemble with
 * ZooKeeper's default tickTime (2 s; qs.bench.tick) and production node tuning (public constructor).
 * <p>
 * Rolling restart: each node in turn is closed gracefully and started again; one event per node
 * restart, its gap is the longest no-owner interval of any database until the cluster has
 * converged again (so hand-overs back to the restarted node count too).
 * Crash: a node's network is cut (a proxy black-holes it, so its session stays alive on the server
 * exactly as after kill -9) and it is treated as dead from that instant; the gap lasts until
 * another node owns each of its databases. Then it comes back and the cluster re-converges.
 * <p>
 * System properties: qs.bench.reps (10), qs.bench.session (10s), qs.bench.dbs (9), qs.bench.tick (2000 ms),
 * qs.bench.out (target/failover-bench.txt).
 */
public final class FailoverBench {
    private final List<String> dbs;
    private final Duration session;
    private final String ensembleConnect;
    private final List<ClusterNode> alive = new CopyOnWriteArrayList<>();
    private final Map<String, Long> noneSince = new ConcurrentHashMap<>();
    private volatile long eventMaxGapNanos;
    private volatile boolean sampling = true;
    private final StringBuilder out = new StringBuilder();

    private final int tickMs;

    private FailoverBench(List<String> dbs, Duration session, String ensembleConnect, int tickMs) {
        this.tickMs = tickMs;
        this.dbs = dbs;
        this.session = session;
        this.ensembleConnect = ensembleConnect;
    }

    public static void main(String[] args) throws Exception {
        int reps = Integer.getInteger("qs.bench.reps", 10);
        Duration session = Duration.parse("PT" + System.getProperty("qs.bench.session", "10s").toUpperCase());
        int dbCount = Integer.getInteger("qs.bench.dbs", 9);
        int tickMs = Integer.getInteger("qs.bench.tick", 2000);
        Path outFile = Path.of(System.getProperty("qs.bench.out", "target/failover-bench.txt"));
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i + 1, tickMs, -1));
        }
        try (TestingCluster zk = new TestingCluster(specs)) {
            zk.start();
            FailoverBench bench = new FailoverBench(ZkTesting.databases(dbCount), session, zk.getConnectString(), tickMs);
            String report = bench.run(reps);
            Files.createDirectories(outFile.toAbsolutePath().getParent());
            Files.writeString(outFile, report);
            System.out.println(report);
        }
    }

    private String run(int reps) throws Exception {
        line("failover bench: 3 nodes, %d databases, session timeout %s, 3-server ensemble (tickTime %d ms), %d repetitions",
                dbs.size(), session, tickMs, reps);
        List<BlackholeProxy> proxies = new ArrayList<>();
        ClusterNode[] nodes = new ClusterNode[3];
        for (int i = 0; i < 3; i++) {
            proxies.add(new BlackholeProxy("127.0.0.1", firstPort()));
            nodes[i] = startNode(i, proxies.get(i));
        }
        Thread sampler = new Thread(this::sample, "bench-sampler");
        sampler.setDaemon(true);
        sampler.start();
        awaitConverged(Duration.ofSeconds(60));

        List<Long> rolling = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < 3; i++) {
                beginEvent();
                alive.remove(nodes[i]);
                nodes[i].close();
                nodes[i] = startNode(i, proxies.get(i));
                awaitConverged(Duration.ofSeconds(60));
                rolling.add(endEvent());
            }
            line("rolling rep %2d: gaps ms %s", rep + 1, tail(rolling, 3));
        }
        List<Long> crash = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            int i = rep % 3;
            beginEvent();
            ClusterNode dead = nodes[i];
            proxies.get(i).partition();
            alive.remove(dead);
            Thread closer = new Thread(dead::close, "bench-crashed-close");
            closer.start();
            awaitAllOwned(session.plusSeconds(30));
            crash.add(endEvent());
            closer.join();
            proxies.get(i).close();
            proxies.set(i, new BlackholeProxy("127.0.0.1", firstPort()));
            nodes[i] = startNode(i, proxies.get(i));
            awaitConverged(Duration.ofSeconds(60));
            line("crash rep %2d: gap ms %d", rep + 1, crash.getLast());
        }
        sampling = false;
        sampler.join();
        for (ClusterNode n : nodes) {
            n.close();
        }
        for (BlackholeProxy p : proxies) {
            p.close();
        }
        line("ROLLING restart gap: n=%d p50=%d ms max=%d ms (target p50 <= 200, max <= 1000)",
                rolling.size(), pct(rolling, 50), pct(rolling, 100));
        line("CRASH gap:           n=%d p50=%d ms max=%d ms (target <= session timeout + 1000 = %d)",
                crash.size(), pct(crash, 50), pct(crash, 100), session.toMillis() + 1000);
        return out.toString();
    }

    private int firstPort() {
        String first = ensembleConnect.split(",")[0];
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    private ClusterNode startNode(int i, BlackholeProxy proxy) {
        // Each node reaches the ensemble only through its own proxy, so cutting the proxy
        // silences the node completely, as a kill -9 would, while its session lives on.
        ClusterOptions options = ClusterOptions.defaults(proxy.connectString(), null).withSessionTimeout(session);
        ClusterNode n = new ClusterNode(options, new NodeInfo("node-" + (i + 1), "bench", "bench", "cfg"), dbs,
                Clock.systemUTC());
        n.start();
        alive.add(n);
        return n;
    }

    private void sample() {
        while (sampling) {
            long now = System.nanoTime();
            for (String db : dbs) {
                boolean owned = false;
                for (ClusterNode n : alive) {
                    if (n.mayKill(db)) {
                        owned = true;
                        break;
                    }
                }
                if (owned) {
                    Long since = noneSince.remove(db);
                    if (since != null) {
                        eventMaxGapNanos = Math.max(eventMaxGapNanos, now - since);
                    }
                } else {
                    noneSince.putIfAbsent(db, now);
                }
            }
            LockSupport.parkNanos(500_000);
        }
    }

    private void beginEvent() {
        eventMaxGapNanos = 0;
    }

    private long endEvent() {
        LockSupport.parkNanos(5_000_000); // let the sampler see the last owner appear
        return eventMaxGapNanos / 1_000_000;
    }

    private void awaitConverged(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!ZkTesting.converged(alive, dbs)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no convergence within " + max + ": " + ZkTesting.killers(alive, dbs));
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    private void awaitAllOwned(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!ZkTesting.killers(alive, dbs).values().stream().allMatch(l -> l.size() == 1)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not all owned within " + max);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static long pct(List<Long> values, int p) {
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        if (v.length == 0) {
            return -1;
        }
        int idx = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, idx))];
    }

    private static String tail(List<Long> l, int n) {
        return Arrays.toString(l.subList(l.size() - n, l.size()).toArray());
    }

    private void line(String fmt, Object... args) {
        String s = String.format(fmt, args);
        out.append(s).append('\n');
        System.err.println(s);
    }
}
