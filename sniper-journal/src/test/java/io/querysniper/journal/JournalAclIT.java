package io.querysniper.journal;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code cluster.auth = digest} the journal writes through a client that authenticates and creates
 * creator-only nodes. Everything the journal and the pruner create (records, their buckets, the pruner
 * latch and its members) must carry that ACL, so another identity, authenticated or not, can neither read,
 * change, delete nor forge a record, nor join or break the pruner latch; another node with the fleet's
 * credentials reads everything.
 */
class JournalAclIT {
    private static final String SNIPER = "sniper:s3cret";
    private static final Duration WAIT = Timing.seconds(10);
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @TempDir
    Path tmp;

    @Test
    void recordsBucketsAndThePrunerLatchAreTheCreatorsOnly() throws Exception {
        String ns = "qs-acl";
        JournalOptions options = new JournalOptions("n1", Duration.ofDays(30), 1_000_000, Timing.seconds(2),
                tmp.resolve("spool"));
        RecordIds ids = new RecordIds("n1");
        KillRecord finished = Records.intent(ids, Instant.now(), "n1", "shop", "r");
        KillRecord pending = Records.intent(ids, Instant.now(), "n1", "shop", "r");
        try (CuratorFramework sniper = Records.client(ZK.connectString(), ns, SNIPER);
             RetentionPruner pruner = new RetentionPruner(sniper, options, Clock.systemUTC(), Duration.ofHours(1))) {
            pruner.start();
            try (ZkJournal journal = new ZkJournal(sniper, options, Clock.systemUTC())) {
                journal.start();
                journal.beforeKill(finished);             // batched create
                journal.onRecord(Records.killed(finished)); // batched setData
                journal.beforeKill(pending);
                journal.beforeKill(finished);             // a replay: the batch fails, records go one by one
                // (what a busy machine makes wait past the bound is spooled and replayed: the same client writes it)
                await().atMost(WAIT).until(() -> journal.queueDepth() == 0 && !journal.hasSpooled());
            }
            await().atMost(WAIT).until(pruner::isLeader);

            String finishedPath = JournalPaths.recordPath(finished.id(), null);
            String pendingPath = JournalPaths.recordPath(pending.id(), null);
            String bucket = finishedPath.substring(0, finishedPath.lastIndexOf('/'));
            List<String> latchMembers = sniper.getChildren().forPath(JournalPaths.PRUNER_LATCH);
            assertThat(latchMembers).hasSize(1);
            String latchMember = JournalPaths.PRUNER_LATCH + "/" + latchMembers.getFirst();

            // Every node the journal and the pruner made, the namespace root to the leaves.
            Map<String, List<ACL>> acls = new LinkedHashMap<>();
            walk(sniper, "/", acls);
            assertThat(acls).containsKeys("/", JournalPaths.ROOT, JournalPaths.RECORDS, bucket, finishedPath,
                    pendingPath, JournalPaths.PRUNER_LATCH, latchMember);
            ACL creatorOnly = new ACL(ZooDefs.Perms.ALL,
                    new Id("digest", DigestAuthenticationProvider.generateDigest(SNIPER)));
            acls.forEach((path, acl) -> assertThat(acl).as(path).containsExactly(creatorOnly));

            byte[] forged = "{\"id\":\"forged\"}".getBytes(StandardCharsets.UTF_8);
            try (CuratorFramework intruder = Records.client(ZK.connectString(), ns, "intruder:pw");
                 CuratorFramework anonymous = Records.client(ZK.connectString(), ns)) {
                for (CuratorFramework other : List.of(intruder, anonymous)) {
                    refused(() -> other.getData().forPath(finishedPath));
                    refused(() -> other.setData().forPath(finishedPath, forged));
                    refused(() -> other.setData().forPath(pendingPath, forged));
                    refused(() -> other.delete().forPath(finishedPath));
                    refused(() -> other.create().forPath(bucket + "/" + ids.next(Instant.now()), forged));
                    refused(() -> other.delete().forPath(bucket));
                    refused(() -> other.delete().deletingChildrenIfNeeded().forPath(JournalPaths.RECORDS));
                    refused(() -> other.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                            .forPath(JournalPaths.PRUNER_LATCH + "/latch-"));
                    refused(() -> other.delete().forPath(latchMember));
                    refused(() -> other.setData().forPath(latchMember, forged));
                    refused(() -> other.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(finishedPath));
                }
            }

            // Untouched: another node of the fleet (same credentials) reads both, and the pruner still leads.
            try (CuratorFramework peer = Records.client(ZK.connectString(), ns, SNIPER)) {
                assertThat(new JournalReader(peer).read(JournalQuery.all()))
                        .extracting(KillRecord::id, KillRecord::outcome)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(finished.id(), KillOutcome.KILLED),
                                org.assertj.core.groups.Tuple.tuple(pending.id(), KillOutcome.PENDING));
            }
            assertThat(sniper.getChildren().forPath(JournalPaths.PRUNER_LATCH)).containsExactlyElementsOf(latchMembers);
            assertThat(pruner.isLeader()).isTrue();
        }
    }

    private static void refused(Executable call) {
        try {
            call.execute();
        } catch (KeeperException.NoAuthException expected) {
            return;
        } catch (Throwable other) {
            throw new AssertionError("expected NoAuth, got " + other, other);
        }
        throw new AssertionError("another identity was allowed to do it");
    }

    private static void walk(CuratorFramework c, String path, Map<String, List<ACL>> acls) throws Exception {
        acls.put(path, c.getACL().forPath(path));
        for (String child : c.getChildren().forPath(path)) {
            walk(c, (path.equals("/") ? "" : path) + "/" + child, acls);
        }
    }
}
