package io.querysniper.journal;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The write-ahead of a batch: the intents of one look's victims are queued together, so the writer takes
 * them in one go, and the call returns once every one of them is durable (in ZooKeeper or in the spool).
 */
class ZkJournalBatchIT {
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @TempDir
    Path tmp;

    private ZkJournal journal(CuratorFramework client, Duration writeTimeout) {
        ZkJournal j = new ZkJournal(client, new JournalOptions("node1", Duration.ofDays(30), 1_000_000,
                writeTimeout, tmp.resolve("spool")), Clock.systemUTC());
        j.start();
        return j;
    }

    private static List<KillRecord> intents(int n) {
        RecordIds ids = new RecordIds("node1");
        List<KillRecord> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            out.add(Records.intent(ids, now, "node1", "db", "storm"));
        }
        return out;
    }

    @Test
    void armedKillsMakeTheirSecondsBucketAheadAndTheWarmUpLeavesNothingBehind() throws Exception {
        try (CuratorFramework c = Records.client(ZK.connectString(), "qs-ahead")) {
            ZkJournal j = journal(c, Duration.ofSeconds(5));
            try {
                Instant at = Instant.parse("2031-02-03T04:05:06.789Z"); // a second no record has touched
                String bucket = JournalPaths.bucketPath(at);
                assertThat(c.checkExists().forPath(bucket)).isNull();
                j.expectRecords(at);
                await().until(() -> c.checkExists().forPath(bucket) != null);
                // The warm-up's scratch nodes are deleted (and ephemeral): none is left, no record was written.
                await().until(() -> c.checkExists().forPath(JournalPaths.WARM_UP) != null
                        && c.getChildren().forPath(JournalPaths.WARM_UP).isEmpty());
                assertThat(new JournalReader(c).read(JournalQuery.all())).isEmpty();
            } finally {
                j.close();
            }
        }
    }

    @Test
    void aBatchOfIntentsIsDurableInZooKeeperWhenTheCallReturns() throws Exception {
        try (CuratorFramework c = Records.client(ZK.connectString(), "qs-batch")) {
            ZkJournal j = journal(c, Duration.ofSeconds(5));
            try {
                List<KillRecord> batch = intents(500);
                j.beforeKills(batch);
                // Read at once, no waiting: every intent is there the moment the write-ahead returns.
                List<KillRecord> all = new JournalReader(c).read(JournalQuery.all());
                assertThat(all).hasSize(500).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(KillOutcome.PENDING));
                assertThat(j.lateIntentCount()).isZero();
                j.onRecords(batch.stream().map(Records::killed).toList());
                await().until(() -> new JournalReader(c).read(JournalQuery.all()).stream()
                        .allMatch(r -> r.outcome() == KillOutcome.KILLED));
            } finally {
                j.close();
            }
        }
    }

    @Test
    void withZooKeeperAwayTheBatchGoesToTheSpoolAndIsDurableOnReturn() throws Exception {
        try (TestingServer lonely = new TestingServer(true);
             CuratorFramework c = Records.client(lonely.getConnectString(), "qs-batch-spool")) {
            ZkJournal j = journal(c, Duration.ofSeconds(10));
            try {
                lonely.stop();
                await().until(() -> !c.getZookeeperClient().isConnected());
                List<KillRecord> batch = intents(50);
                long start = System.nanoTime();
                j.beforeKills(batch);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                // Durable on return (spooled and fsynced), well before the bound: ZooKeeper is known to be away.
                assertThat(j.lateIntentCount()).as("late; took %s", took).isZero();
                assertThat(j.spooledCount()).isEqualTo(50);
                assertThat(j.hasSpooled()).isTrue();
            } finally {
                j.close();
            }
        }
    }
}
