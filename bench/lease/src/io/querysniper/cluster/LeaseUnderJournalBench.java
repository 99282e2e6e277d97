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
 * {@link ZkJournal} on the same session writes {@code rate} records/s (half intents, half final records,
 * through the daemon's batch path for a storm: intents of a batch awaited together, finals queued together) and a
 * {@link RetentionPruner} deletes as fast as records arrive (retention capped at 2,000 records, pruning
 * every second). A sampler reads the lease age (how long ago the newest
 * answered heartbeat was sent) every millisecond: first idle, then under load. The lease runs out at T/4;
 * a p99 near it would mean heartbeats queue behind journal writes on the shared connection.
 * <p>
 * Args: [idle seconds=10] [load seconds=30] [records/s=2000] [kills per batch=10] [writer threads=4];
 * -Dqs.bench.zk=host:port,..
 */
public final class LeaseUnderJournalBench {

    public static void main(String[] args) throws Exception {
        int idle = Integer.parseInt(args.length > 0 ? args[0] : "10");
        int load = Integer.parseInt(args.length > 1 ? args[1] : "30");
        int rate = Integer.parseInt(args.length > 2 ? args[2] : "2000");
        int batch = Integer.parseInt(args.length > 3 ? args[3] : "10");
        int threads = Integer.parseInt(args.length > 4 ? args[4] : "4");
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
                long written0 = journal.writtenCount();
                long deleted0 = pruner.deletedCount();
                long t0 = System.nanoTime();
                List<Thread> writers = startWriters(journal, rate, batch, threads, run, kills);
                Samples s = sample(node, dbs, load, () -> { });
                run.set(false);
                double took = (System.nanoTime() - t0) / 1e9;
                long written = journal.writtenCount() - written0;
                long deleted = pruner.deletedCount() - deleted0;
                for (Thread t : writers) {
                    t.join();
                }
                System.out.printf("journal: offered %d records/s (%d writers, batches of %d kills); %d kills in %.1f s ="
                                + " %.0f records/s submitted, %.0f records/s written to ZooKeeper directly, spooled %d (replayed %d"
                                + " so far), late intents %d; pruner deleted %d (%.0f/s)%n", rate, threads, batch,
                        kills.get(), took, 2.0 * kills.get() / took, written / took, journal.spooledCount(),
                        journal.replayedCount(), journal.lateIntentCount(), deleted, deleted / took);
                report("journal " + rate + " records/s + pruner", s, leaseMs);
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

    /**
     * Kill storms as the daemon journals them: each writer, every period, takes a batch of {@code batch}
     * victims, awaits their intents together ({@code beforeKills}, as the dispatcher does for a batch) and
     * queues their final records together ({@code onRecords}). A writer that falls behind catches up
     * (the schedule is fixed), so the offered rate holds as long as the journal keeps up on average.
     */
    private static List<Thread> startWriters(ZkJournal journal, int recordsPerSecond, int batch, int threads,
                                             AtomicBoolean run, AtomicLong kills) {
        RecordIds ids = new RecordIds("bench");
        long batchesPerSecond = Math.max(1, recordsPerSecond / (2L * batch));
        long periodNanos = 1_000_000_000L * threads / batchesPerSecond;
        long start = System.nanoTime();
        List<Thread> writers = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            long offset = periodNanos * k / threads;
            writers.add(Thread.ofPlatform().name("writer-" + k).start(() -> {
                long next = start + offset;
                while (run.get()) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    Instant now = Instant.now();
                    List<KillRecord> intents = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        intents.add(new KillRecord(ids.next(now), now, "bench", "db01", 4242 + i, 99, "app",
                                "10.0.0.7:51234", "shop", "Query", "Sending data", 31_000, 45_000, 0, "long-select",
                                KillAction.KILL_QUERY, KillOutcome.PENDING, null,
                                "select o.id from orders o where o.status = ?", "9f2c4e1a7b3d5f60", null,
                                Map.of("application", "checkout"), false));
                    }
                    journal.beforeKills(intents);
                    Instant done = Instant.now();
                    List<KillRecord> finals = new ArrayList<>(batch);
                    for (KillRecord intent : intents) {
                        finals.add(intent.complete(KillOutcome.KILLED, null, done));
                    }
                    journal.onRecords(finals);
                    kills.addAndGet(batch);
                    next += periodNanos;
                }
            }));
        }
        return writers;
    }
}
