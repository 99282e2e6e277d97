package io.querysniper.bench.journal;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.journal.JournalOptions;
import io.querysniper.journal.JournalPaths;
import io.querysniper.journal.KillRecordCodec;
import io.querysniper.journal.ZkJournal;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one {@link ZkJournal} against a 3-server ensemble.
 * <ol>
 *   <li>Sustained: kills arrive at a fixed rate (open loop) for N seconds; each kill writes its intent and
 *   its final record. Reports kills/s and znode writes/s achieved, the deepest the queue got, and the
 *   kill-to-record latency: from {@code onRecord(final)} to the moment another ZooKeeper session (a watch)
 *   sees the final record, sampled on 1 kill in 10.</li>
 *   <li>Saturation: as fast as the writer takes them (the producer backs off when the queue passes 5 000),
 *   to show the ceiling.</li>
 * </ol>
 */
public final class JournalBench {

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "20");
        int rate = Integer.parseInt(args.length > 1 ? args[1] : "2000");
        Path spool = Files.createTempDirectory("qs-journal-bench");
        try (TestingCluster cluster = new TestingCluster(3)) {
            cluster.start();
            try (CuratorFramework writer = client(cluster.getConnectString());
                 CuratorFramework observer = client(cluster.getConnectString())) {
                System.out.printf("ensemble: 3 servers (curator-test TestingCluster), %d cores%n",
                        Runtime.getRuntime().availableProcessors());
                warmUp(writer, spool);
                sustained(writer, observer, spool, seconds, rate);
                saturation(writer, spool, Math.max(5, seconds / 2));
            }
        }
    }

    private static void sustained(CuratorFramework writer, CuratorFramework observer, Path spool, int seconds, int rate)
            throws Exception {
        Map<String, Long> finalSentAt = new ConcurrentHashMap<>();
        List<Long> latenciesNanos = new CopyOnWriteArrayList<>();
        try (ZkJournal journal = new ZkJournal(writer, options("bench-a", spool), Clock.systemUTC())) {
            journal.start();
            RecordIds ids = new RecordIds("bench-a");
            long periodNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long next = start;
            int kills = 0;
            int maxDepth = 0;
            while (next < end) {
                LockSupport.parkNanos(next - System.nanoTime());
                KillRecord intent = record(ids, "bench-a");
                KillRecord fin = intent.complete(KillOutcome.KILLED, null, Instant.now());
                boolean sampled = kills % 10 == 0;
                if (sampled) {
                    watchUntilFinal(observer, intent.id(), finalSentAt, latenciesNanos);
                }
                journal.beforeKill(intent);
                if (sampled) {
                    finalSentAt.put(intent.id(), System.nanoTime());
                }
                journal.onRecord(fin);
                kills++;
                maxDepth = Math.max(maxDepth, journal.queueDepth());
                if (kills % rate == 0) {
                    System.out.printf("  t=%2ds queue depth %d%n", kills / rate, journal.queueDepth());
                }
                next += periodNanos;
            }
            long offeredEnd = System.nanoTime();
            while (journal.queueDepth() > 0 || journal.hasSpooled()) {
                Thread.sleep(5);
            }
            long drained = System.nanoTime();
            Thread.sleep(500); // let the last watches fire
            double secs = (drained - start) / 1e9;
            System.out.printf("sustained: offered %d kills/s for %d s -> %d kills (%d znode writes) in %.2f s"
                            + " = %.0f kills/s, %.0f writes/s; queue max depth %d; drained %.0f ms after the last kill;"
                            + " spooled %d%n",
                    rate, seconds, kills, 2L * kills, secs, kills / secs, 2 * kills / secs, maxDepth,
                    (drained - offeredEnd) / 1e6, journal.spooledCount());
            List<Long> l = new ArrayList<>(latenciesNanos);
            Collections.sort(l);
            System.out.printf("kill-to-record latency (onRecord -> final record visible to another session),"
                            + " %d samples: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    l.size(), pct(l, 50), pct(l, 90), pct(l, 99), l.isEmpty() ? 0 : l.get(l.size() - 1) / 1e6);
        }
    }

    /** JIT and ZooKeeper connections warm, not measured. */
    private static void warmUp(CuratorFramework writer, Path spool) throws Exception {
        try (ZkJournal journal = new ZkJournal(writer, options("bench-warm", spool), Clock.systemUTC())) {
            journal.start();
            RecordIds ids = new RecordIds("bench-warm");
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                if (journal.queueDepth() > 1_000) {
                    Thread.sleep(1);
                    continue;
                }
                KillRecord intent = record(ids, "bench-warm");
                journal.beforeKill(intent);
                journal.onRecord(intent.complete(KillOutcome.KILLED, null, Instant.now()));
            }
        }
    }

    private static void saturation(CuratorFramework writer, Path spool, int seconds) throws Exception {
        try (ZkJournal journal = new ZkJournal(writer, options("bench-b", spool), Clock.systemUTC())) {
            journal.start();
            RecordIds ids = new RecordIds("bench-b");
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long kills = 0;
            while (System.nanoTime() < end) {
                if (journal.queueDepth() > 5_000) {
                    Thread.sleep(1);
                    continue;
                }
                KillRecord intent = record(ids, "bench-b");
                journal.beforeKill(intent);
                journal.onRecord(intent.complete(KillOutcome.KILLED, null, Instant.now()));
                kills++;
            }
            while (journal.queueDepth() > 0) {
                Thread.sleep(5);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("saturation: %d kills (%d writes) in %.2f s = %.0f kills/s, %.0f writes/s, spooled %d%n",
                    kills, 2 * kills, secs, kills / secs, 2 * kills / secs, journal.spooledCount());
        }
    }

    /** Exists-watch set before the intent is written; then a data watch until the final record shows. */
    private static void watchUntilFinal(CuratorFramework observer, String id, Map<String, Long> sentAt, List<Long> out)
            throws Exception {
        String path = JournalPaths.recordPath(id, Instant.now());
        Watcher onData = new Watcher() {
            @Override
            public void process(WatchedEvent e) {
                if (e.getType() == Watcher.Event.EventType.NodeDataChanged) {
                    check(observer, path, id, this, sentAt, out);
                }
            }
        };
        observer.checkExists().usingWatcher((Watcher) e -> {
            if (e.getType() == Watcher.Event.EventType.NodeCreated) {
                check(observer, path, id, onData, sentAt, out);
            }
        }).forPath(path);
    }

    private static void check(CuratorFramework observer, String path, String id, Watcher again, Map<String, Long> sentAt,
                              List<Long> out) {
        try {
            observer.getData().usingWatcher(again).inBackground((c, event) -> {
                if (event.getData() == null) {
                    return;
                }
                if (KillRecordCodec.decode(event.getData()).outcome() != KillOutcome.PENDING) {
                    Long t0 = sentAt.remove(id);
                    if (t0 != null) {
                        out.add(System.nanoTime() - t0);
                    }
                }
            }).forPath(path);
        } catch (IllegalStateException closing) {
            // the observer is closing at the end of the run
        } catch (Exception ex) {
            System.err.println("watch failed: " + ex);
        }
    }

    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static KillRecord record(RecordIds ids, String node) {
        Instant now = Instant.now();
        return new KillRecord(ids.next(now), now, node, "shop", 4242, 99, "app", "10.0.0.7:51234", "shop", "Query",
                "Sending data", 31_000, 45_000, 0, "long-select", KillAction.KILL_QUERY, KillOutcome.PENDING, null,
                "select o.id, o.total, c.name from orders o join customers c on c.id = o.customer_id where o.status = ?"
                        + " and o.created_at < ? order by o.created_at limit ?",
                "9f2c4e1a7b3d5f60", null, Map.of("application", "checkout", "route", "/orders"), false);
    }

    private static JournalOptions options(String node, Path spool) {
        return new JournalOptions(node, Duration.ofDays(30), 1_000_000, Duration.ofMillis(200), spool.resolve(node));
    }

    private static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(15_000)
                .connectionTimeoutMs(5_000).retryPolicy(new ExponentialBackoffRetry(100, 3)).build();
        c.start();
        c.blockUntilConnected();
        return c;
    }
}
