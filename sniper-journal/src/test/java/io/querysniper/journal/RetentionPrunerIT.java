package io.querysniper.journal;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two nodes run a pruner each; only the latch holder deletes. */
class RetentionPrunerIT {
    private static final Instant NOW = Instant.parse("2025-06-10T12:30:00Z");
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration WAIT = Timing.seconds(10);

    @TempDir
    Path tmp;

    private void write(CuratorFramework c, List<KillRecord> records) {
        try (ZkJournal j = new ZkJournal(c, JournalOptions.defaults("writer", tmp.resolve("spool")), Clock.systemUTC())) {
            j.start();
            records.forEach(j::onRecord);
            // what a busy machine keeps waiting past the bound is spooled and replayed; do not close before that
            await().atMost(WAIT).until(() -> j.queueDepth() == 0 && !j.hasSpooled()
                    && j.writtenCount() + j.replayedCount() >= records.size());
        }
    }

    private List<String> prune(TestInfo info, Duration retention, long maxRecords, long expectedLeft) {
        String ns = "qs-" + info.getTestMethod().orElseThrow().getName();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        try (CuratorFramework c1 = Records.client(ZK.connectString(), ns);
             CuratorFramework c2 = Records.client(ZK.connectString(), ns);
             RetentionPruner p1 = new RetentionPruner(c1, new JournalOptions("p1", retention, maxRecords,
                     Duration.ofMillis(200), tmp), clock, Duration.ofMillis(100));
             RetentionPruner p2 = new RetentionPruner(c2, new JournalOptions("p2", retention, maxRecords,
                     Duration.ofMillis(200), tmp), clock, Duration.ofMillis(100))) {
            p1.start();
            p2.start();
            JournalReader reader = new JournalReader(c1);
            await().atMost(Timing.seconds(20)).until(() -> reader.read(JournalQuery.all()).size() == expectedLeft);
            assertThat(p1.isLeader() ^ p2.isLeader()).isTrue();
            assertThat(List.of(p1.deletedCount(), p2.deletedCount())).containsOnlyOnce(0L);
            return reader.read(JournalQuery.all()).stream().map(KillRecord::id).toList();
        }
    }

    @Test
    void recordsOlderThanRetentionGoWithTheirBuckets(TestInfo info) throws Exception {
        String ns = "qs-" + info.getTestMethod().orElseThrow().getName();
        RecordIds ids = new RecordIds("n1");
        List<KillRecord> records = new ArrayList<>();
        List<String> recent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(Records.killed(Records.intent(ids, NOW.minus(Duration.ofDays(3)).plusSeconds(i), "n1", "shop", "r")));
            records.add(Records.killed(Records.intent(ids, NOW.minus(Duration.ofDays(2)).plusSeconds(i), "n1", "shop", "r")));
            KillRecord fresh = Records.killed(Records.intent(ids, NOW.minus(Duration.ofHours(3)).plusSeconds(i), "n1", "shop", "r"));
            records.add(fresh);
            recent.add(fresh.id());
        }
        try (CuratorFramework c = Records.client(ZK.connectString(), ns)) {
            write(c, records);
            assertThat(new JournalReader(c).read(JournalQuery.all())).hasSize(30);
            assertThat(prune(info, Duration.ofDays(1), 1_000_000, 10)).containsExactlyElementsOf(recent);
            // the old day buckets are gone too, not just emptied
            await().atMost(WAIT).until(() -> c.getChildren().forPath(JournalPaths.RECORDS).size() == 1);
        }
    }

    @Test
    void recordsBeyondMaxCountGoOldestFirst(TestInfo info) {
        String ns = "qs-" + info.getTestMethod().orElseThrow().getName();
        RecordIds ids = new RecordIds("n1");
        List<KillRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 40 records over ~7 hours, several buckets
            records.add(Records.killed(Records.intent(ids, NOW.minus(Duration.ofMinutes(10L * (40 - i))), "n1", "shop", "r")));
        }
        try (CuratorFramework c = Records.client(ZK.connectString(), ns)) {
            write(c, records);
            List<String> left = prune(info, Duration.ofDays(30), 15, 15);
            assertThat(left).containsExactlyElementsOf(records.subList(25, 40).stream().map(KillRecord::id).toList());
        }
    }
}
