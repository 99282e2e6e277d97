package io.querysniper.journal;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** ZkJournal and JournalReader against a real ZooKeeper server; each test has its own namespace. */
class ZkJournalIT {
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static final Duration WAIT = Timing.seconds(10);

    @TempDir
    Path tmp;

    private static String ns(TestInfo info) {
        return "qs-" + info.getTestMethod().orElseThrow().getName();
    }

    private ZkJournal journal(CuratorFramework client, String node) {
        return journal(client, node, Duration.ofMillis(200));
    }

    private ZkJournal journal(CuratorFramework client, String node, Duration writeTimeout) {
        ZkJournal j = new ZkJournal(client, new JournalOptions(node, Duration.ofDays(30), 1_000_000,
                writeTimeout, tmp.resolve(node)), Clock.systemUTC());
        j.start();
        return j;
    }

    /**
     * Waits until the journal has put all {@code records} into ZooKeeper. What a busy machine keeps waiting
     * past a bound goes to the spool and is replayed later; closing before that would leave it in the spool.
     */
    private static void awaitInZooKeeper(ZkJournal j, long records) {
        await().atMost(WAIT).until(() -> j.queueDepth() == 0 && !j.hasSpooled()
                && j.writtenCount() + j.replayedCount() >= records);
    }

    @Test
    void threeNodesWritingConcurrentlyGiveUniqueIdsInTimeOrder(TestInfo info) throws Exception {
        int perNode = 300;
        List<CuratorFramework> clients = new ArrayList<>();
        List<ZkJournal> journals = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            String node = "node" + n;
            CuratorFramework c = Records.client(ZK.connectString(), ns(info));
            ZkJournal j = journal(c, node);
            clients.add(c);
            journals.add(j);
            RecordIds ids = new RecordIds(node);
            threads.add(Thread.ofPlatform().name("killer-" + node).start(() -> {
                for (int i = 0; i < perNode; i++) {
                    KillRecord intent = Records.intent(ids, Instant.now(), node, "db" + (i % 4), "rule");
                    j.beforeKill(intent);
                    j.onRecord(Records.killed(intent));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        journals.forEach(j -> awaitInZooKeeper(j, 2L * perNode));
        journals.forEach(ZkJournal::close);

        try (CuratorFramework reader = Records.client(ZK.connectString(), ns(info))) {
            List<KillRecord> all = new JournalReader(reader).read(JournalQuery.all());
            assertThat(all).hasSize(3 * perNode);
            assertThat(all).extracting(KillRecord::id).doesNotHaveDuplicates().isSorted();
            assertThat(all).extracting(r -> JournalPaths.idTime(r.id(), null)).isSorted();
            assertThat(all).extracting(KillRecord::outcome).containsOnly(KillOutcome.KILLED);
            assertThat(all).extracting(KillRecord::node).containsOnly("node1", "node2", "node3");
        } finally {
            clients.forEach(CuratorFramework::close);
        }
    }

    @Test
    void intentWithoutFinalRecordReadsAsOutcomeUnknown(TestInfo info) {
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info))) {
            RecordIds ids = new RecordIds("n1");
            KillRecord done = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            KillRecord crashed = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            try (ZkJournal j = journal(c, "n1")) {
                j.beforeKill(done);
                j.onRecord(Records.killed(done));
                j.beforeKill(crashed);
                // the node dies here: no final record for "crashed"
                awaitInZooKeeper(j, 3);
            }
            List<KillRecord> all = new JournalReader(c).read(JournalQuery.all());
            assertThat(all).extracting(KillRecord::outcome).containsExactly(KillOutcome.KILLED, KillOutcome.PENDING);
            assertThat(JournalFormat.tableRow(all.get(1), 40)).contains(JournalFormat.OUTCOME_UNKNOWN);
        }
    }

    @Test
    void intentIsInZooKeeperWhenBeforeKillReturns(TestInfo info) throws Exception {
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info));
             CuratorFramework other = Records.client(ZK.connectString(), ns(info));
             // A write bound far above any ZooKeeper answer here, so beforeKill returns on the acknowledgement:
             // this test is about that acknowledgement, not about the bound (JournalOutageIT is).
             ZkJournal j = journal(c, "n1", Timing.seconds(5))) {
            RecordIds ids = new RecordIds("n1");
            for (int i = 0; i < 20; i++) {
                KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
                j.beforeKill(intent);
                // no wait: write-ahead means durable before the KILL is sent, and read by another session
                byte[] data = other.getData().forPath(JournalPaths.recordPath(intent.id(), null));
                assertThat(KillRecordCodec.decode(data).outcome()).isEqualTo(KillOutcome.PENDING);
                j.onRecord(Records.killed(intent));
            }
            assertThat(j.lateIntentCount()).isZero();
        }
    }

    @Test
    void replayedIntentNeverOverwritesItsFinalRecord(TestInfo info) {
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info))) {
            KillRecord intent = Records.intent(new RecordIds("n1"), Instant.now(), "n1", "shop", "r");
            try (ZkJournal j = journal(c, "n1")) {
                j.beforeKill(intent);
                j.onRecord(Records.killed(intent));
                j.beforeKill(intent); // as an out-of-order replay would
                j.onRecord(Records.killed(intent));
                awaitInZooKeeper(j, 4);
            }
            assertThat(new JournalReader(c).read(JournalQuery.all()))
                    .singleElement().extracting(KillRecord::outcome).isEqualTo(KillOutcome.KILLED);
        }
    }

    @Test
    void spoolLeftByACrashedDaemonIsReplayedOnStart(TestInfo info) throws Exception {
        RecordIds ids = new RecordIds("n1");
        List<KillRecord> spooled = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            spooled.add(intent);
            spooled.add(Records.killed(intent));
        }
        KillRecord unfinished = Records.intent(ids, Instant.now(), "n1", "shop", "r");
        spooled.add(unfinished);
        // What a daemon that lost ZooKeeper and then died leaves behind, with a half-written last line.
        Spool spool = new Spool(tmp.resolve("n1"), "n1");
        spool.append(spooled);
        spool.close();
        Files.writeString(spool.file(), "{\"id\":\"17", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info))) {
            try (ZkJournal j = journal(c, "n1")) {
                KillRecord after = Records.intent(ids, Instant.now(), "n1", "shop", "r");
                j.onRecord(Records.killed(after)); // goes behind the spool, in order
                await().atMost(Timing.seconds(20)).until(() -> !j.hasSpooled() && j.queueDepth() == 0);
                assertThat(j.replayedCount()).isGreaterThanOrEqualTo(spooled.size());
            }
            List<KillRecord> all = new JournalReader(c).read(JournalQuery.all());
            assertThat(all).hasSize(22).extracting(KillRecord::id).doesNotHaveDuplicates();
            assertThat(all.subList(0, 20)).extracting(KillRecord::outcome).containsOnly(KillOutcome.KILLED);
            assertThat(all.get(20).outcome()).isEqualTo(KillOutcome.PENDING);
            assertThat(all.get(20).id()).isEqualTo(unfinished.id());
        }
    }

    @Test
    void readerFiltersByTimeDatabaseAndRule(TestInfo info) {
        Instant base = Instant.parse("2025-06-01T22:30:00Z");
        RecordIds ids = new RecordIds("n1");
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info))) {
            try (ZkJournal j = journal(c, "n1")) {
                for (int h = 0; h < 6; h++) { // spans two days and six hour buckets
                    Instant t = base.plus(Duration.ofHours(h));
                    j.onRecord(Records.killed(Records.intent(ids, t, "n1", "shop", "long-select")));
                    j.onRecord(Records.killed(Records.intent(ids, t.plusSeconds(1), "n1", "billing", "idle-tx")));
                }
                awaitInZooKeeper(j, 12);
            }
            JournalReader reader = new JournalReader(c);
            assertThat(reader.read(JournalQuery.all())).hasSize(12);
            assertThat(reader.read(new JournalQuery(null, null, "shop", null))).hasSize(6)
                    .extracting(KillRecord::database).containsOnly("shop");
            assertThat(reader.read(new JournalQuery(null, null, null, "idle-tx"))).hasSize(6)
                    .extracting(KillRecord::rule).containsOnly("idle-tx");
            List<KillRecord> window = reader.read(new JournalQuery(base.plus(Duration.ofHours(1)),
                    base.plus(Duration.ofHours(3)), "billing", "idle-tx"));
            assertThat(window).hasSize(2).extracting(r -> JournalPaths.idTime(r.id(), null))
                    .containsExactly(base.plus(Duration.ofHours(1)).plusSeconds(1),
                            base.plus(Duration.ofHours(2)).plusSeconds(1));
            assertThat(reader.read(new JournalQuery(base.plus(Duration.ofDays(2)), null, null, null))).isEmpty();
        }
    }

    @Test
    void followSeesNewRecordsAndOutcomeUpdatesOfIntents(TestInfo info) throws Exception {
        RecordIds ids = new RecordIds("n1");
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info));
             ZkJournal j = journal(c, "n1")) {
            KillRecord old = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            j.onRecord(Records.killed(old));
            await().atMost(WAIT).until(() -> j.queueDepth() == 0 && !j.hasSpooled() && j.writtenCount() + j.replayedCount() >= 1);

            List<KillRecord> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            JournalReader reader = new JournalReader(c, Clock.systemUTC(), Duration.ofMillis(50));
            Thread follower = Thread.ofPlatform().name("follower").start(() ->
                    reader.follow(new JournalQuery(null, null, "shop", null), seen::add, stop::get));
            try {
                await().atMost(WAIT).until(() -> seen.size() == 1);
                KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
                j.beforeKill(intent);
                j.onRecord(Records.killed(Records.intent(ids, Instant.now(), "n1", "other-db", "r")));
                await().atMost(WAIT).until(() -> seen.size() == 2);
                assertThat(seen.get(1).outcome()).isEqualTo(KillOutcome.PENDING);
                j.onRecord(Records.killed(intent));
                await().atMost(WAIT).until(() -> seen.size() == 3);
                assertThat(seen.get(2).id()).isEqualTo(intent.id());
                assertThat(seen.get(2).outcome()).isEqualTo(KillOutcome.KILLED);
                assertThat(seen).extracting(KillRecord::database).containsOnly("shop");
            } finally {
                stop.set(true);
                follower.join(Timing.seconds(5).toMillis());
            }
            assertThat(follower.isAlive()).isFalse();
        }
    }

    @Test
    void followSeesTheOutcomeOfAnIntentOlderThanItsLookback(TestInfo info) throws Exception {
        RecordIds ids = new RecordIds("n1");
        try (CuratorFramework c = Records.client(ZK.connectString(), ns(info));
             ZkJournal j = journal(c, "n1")) {
            KillRecord intent = Records.intent(ids, Instant.now(), "n1", "shop", "r");
            j.beforeKill(intent);

            List<KillRecord> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            // The follower's clock is two hours ahead: the intent is far outside the rescanned lookback.
            Clock later = Clock.offset(Clock.systemUTC(), JournalReader.FOLLOW_LOOKBACK.plusHours(1));
            JournalReader reader = new JournalReader(c, later, Duration.ofMillis(50));
            Thread follower = Thread.ofPlatform().name("follower").start(() ->
                    reader.follow(JournalQuery.all(), seen::add, stop::get));
            try {
                await().atMost(WAIT).until(() -> seen.size() == 1);
                assertThat(seen.get(0).outcome()).isEqualTo(KillOutcome.PENDING);
                j.onRecord(Records.killed(intent));
                await().atMost(WAIT).until(() -> seen.size() == 2);
                assertThat(seen.get(1).outcome()).isEqualTo(KillOutcome.KILLED);
            } finally {
                stop.set(true);
                follower.join(Timing.seconds(5).toMillis());
            }
        }
    }
}
