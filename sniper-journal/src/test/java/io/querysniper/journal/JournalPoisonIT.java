package io.querysniper.journal;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooDefs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A record ZooKeeper refuses for good (here: its bucket's ACL lets nobody create in it, as after an ACL
 * change or a password rotation) must not hold back the records behind it: it goes to the quarantine file,
 * is counted, and the replay goes on.
 */
class JournalPoisonIT {
    @TempDir
    Path tmp;
    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    @Test
    void aRecordRefusedForGoodIsQuarantinedAndTheReplayGoesOn() throws Exception {
        RecordIds ids = new RecordIds("n1");
        Instant base = Instant.now().minusSeconds(60);
        KillRecord before = Records.intent(ids, base, "n1", "shop", "r");
        KillRecord poison = Records.intent(ids, base.plusSeconds(2), "n1", "shop", "r");
        KillRecord after = Records.intent(ids, base.plusSeconds(4), "n1", "shop", "r");
        Path spoolDir = tmp.resolve("spool");
        // What a node left behind while ZooKeeper was away: three records, the middle one now unwritable.
        Spool left = new Spool(spoolDir, "n1");
        left.append(List.of(before, poison, after, Records.killed(after)));
        left.close();

        try (CuratorFramework c = Records.client(zk.connectString(), "qs")) {
            c.create().creatingParentsIfNeeded().withACL(ZooDefs.Ids.READ_ACL_UNSAFE)
                    .forPath(JournalPaths.bucketPath(poison.time()));
            try (ZkJournal j = new ZkJournal(c, new JournalOptions("n1", Duration.ofDays(30), 1_000_000,
                    Duration.ofMillis(200), spoolDir), Clock.systemUTC())) {
                j.start();
                await().atMost(Timing.seconds(20)).until(() -> !j.hasSpooled());
                assertThat(j.quarantinedCount()).isEqualTo(1);
            }
            assertThat(new JournalReader(c).read(JournalQuery.all())).extracting(KillRecord::id)
                    .containsExactly(before.id(), after.id());
        }
        List<String> quarantined = Files.readAllLines(spoolDir.resolve("journal-quarantine-n1.jsonl"));
        assertThat(quarantined).singleElement().satisfies(line ->
                assertThat(KillRecordCodec.decode(line).id()).isEqualTo(poison.id()));
    }

    /** ZooKeeper away and the spool full (journal.spool-max-size): what does not fit is dropped and counted. */
    @Test
    void aFullSpoolDropsAndCountsWhatDoesNotFit() throws Exception {
        RecordIds ids = new RecordIds("n1");
        Path spoolDir = tmp.resolve("spool");
        long cap = 64 * 1024;
        try (CuratorFramework c = Records.client(zk.connectString(), "qs")) {
            zk.server().stop();
            await().atMost(Timing.seconds(20)).until(() -> !c.getZookeeperClient().isConnected());
            try (ZkJournal j = new ZkJournal(c, new JournalOptions("n1", Duration.ofDays(30), 1_000,
                    Duration.ofMillis(200), spoolDir, cap), Clock.systemUTC())) {
                j.start();
                for (int i = 0; i < 400; i++) { // ~180 KB of records
                    j.beforeKill(Records.intent(ids, Instant.now(), "n1", "shop", "r"));
                }
                await().atMost(Timing.seconds(20)).until(() -> j.queueDepth() == 0);
                assertThat(j.droppedCount()).isPositive();
                assertThat(j.spooledCount() + j.droppedCount()).isEqualTo(400);
                assertThat(j.lostCount()).isZero();
            }
        }
        assertThat(Files.size(spoolDir.resolve("journal-spool-n1.jsonl"))).isLessThanOrEqualTo(cap);
    }
}
