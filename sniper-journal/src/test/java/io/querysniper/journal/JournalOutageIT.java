package io.querysniper.journal;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ZooKeeper goes away while kills happen. The long outage lasts 30 s as issue 5 asks; set
 * {@code -Dqs.journal.outage=5s} to shorten it locally.
 */
class JournalOutageIT {
    private static final Duration OUTAGE = Duration.parse("PT" + System.getProperty("qs.journal.outage", "30s").toUpperCase());
    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(200);
    private static final Duration WAIT = Timing.seconds(10);

    @TempDir
    Path tmp;
    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private ZkJournal journal(CuratorFramework client) {
        ZkJournal j = new ZkJournal(client, new JournalOptions("n1", Duration.ofDays(30), 1_000_000, WRITE_TIMEOUT,
                tmp.resolve("spool")), Clock.systemUTC());
        j.start();
        return j;
    }

    @Test
    void ensembleDownWhileKillingLosesNothingAndNeverBlocksTheKillPath() throws Exception {
        RecordIds ids = new RecordIds("n1");
        List<String> written = new ArrayList<>();
        long slowestNanos = 0;
        try (CuratorFramework c = Records.client(zk.connectString(), "qs");
             ZkJournal j = journal(c)) {
            for (int i = 0; i < 50; i++) {
                slowestNanos = Math.max(slowestNanos, kill(j, ids, written));
            }
            await().atMost(WAIT).until(() -> j.queueDepth() == 0 && !j.hasSpooled() && j.writtenCount() + j.replayedCount() >= 100);

            zk.server().stop();
            long until = System.nanoTime() + OUTAGE.toNanos();
            int duringOutage = 0;
            while (System.nanoTime() < until) {
                slowestNanos = Math.max(slowestNanos, kill(j, ids, written));
                duringOutage++;
                Thread.sleep(20); // ~50 kills/s: a busy day for a sniper
            }
            assertThat(j.spooledCount()).isGreaterThan(0);
            zk.server().restart();

            await().atMost(Timing.seconds(60)).until(() -> !j.hasSpooled() && j.queueDepth() == 0);
            List<KillRecord> all = new JournalReader(c).read(JournalQuery.all());
            assertThat(all).extracting(KillRecord::id).containsExactlyElementsOf(written);
            assertThat(all).extracting(KillRecord::outcome).containsOnly(KillOutcome.KILLED);
            assertThat(duringOutage).isGreaterThan(10);
            assertThat(j.lostCount()).isZero();
        }
        // The kill path waits at most writeTimeout for its intent; the margin (shared CPU, GC) scales.
        assertThat(Duration.ofNanos(slowestNanos)).as(Timing.describe()).isLessThan(WRITE_TIMEOUT.plus(Timing.millis(300)));
    }

    @Test
    void intentIsFsyncedToTheSpoolWhenBeforeKillReturnsWhileZooKeeperIsDown() throws Exception {
        RecordIds ids = new RecordIds("n1");
        try (CuratorFramework c = Records.client(zk.connectString(), "qs");
             ZkJournal j = journal(c)) {
            zk.server().stop();
            await().atMost(WAIT).until(() -> !c.getZookeeperClient().isConnected());
            KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            long t0 = System.nanoTime();
            j.beforeKill(intent);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(Timing.describe())
                    .isLessThan(WRITE_TIMEOUT.plus(Timing.millis(100)));
            // What a kill -9 right now would leave behind: the intent, on disk.
            assertThat(Files.readString(tmp.resolve("spool").resolve("journal-spool-n1.jsonl"))).contains(intent.id());
            assertThat(j.lateIntentCount()).isZero();
        }
    }

    @Test
    void recordsSpooledWhenTheDaemonStopsAreReplayedByTheNextStart() throws Exception {
        RecordIds ids = new RecordIds("n1");
        List<String> written = new ArrayList<>();
        String connect = zk.connectString();
        try (CuratorFramework c = Records.client(connect, "qs")) {
            ZkJournal j = journal(c);
            zk.server().stop();
            await().atMost(WAIT).until(() -> !c.getZookeeperClient().isConnected());
            for (int i = 0; i < 30; i++) {
                kill(j, ids, written);
            }
            j.close(); // ZooKeeper still down: everything ends in the spool, nothing is replayed
            assertThat(j.hasSpooled()).isTrue();
            assertThat(j.writtenCount()).isZero();
        }
        zk.server().restart();
        try (CuratorFramework c = Records.client(connect, "qs");
             ZkJournal next = journal(c)) {
            await().atMost(Timing.seconds(30)).until(() -> !next.hasSpooled());
            List<KillRecord> all = new JournalReader(c).read(JournalQuery.all());
            assertThat(all).extracting(KillRecord::id).containsExactlyElementsOf(written);
            assertThat(all).extracting(KillRecord::outcome).containsOnly(KillOutcome.KILLED);
        }
    }

    /** Intent then final, as the watcher does; returns the longest time the kill path spent in the journal. */
    private static long kill(ZkJournal j, RecordIds ids, List<String> written) {
        KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
        long t0 = System.nanoTime();
        j.beforeKill(intent);
        long t1 = System.nanoTime();
        j.onRecord(Records.killed(intent));
        long t2 = System.nanoTime();
        written.add(intent.id());
        return Math.max(t1 - t0, t2 - t1);
    }
}
