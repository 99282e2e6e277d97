package io.querysniper.journal;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * How much ZooKeeper heap one journal record takes: writes N final records through the journal to an
 * in-process ZooKeeper, measures the heap after a full GC, deletes the records, measures again; the
 * difference over N is the server's memory per record (node, path, data, stat, parent's child entry).
 * {@code ZkMemoryPerRecordMain [records=100000]}; run by {@code bench/journal-disk/run.sh}.
 */
public final class ZkMemoryPerRecordMain {
    private ZkMemoryPerRecordMain() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path tmp = Files.createTempDirectory("qs-zk-mem");
        try (TestingServer server = new TestingServer(-1, tmp.resolve("zk").toFile(), true);
             CuratorFramework c = Records.client(server.getConnectString(), "qs")) {
            RecordIds ids = new RecordIds("n1");
            Instant t0 = Instant.now().minus(Duration.ofHours(2));
            long jsonBytes = 0;
            try (ZkJournal j = new ZkJournal(c, new JournalOptions("n1", Duration.ofDays(30), 10_000_000,
                    Duration.ofMillis(200), tmp.resolve("spool")), Clock.systemUTC())) {
                j.start();
                for (int i = 0; i < n; i++) {
                    // 50 kills a second over the last two hours: buckets fill as in a busy day.
                    KillRecord r = Records.killed(Records.intent(ids, t0.plusMillis(i * 20L), "n1", "shop", "r"));
                    jsonBytes += KillRecordCodec.encode(r).length;
                    j.onRecord(r);
                    while (j.queueDepth() > 5_000) {
                        Thread.sleep(5);
                    }
                }
                while (j.queueDepth() > 0 || j.hasSpooled()) {
                    Thread.sleep(50);
                }
            }
            long with = usedAfterGc();
            c.delete().deletingChildrenIfNeeded().forPath(JournalPaths.RECORDS);
            long without = usedAfterGc();
            System.out.printf("records=%d jsonBytesPerRecord=%d zkHeapBytesPerRecord=%d heapWith=%dMB heapWithout=%dMB%n",
                    n, jsonBytes / n, (with - without) / n, with >> 20, without >> 20);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }
}
