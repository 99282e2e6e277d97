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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one {@link ZkJournal} against a 3-server ensemble (separate processes when {@code -Dqs.bench.zk} names
 * them, else an in-process curator-test TestingCluster).
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
    /** The run's figures as one JSON line (the last line of the output; bench/run-all's report reads it). */
    private static final StringBuilder JSON = new StringBuilder();

    private static void json(String key, Object value) {
        JSON.append(JSON.isEmpty() ? "{\"bench\":\"journal\"" : "").append(",\"").append(key).append("\":").append(value);
    }

    private static String ms(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "20");
        int rate = Integer.parseInt(args.length > 1 ? args[1] : "2000");
        int threads = Integer.parseInt(args.length > 2 ? args[2] : "8");
        Path spool = Files.createTempDirectory("qs-journal-bench");
        String external = System.getProperty("qs.bench.zk");
        TestingCluster cluster = null;
        String connect = external;
        if (external == null) {
            cluster = new TestingCluster(3);
            cluster.start();
            connect = cluster.getConnectString();
        }
        try (CuratorFramework writer = client(connect);
             CuratorFramework observer = client(connect)) {
            System.out.printf("ensemble: 3 servers (%s), %d cores, bench JVM %s%n",
                    external == null ? "curator-test TestingCluster in the bench JVM" : "separate QuorumPeerMain processes",
                    Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            json("ensemble", external == null ? "\"inprocess\"" : "\"processes\"");
            json("cores", Runtime.getRuntime().availableProcessors());
            warmUp(writer, spool);
            sustained(writer, observer, spool, seconds, rate, threads);
            saturation(writer, spool, Math.max(5, seconds / 2));
            System.out.println(JSON.append('}'));
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            deleteTree(spool); // the bench leaves nothing behind (bench/run-all runs it more than once)
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * {@code threads} killers (think: one watcher per database) at {@code rate / threads} kills/s each, open
     * loop: a killer that fell behind catches up without waiting. Each kill awaits its intent (write-ahead),
     * as the daemon's kill path does, then queues the final record.
     */
    private static void sustained(CuratorFramework writer, CuratorFramework observer, Path spool, int seconds, int rate,
                                  int threads) throws Exception {
        Map<String, Long> finalSentAt = new ConcurrentHashMap<>();
        List<Long> latenciesNanos = new CopyOnWriteArrayList<>();
        List<Long> intentNanos = Collections.synchronizedList(new ArrayList<>());
        AtomicLong kills = new AtomicLong();
        AtomicInteger maxDepth = new AtomicInteger();
        try (ZkJournal journal = new ZkJournal(writer, options("bench-a", spool), Clock.systemUTC())) {
            journal.start();
            RecordIds ids = new RecordIds("bench-a");
            long periodNanos = 1_000_000_000L * threads / rate;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            List<Thread> killers = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                long offset = periodNanos * k / threads;
                killers.add(Thread.ofPlatform().name("killer-" + k).start(() -> {
                    long next = start + offset;
                    long n = 0;
                    while (next < end) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        KillRecord intent = record(ids, "bench-a");
                        KillRecord fin = intent.complete(KillOutcome.KILLED, null, Instant.now());
                        boolean sampled = n++ % 10 == 0;
                        try {
                            if (sampled) {
                                watchUntilFinal(observer, intent.id(), finalSentAt, latenciesNanos);
                            }
                        } catch (Exception e) {
                            System.err.println("watch failed: " + e);
                        }
                        long t0 = System.nanoTime();
                        journal.beforeKill(intent);
                        long t1 = System.nanoTime();
                        intentNanos.add(t1 - t0);
                        if (sampled) {
                            finalSentAt.put(intent.id(), System.nanoTime());
                        }
                        journal.onRecord(fin);
                        kills.incrementAndGet();
                        maxDepth.accumulateAndGet(journal.queueDepth(), Math::max);
                        next += periodNanos;
                    }
                }));
            }
            for (int t = 1; t <= seconds; t++) {
                Thread.sleep(Math.max(0, start + t * 1_000_000_000L - System.nanoTime()) / 1_000_000);
                System.out.printf("  t=%2ds kills %d, queue depth %d, spooled %d%n", t, kills.get(), journal.queueDepth(),
                        journal.spooledCount());
            }
            for (Thread k : killers) {
                k.join();
            }
            long offeredEnd = System.nanoTime();
            while (journal.queueDepth() > 0 || journal.hasSpooled()) {
                Thread.sleep(5);
            }
            long drained = System.nanoTime();
            Thread.sleep(500); // let the last watches fire
            double secs = (drained - start) / 1e9;
            long k = kills.get();
            System.out.printf("sustained: offered %d kills/s by %d killers for %d s -> %d kills (%d znode writes) in %.2f s"
                            + " = %.0f kills/s, %.0f writes/s; queue max depth %d; drained %.0f ms after the last kill;"
                            + " spooled %d, late intents %d%n",
                    rate, threads, seconds, k, 2L * k, secs, k / secs, 2 * k / secs, maxDepth.get(),
                    (drained - offeredEnd) / 1e6, journal.spooledCount(), journal.lateIntentCount());
            List<Long> w = new ArrayList<>(intentNanos);
            Collections.sort(w);
            System.out.printf("intent wait in beforeKill (the kill path's cost), %d kills: p50 %.1f ms, p90 %.1f ms,"
                            + " p99 %.1f ms, max %.1f ms%n",
                    w.size(), pct(w, 50), pct(w, 90), pct(w, 99), w.isEmpty() ? 0 : w.get(w.size() - 1) / 1e6);
            json("offered_kills_per_s", rate);
            json("seconds", seconds);
            json("kills_per_s", ms(k / secs));
            json("writes_per_s", ms(2 * k / secs));
            json("spooled", journal.spooledCount());
            json("late_intents", journal.lateIntentCount());
            json("intent_wait_ms", "{\"p50\":" + ms(pct(w, 50)) + ",\"p90\":" + ms(pct(w, 90)) + ",\"p99\":" + ms(pct(w, 99))
                    + ",\"max\":" + ms(w.isEmpty() ? 0 : w.get(w.size() - 1) / 1e6) + "}");
            List<Long> l = new ArrayList<>(latenciesNanos);
            Collections.sort(l);
            System.out.printf("kill-to-record latency (onRecord -> final record visible to another session),"
                            + " %d samples: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    l.size(), pct(l, 50), pct(l, 90), pct(l, 99), l.isEmpty() ? 0 : l.get(l.size() - 1) / 1e6);
            json("kill_to_record_ms", "{\"samples\":" + l.size() + ",\"p50\":" + ms(pct(l, 50)) + ",\"p90\":" + ms(pct(l, 90))
                    + ",\"p99\":" + ms(pct(l, 99)) + ",\"max\":" + ms(l.isEmpty() ? 0 : l.get(l.size() - 1) / 1e6) + "}");
        }
    }

    /** JIT and ZooKeeper connections warm, not measured. */
    private static void warmUp(CuratorFramework writer, Path spool) throws Exception {
        try (ZkJournal journal = new ZkJournal(writer, options("bench-warm", spool), Clock.systemUTC())) {
            journal.start();
            closedLoop(journal, "bench-warm", 8, 5);
        }
    }

    /** As fast as 16 killers go, each awaiting its intent: the ceiling. */
    private static void saturation(CuratorFramework writer, Path spool, int seconds) throws Exception {
        try (ZkJournal journal = new ZkJournal(writer, options("bench-b", spool), Clock.systemUTC())) {
            journal.start();
            long start = System.nanoTime();
            long kills = closedLoop(journal, "bench-b", 16, seconds);
            while (journal.queueDepth() > 0 || journal.hasSpooled()) {
                Thread.sleep(5);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("saturation (16 killers, closed loop): %d kills (%d writes) in %.2f s = %.0f kills/s,"
                            + " %.0f writes/s, spooled %d, late intents %d%n",
                    kills, 2 * kills, secs, kills / secs, 2 * kills / secs, journal.spooledCount(), journal.lateIntentCount());
            json("ceiling_kills_per_s", ms(kills / secs));
        }
    }

    private static long closedLoop(ZkJournal journal, String node, int threads, int seconds) throws InterruptedException {
        RecordIds ids = new RecordIds(node);
        AtomicLong kills = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> killers = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            killers.add(Thread.ofPlatform().name(node + "-" + k).start(() -> {
                while (System.nanoTime() < end) {
                    if (journal.queueDepth() > 5_000) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    KillRecord intent = record(ids, node);
                    journal.beforeKill(intent);
                    journal.onRecord(intent.complete(KillOutcome.KILLED, null, Instant.now()));
                    kills.incrementAndGet();
                }
            }));
        }
        for (Thread t : killers) {
            t.join();
        }
        return kills.get();
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
