package io.querysniper.cluster;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.journal.JournalOptions;
import io.querysniper.journal.RetentionPruner;
import io.querysniper.journal.ZkJournal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The lease under journal load: one {@link ClusterNode} (session T) owns its databases while a
 * {@link ZkJournal} on the same session writes {@code rate} kills/s (each an intent and a final record,
 * as the daemon does) and a {@link RetentionPruner} deletes as fast as records arrive (retention capped
 * at {@code maxRecords}, pruning every second). A sampler reads the lease age (how long ago the newest
 * answered heartbeat was sent) every millisecond: first idle, then under load. The lease runs out at T/4;
 * a p99 near it would mean heartbeats queue behind journal writes on the shared connection.
 * <p>
 * Args: [idle seconds=10] [load seconds=30] [kills/s=2000] [killer threads=8]; -Dqs.bench.zk=host:port,..
 */
public final class LeaseUnderJournalBench {

    public static void main(String[] args) throws Exception {
        int idle = Integer.parseInt(args.length > 0 ? args[0] : "10");
        int load = Integer.parseInt(args.length > 1 ? args[1] : "30");
        int rate = Integer.parseInt(args.length > 2 ? args[2] : "2000");
        int threads = Integer.parseInt(args.length > 3 ? args[3] : "8");
        String connect = System.getProperty("qs.bench.zk");
        Path spool = Files.createTempDirectory("qs-lease-bench");
        List<String> dbs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            dbs.add(String.format("db%02d", i));
        }
        ClusterOptions options = ClusterOptions.defaults(connect, null);
        try (ClusterNode node = new ClusterNode(options, new NodeInfo("bench", "bench", "bench", "cfg"), dbs,
                Clock.systemUTC())) {
            node.start();
            while (!dbs.stream().allMatch(node::mayKill)) {
                Thread.sleep(10);
            }
            long leaseMs = node.leaseNanos() / 1_000_000;
            System.out.printf("session %d ms (negotiated), lease T/4 = %d ms, heartbeat every T/10 = %d ms, %d databases,"
                            + " %d cores%n", leaseMs * 4, leaseMs, leaseMs * 4 / 10, dbs.size(),
                    Runtime.getRuntime().availableProcessors());
            report("idle", sample(node, dbs, idle, () -> { }), leaseMs);
            JournalOptions jo = new JournalOptions("bench", Duration.ofDays(30), 2_000, Duration.ofMillis(200),
                    spool.resolve("bench"));
            try (RetentionPruner pruner = new RetentionPruner(node.client(), jo, Clock.systemUTC(), Duration.ofSeconds(1));
                 ZkJournal journal = new ZkJournal(node.client(), jo, Clock.systemUTC())) {
                pruner.start();
                journal.start();
                AtomicBoolean run = new AtomicBoolean(true);
                AtomicLong kills = new AtomicLong();
                List<Thread> killers = startKillers(journal, rate, threads, run, kills);
                Samples s = sample(node, dbs, load, () -> { });
                run.set(false);
                for (Thread t : killers) {
                    t.join();
                }
                System.out.printf("journal: %d kills in %d s = %.0f kills/s (%.0f records written/s), pruner deleted %d,"
                                + " spooled %d%n", kills.get(), load, kills.get() / (double) load,
                        2.0 * kills.get() / load, pruner.deletedCount(), journal.spooledCount());
                report("journal " + rate + " kills/s + pruner", s, leaseMs);
            }
        }
    }

    private record Samples(List<Long> ageNanos, long notKillable, long total) {
    }

    private static Samples sample(ClusterNode node, List<String> dbs, int seconds, Runnable unused) {
        List<Long> ages = new ArrayList<>();
        long notKillable = 0;
        long total = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            ages.add(node.leaseAgeNanos());
            if (!node.mayKill(dbs.get((int) (total % dbs.size())))) {
                notKillable++;
            }
            total++;
            LockSupport.parkNanos(1_000_000);
        }
        return new Samples(ages, notKillable, total);
    }

    private static void report(String phase, Samples s, long leaseMs) {
        List<Long> a = new ArrayList<>(s.ageNanos());
        Collections.sort(a);
        System.out.printf("%s: lease age over %d samples: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms"
                        + " (lease %d ms: p99 at %.0f%%); mayKill false in %d of %d looks%n",
                phase, a.size(), pct(a, 50), pct(a, 90), pct(a, 99), pct(a, 99.9), a.get(a.size() - 1) / 1e6, leaseMs,
                100 * pct(a, 99) / leaseMs, s.notKillable(), s.total());
    }

    private static double pct(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static List<Thread> startKillers(ZkJournal journal, int rate, int threads, AtomicBoolean run, AtomicLong kills) {
        RecordIds ids = new RecordIds("bench");
        long periodNanos = 1_000_000_000L * threads / rate;
        long start = System.nanoTime();
        List<Thread> killers = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            long offset = periodNanos * k / threads;
            killers.add(Thread.ofPlatform().name("killer-" + k).start(() -> {
                long next = start + offset;
                while (run.get()) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    Instant now = Instant.now();
                    KillRecord intent = new KillRecord(ids.next(now), now, "bench", "db01", 4242, 99, "app",
                            "10.0.0.7:51234", "shop", "Query", "Sending data", 31_000, 45_000, 0, "long-select",
                            KillAction.KILL_QUERY, KillOutcome.PENDING, null, "select o.id from orders o where o.status = ?",
                            "9f2c4e1a7b3d5f60", null, Map.of("application", "checkout"), false);
                    journal.beforeKill(intent);
                    journal.onRecord(intent.complete(KillOutcome.KILLED, null, Instant.now()));
                    kills.incrementAndGet();
                    next += periodNanos;
                }
            }));
        }
        return killers;
    }
}
