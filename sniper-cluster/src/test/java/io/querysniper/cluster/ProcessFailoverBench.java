package io.querysniper.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * bench/failover with real processes: three nodes, each its own JVM ({@link FailoverNodeMain}),
 * against a 3-server ZooKeeper ensemble (in this JVM, tickTime qs.bench.tick, default 500 ms).
 * <ul>
 * <li>Rolling restart: each node in turn gets SIGTERM (it releases its latches, then closes), a
 * new JVM with the same id is started; the event's gap is the longest no-owner interval of any
 * database until the cluster has converged to the balanced plan again (hand-backs count).</li>
 * <li>Crash: a node gets SIGKILL (kill -9) and counts as dead from that instant; its session
 * lives until the ensemble expires it. The gap lasts until another node owns each of its
 * databases. A new JVM then takes its place and the cluster re-converges.</li>
 * </ul>
 * Every ownership change is stamped on arrival of the child's line (pipe latency, well under a
 * millisecond, counts against us). Also reports apparent overlaps, where two live processes both
 * said mayKill for one database: each child samples every millisecond, so the old owner's
 * "0" can arrive a scheduling delay after the new owner's "1" of a clean hand-over; overlaps of
 * a few ms are sampling lag. The exclusion guarantee itself is tested in ClusterNodeIT, which
 * reads both nodes directly and re-reads a suspicious pair.
 * <p>
 * System properties: qs.bench.reps (10), qs.bench.session (10s), qs.bench.dbs (9), qs.bench.tick
 * (500 ms), qs.bench.out (target/failover-process-bench.txt).
 */
public final class ProcessFailoverBench {
    private final List<String> dbs;
    private final Duration session;
    private final String connect;
    private final Path logDir;
    private final StringBuilder out = new StringBuilder();

    // Ownership as reported by the live children; guarded by `this`.
    private final List<Child> alive = new ArrayList<>();
    private final Map<String, Long> noneSince = new HashMap<>();
    private long eventMaxGapNanos;
    private final Map<String, Long> doubleSince = new HashMap<>();
    private int doubleOwned;
    private long doubleMaxNanos;

    private ProcessFailoverBench(List<String> dbs, Duration session, String connect, Path logDir) {
        this.dbs = dbs;
        this.session = session;
        this.connect = connect;
        this.logDir = logDir;
    }

    /** One node process; a restart is a new Child with the same id. */
    private final class Child {
        final String id;
        final Process process;
        final Set<String> owns = new HashSet<>();
        final CountDownLatch ready = new CountDownLatch(1);
        boolean released; // guarded by the bench

        Child(String id, Process process) {
            this.id = id;
            this.process = process;
            Thread reader = new Thread(this::read, "bench-read-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.equals("QS ready")) {
                        ready.countDown();
                    } else if (line.equals("QS releasing")) {
                        releasing(this, now);
                    } else if (line.startsWith("QS ") && !line.equals("QS closed")) {
                        String[] f = line.split(" ");
                        changed(this, f[1], f[2].equals("1"), now);
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int reps = Integer.getInteger("qs.bench.reps", 10);
        Duration session = Duration.parse("PT" + System.getProperty("qs.bench.session", "10s").toUpperCase());
        int dbCount = Integer.getInteger("qs.bench.dbs", 9);
        int tickMs = Integer.getInteger("qs.bench.tick", 500);
        Path outFile = Path.of(System.getProperty("qs.bench.out", "target/failover-process-bench.txt"));
        Path logDir = Files.createDirectories(Path.of("target", "failover-process-logs"));
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i + 1, tickMs, -1));
        }
        try (TestingCluster zk = new TestingCluster(specs)) {
            zk.start();
            ProcessFailoverBench bench = new ProcessFailoverBench(ZkTesting.databases(dbCount), session,
                    zk.getConnectString(), logDir);
            bench.line("process failover bench: 3 node JVMs, %d databases, session timeout %s, 3-server ensemble "
                    + "(tickTime %d ms), %d repetitions", dbCount, session, tickMs, reps);
            String report = bench.run(reps);
            Files.createDirectories(outFile.toAbsolutePath().getParent());
            Files.writeString(outFile, report);
            System.out.println(report);
        }
    }

    private String run(int reps) throws Exception {
        Child[] nodes = new Child[3];
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = spawn(i);
            }
            awaitConverged(Duration.ofSeconds(60));
            List<Long> rolling = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                List<Long> these = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    beginEvent();
                    // SIGTERM through the handle: Process.destroy() would also close our end of
                    // the child's stdout and lose what it says while stopping.
                    nodes[i].process.toHandle().destroy();
                    if (!nodes[i].process.waitFor(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(nodes[i].id + " did not exit within 10 s of SIGTERM");
                    }
                    gone(nodes[i], System.nanoTime());
                    nodes[i] = spawn(i);
                    awaitConverged(Duration.ofSeconds(60));
                    these.add(endEvent());
                }
                rolling.addAll(these);
                line("rolling rep %2d: gaps ms %s", rep + 1, these);
            }
            List<Long> crash = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                int i = rep % 3;
                beginEvent();
                long killedAt = System.nanoTime();
                nodes[i].process.destroyForcibly(); // SIGKILL
                gone(nodes[i], killedAt);
                awaitAllOwned(session.plusSeconds(30));
                crash.add(endEvent());
                nodes[i].process.waitFor();
                nodes[i] = spawn(i);
                awaitConverged(Duration.ofSeconds(60));
                line("crash rep %2d: gap ms %d", rep + 1, crash.getLast());
            }
            line("ROLLING restart gap (processes, SIGTERM): n=%d p50=%d ms max=%d ms (target p50 <= 200, max <= 1000)",
                    rolling.size(), pct(rolling, 50), pct(rolling, 100));
            line("CRASH gap (processes, kill -9):          n=%d p50=%d ms max=%d ms (target <= session timeout + 1000 = %d)",
                    crash.size(), pct(crash, 50), pct(crash, 100), session.toMillis() + 1000);
            line("apparent overlaps (two live processes reported mayKill for one database): %d, longest %.1f ms",
                    doubleOwned, doubleMaxNanos / 1e6);
            return out.toString();
        } finally {
            for (Child c : nodes) {
                if (c != null) {
                    c.process.destroyForcibly();
                    c.process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private Child spawn(int i) throws Exception {
        String id = "node-" + (i + 1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), FailoverNodeMain.class.getName(),
                id, connect, Long.toString(session.toMillis()), String.join(",", dbs));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve(id + ".err").toFile()));
        Child c = new Child(id, pb.start());
        synchronized (this) {
            alive.add(c);
        }
        if (!c.ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " did not start within 60 s (see " + logDir + ")");
        }
        return c;
    }

    private synchronized void changed(Child c, String db, boolean may, long now) {
        if (!alive.contains(c) || (may && c.released)) {
            return;
        }
        if (may) {
            c.owns.add(db);
        } else {
            c.owns.remove(db);
        }
        recount(db, now);
    }

    /** The child is about to release its latches: it owns nothing from now on. */
    private synchronized void releasing(Child c, long now) {
        if (!alive.contains(c)) {
            return;
        }
        c.released = true;
        List<String> had = List.copyOf(c.owns);
        c.owns.clear();
        had.forEach(db -> recount(db, now));
    }

    /** The process exited or was killed at {@code at}: whatever it owned is unowned from then. */
    private synchronized void gone(Child c, long at) {
        alive.remove(c);
        for (String db : c.owns) {
            recount(db, at);
        }
    }

    private void recount(String db, long now) {
        int owners = owners(db);
        if (owners > 1) {
            if (doubleSince.putIfAbsent(db, now) == null) {
                doubleOwned++;
            }
        } else {
            Long since = doubleSince.remove(db);
            if (since != null) {
                doubleMaxNanos = Math.max(doubleMaxNanos, now - since);
            }
        }
        if (owners == 0) {
            noneSince.putIfAbsent(db, now);
        } else {
            Long since = noneSince.remove(db);
            if (since != null) {
                eventMaxGapNanos = Math.max(eventMaxGapNanos, now - since);
            }
        }
    }

    private int owners(String db) {
        int n = 0;
        for (Child c : alive) {
            if (c.owns.contains(db)) {
                n++;
            }
        }
        return n;
    }

    private synchronized void beginEvent() {
        eventMaxGapNanos = 0;
    }

    private synchronized long endEvent() {
        return eventMaxGapNanos / 1_000_000;
    }

    private synchronized boolean converged() {
        if (alive.size() != 3) {
            return false;
        }
        Map<String, String> plan = Balancer.assign(dbs, alive.stream().map(c -> c.id).toList());
        for (String db : dbs) {
            if (owners(db) != 1) {
                return false;
            }
            for (Child c : alive) {
                if (c.owns.contains(db) && !c.id.equals(plan.get(db))) {
                    return false;
                }
            }
        }
        return true;
    }

    private synchronized boolean allOwned() {
        return dbs.stream().allMatch(db -> owners(db) == 1);
    }

    private void awaitConverged(Duration max) {
        await(max, this::converged, "no convergence");
    }

    private void awaitAllOwned(Duration max) {
        await(max, this::allOwned, "not all owned");
    }

    private static void await(Duration max, java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " within " + max);
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

    private void line(String fmt, Object... args) {
        String s = String.format(fmt, args);
        out.append(s).append('\n');
        System.err.println(s);
    }
}
