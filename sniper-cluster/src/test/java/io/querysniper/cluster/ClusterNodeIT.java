package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.querysniper.testkit.Timing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.querysniper.cluster.ZkTesting.balanced;
import static io.querysniper.cluster.ZkTesting.killers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Several nodes in one JVM against a real (in-process) ZooKeeper server. */
class ClusterNodeIT {
    @RegisterExtension
    final ZkServerExtension zk = new ZkServerExtension();
    private final List<ClusterNode> nodes = zk.nodes();
    private ExclusionChecker checker;

    @AfterEach
    void stopChecker() throws Exception {
        if (checker != null) {
            checker.close(); // before the extension closes the nodes and the server
        }
    }

    private ClusterNode join(String id, List<String> dbs) {
        return join(id, ZkTesting.options(zk.server().getConnectString()), dbs);
    }

    private ClusterNode join(String id, ClusterOptions options, List<String> dbs) {
        ClusterNode n = ZkTesting.node(id, options, dbs);
        n.start();
        nodes.add(n);
        if (checker != null) {
            checker.add(n);
        }
        return n;
    }

    private void leave(ClusterNode n) {
        n.close();
        nodes.remove(n);
        checker.remove(n);
    }

    private void awaitBalanced(List<String> dbs) {
        await().atMost(Timing.seconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ZkTesting.converged(nodes, dbs));
        // Converged, and stays so (no flapping) while membership is stable.
        Map<String, List<String>> settled = killers(nodes, dbs);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofMillis(700).plus(Timing.seconds(2)))
                .until(() -> killers(nodes, dbs).equals(settled));
    }

    @ParameterizedTest(name = "{0} databases")
    @ValueSource(ints = {1, 3, 7, 20})
    void balancesAsNodesJoinAndLeave(int dbCount) throws Exception {
        List<String> dbs = ZkTesting.databases(dbCount);
        checker = new ExclusionChecker(dbs);
        for (int i = 1; i <= 5; i++) {
            join("node-" + i, dbs);
            awaitBalanced(dbs);
        }
        while (nodes.size() > 1) {
            leave(nodes.get(0));
            awaitBalanced(dbs);
        }
        assertThat(checker.rounds()).isGreaterThan(100);
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void gracefulCloseHandsOverAtOnce() {
        List<String> dbs = ZkTesting.databases(6);
        checker = new ExclusionChecker(dbs);
        join("a", dbs);
        join("b", dbs);
        ClusterNode c = join("c", dbs);
        awaitBalanced(dbs);
        Set<String> hadC = c.owned().keySet();
        assertThat(hadC).hasSize(2);
        AtomicInteger notified = new AtomicInteger();
        c.onChange(db -> notified.incrementAndGet());
        long t0 = System.nanoTime();
        leave(c);
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        // At once: the latch nodes go with the closed session, nobody waits for it to expire.
        await().atMost(Timing.seconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> hadC.stream().allMatch(db -> killers(nodes, List.of(db)).get(db).size() == 1));
        assertThat(closeMs).as("close duration ms, " + Timing.describe()).isLessThan(Timing.seconds(2).toMillis());
        assertThat(notified.get()).isGreaterThanOrEqualTo(2);
        c.close(); // idempotent
        assertThat(c.mayKill(hadC.iterator().next())).isFalse();
        awaitBalanced(dbs);
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void releaseLatchesHandsOverAtOnceWhileTheClientStaysUsable() throws Exception {
        List<String> dbs = ZkTesting.databases(6);
        checker = new ExclusionChecker(dbs);
        join("a", dbs);
        ClusterNode b = join("b", dbs);
        awaitBalanced(dbs);
        Set<String> hadB = Set.copyOf(b.owned().keySet());
        assertThat(hadB).hasSize(3);
        AtomicInteger notified = new AtomicInteger();
        b.onChange(db -> notified.incrementAndGet());

        b.releaseLatches();

        assertThat(dbs).noneMatch(b::mayKill);
        assertThat(b.owned()).isEmpty();
        assertThat(notified.get()).isGreaterThanOrEqualTo(hadB.size());
        // The standby (a) owns everything at once; b's session is untouched (its ephemerals are
        // not what hands over: the latch nodes are deleted), so the session timeout plays no part.
        await().atMost(Timing.seconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> dbs.stream().allMatch(db -> killers(nodes, List.of(db)).get(db).equals(List.of("a"))));
        // Still a member, and its client still reads and writes (what the journal's flush needs).
        CuratorFramework client = b.client();
        assertThat(client.getChildren().forPath(ClusterPaths.NODES)).contains("b");
        client.create().forPath("/flush-probe", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(client.checkExists().forPath("/flush-probe")).isNotNull();
        // Released means released: no balancing pass gives b anything back.
        await().during(Duration.ofMillis(800)).atMost(Duration.ofMillis(800).plus(Timing.seconds(1)))
                .until(() -> b.owned().isEmpty() && dbs.stream().noneMatch(b::mayKill));

        b.releaseLatches(); // idempotent
        leave(b);
        b.close(); // idempotent
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void releaseLatchesOnANodeNeverStartedIsHarmless() {
        ClusterNode n = ZkTesting.node("never", ZkTesting.options(zk.server().getConnectString()), List.of("db01"));
        n.releaseLatches();
        n.close();
        assertThat(n.mayKill("db01")).isFalse();
    }

    /**
     * A session expires only after the server heard nothing from the client for T, so the
     * expiry is made the way it happens: a is cut off (its heartbeats stop), the server expires
     * the session, others take over, then a is let back in and learns of the expiry on
     * reconnecting (LOST), rejoins with a new session and gets its share back.
     * <p>
     * Not {@code getTestable().injectSessionExpiration()}: that queues a fake Expired event
     * BEFORE marking the handle closed, and when the event thread wins that race Curator's
     * reaction (closing the "expired" handle) sends closeSession on the live connection: the
     * server ends a session that was heartbeating a moment ago, deletes a's latch nodes and
     * another node takes over while a's handle still says CONNECTED (for as long as the
     * injecting thread is descheduled, ~100 ms under load). A real server never expires a
     * session it hears from; no client-side check can see that case coming.
     */
    @Test
    void expiredSessionStopsKillingBeforeAnotherNodeStarts() throws Exception {
        List<String> dbs = ZkTesting.databases(6);
        checker = new ExclusionChecker(dbs);
        try (BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", zk.server().getPort())) {
            ClusterNode a = join("a", ZkTesting.options(proxy.connectString()), dbs);
            join("b", dbs);
            join("c", dbs);
            awaitBalanced(dbs);
            Set<String> hadA = Set.copyOf(a.owned().keySet());
            assertThat(hadA).isNotEmpty();
            long oldSession = a.client().getZookeeperClient().getZooKeeper().getSessionId();

            proxy.partition();
            await().atMost(Timing.scaled(ZkTesting.SESSION)).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().noneMatch(a::mayKill));
            // Others start only once the server has expired a's session (its latch nodes go with it).
            List<ClusterNode> others = nodes.stream().filter(n -> n != a).toList();
            await().atMost(ZkTesting.SESSION.plus(Timing.seconds(2))).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().allMatch(db -> killers(others, List.of(db)).get(db).size() == 1));
            assertThat(checker.violations()).isEmpty();

            proxy.heal();
            // a hears "session expired" on reconnecting, rejoins with a new session and is balanced in again.
            await().atMost(ZkTesting.SESSION.plus(Timing.seconds(5))).pollInterval(Duration.ofMillis(20))
                    .until(() -> a.client().getZookeeperClient().isConnected()
                            && a.client().getZookeeperClient().getZooKeeper().getSessionId() != oldSession);
            awaitBalanced(dbs);
            assertThat(checker.violations()).isEmpty();
        }
    }

    @Test
    void partitionedNodeStopsKillingBeforeItsSessionExpiresAndAnotherTakesOver() throws Exception {
        List<String> dbs = ZkTesting.databases(6);
        checker = new ExclusionChecker(dbs);
        try (BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", zk.server().getPort())) {
            ClusterNode a = join("a", ZkTesting.options(proxy.connectString()), dbs);
            join("b", dbs);
            join("c", dbs);
            awaitBalanced(dbs);
            Set<String> hadA = Set.copyOf(a.owned().keySet());
            assertThat(hadA).isNotEmpty();

            proxy.partition();
            long t0 = System.nanoTime();
            // a goes silent: its lease ends T/4 after its last answered heartbeat, the server expires it after T.
            await().atMost(ZkTesting.SESSION.plus(Timing.seconds(1))).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().noneMatch(a::mayKill));
            long aStoppedMs = (System.nanoTime() - t0) / 1_000_000;
            // The lease (T/4 after the last answered heartbeat), not the client's read timeout
            // (2T/3 of silence, then SUSPENDED, then T/4 more), is what stops a.
            // The margin scales; at factor 3 it still stays below the 1.8 s the read-timeout path would take.
            assertThat(aStoppedMs).as("a stopped after (ms), " + Timing.describe())
                    .isLessThan(a.leaseNanos() / 1_000_000 + Timing.millis(400).toMillis());
            List<ClusterNode> others = nodes.stream().filter(n -> n != a).toList();
            await().atMost(ZkTesting.SESSION.plus(Timing.seconds(2))).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().allMatch(db -> killers(others, List.of(db)).get(db).size() == 1));
            long othersStartedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(aStoppedMs).isLessThan(othersStartedMs);
            assertThat(checker.violations()).isEmpty();

            proxy.heal();
            awaitBalanced(dbs);
            assertThat(checker.violations()).isEmpty();
        }
    }

    @Test
    void suspendedOwnerStopsAfterTheSafeWindowUnderPolicyStop() throws Exception {
        List<String> dbs = ZkTesting.databases(3);
        ClusterNode a = join("a", dbs);
        await().atMost(Timing.seconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));
        long windowMs = a.suspendedWindowNanos() / 1_000_000;
        assertThat(windowMs).isEqualTo(ZkTesting.SESSION.toMillis() / 4);

        zk.server().stop();
        long t0 = System.nanoTime();
        await().atMost(Timing.seconds(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> dbs.stream().noneMatch(a::mayKill));
        long stoppedAfterMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(stoppedAfterMs).as(Timing.describe()).isLessThanOrEqualTo(windowMs + Timing.millis(300).toMillis());
        assertThat(a.view().connection()).isIn("SUSPENDED", "LOST");

        zk.server().restart();
        await().atMost(Timing.seconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
    }

    @Test
    void keepOwnedPolicyKeepsKillingForBoundedTime() throws Exception {
        List<String> dbs = ZkTesting.databases(3);
        Duration keep = Duration.ofMillis(3000);
        ClusterNode a = join("a", ZkTesting.options(zk.server().getConnectString())
                .withPolicy(CoordinationLossPolicy.KEEP_OWNED, keep), dbs);
        await().atMost(Timing.seconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));

        // The window starts when a notices the trouble, after t0 and at most shortly after t1.
        long t0 = System.nanoTime();
        zk.server().stop();
        long t1 = System.nanoTime();
        long firstGap = -1; // first look at which some database was no longer killable
        long deadline = t1 + keep.plus(Timing.seconds(3)).toNanos();
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            List<Boolean> may = dbs.stream().map(a::mayKill).toList();
            if (firstGap < 0 && may.contains(false)) {
                firstGap = now;
            }
            if (!may.contains(true)) {
                break;
            }
            Thread.sleep(10);
        }
        assertThat(firstGap).as("a stopped killing within keep-owned-for + 3 s").isPositive();
        assertThat(dbs).noneMatch(a::mayKill);
        // Kept killing, without a gap, past the STOP window (500 ms) and past session expiry (2 s): however late
        // the looks come, none before t0 + keep can see a gap (200 ms: a lease that lapsed just before t0).
        assertThat((firstGap - t0) / 1_000_000).as("killed without a gap for (ms)")
                .isGreaterThanOrEqualTo(keep.toMillis() - 200);
        assertThat((firstGap - t1) / 1_000_000).as("stopped after (ms), " + Timing.describe())
                .isLessThanOrEqualTo(keep.toMillis() + Timing.millis(500).toMillis());
        assertThat(a.view().connection()).isIn("SUSPENDED", "LOST");

        zk.server().restart();
        await().atMost(Timing.seconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
    }

    @Test
    void statusReaderShowsNodesOwnersAndUnowned() throws Exception {
        List<String> dbs = ZkTesting.databases(4);
        ClusterNode a = join("a", dbs);
        ClusterNode b = join("b", dbs);
        awaitBalanced(dbs);
        List<String> configured = new ArrayList<>(dbs);
        configured.add("ghost");
        await().atMost(Timing.seconds(5)).until(() ->
                new ClusterStatusReader(a.client()).read(configured).owners().size() == 4);
        ClusterStatus status = new ClusterStatusReader(a.client()).read(configured);
        assertThat(status.nodes()).extracting(NodeInfo::id).containsExactly("a", "b");
        assertThat(status.nodes().get(0).startedAt()).isNotNull();
        assertThat(status.unowned()).containsExactly("ghost");
        String json = status.toJson();
        assertThat(json).startsWith("{\"nodes\":[{\"id\":\"a\",\"host\":\"host-a\",\"version\":\"test\",\"configHash\":\"cfg1\"");
        for (ClusterNode n : List.of(a, b)) {
            n.owned().forEach((db, since) -> {
                assertThat(json).contains("\"" + db + "\":\"" + n.view().self() + "\"");
                assertThat(status.owners().get(db).since()).isEqualTo(since);
            });
        }
        assertThat(status.toTable()).contains("ghost");
    }

    @Test
    void configMismatchIsReported() {
        List<String> dbs = ZkTesting.databases(2);
        ClusterNode a = join("a", dbs);
        ClusterNode odd = new ClusterNode(ZkTesting.options(zk.server().getConnectString()),
                new NodeInfo("odd", "h", "test", "cfg2"), dbs, java.time.Clock.systemUTC(), ZkTesting.FAST, System::nanoTime);
        odd.start();
        nodes.add(odd);
        await().atMost(Timing.seconds(5)).until(() -> a.view().configMismatch().size() == 1);
        assertThat(a.view().configMismatch().get(0).id()).isEqualTo("odd");
        assertThat(a.view().members()).extracting(NodeInfo::id).containsExactly("a", "odd");
    }

    @Test
    void digestAuthProtectsEverythingTheClusterWrites() throws Exception {
        List<String> dbs = ZkTesting.databases(2);
        byte[] secret = "sniper:s3cret".getBytes(StandardCharsets.UTF_8);
        ClusterOptions options = ZkTesting.options(zk.server().getConnectString()).withNamespace("secured")
                .withAuth("digest", secret);
        ClusterNode a = join("a", options, dbs);
        await().atMost(Timing.seconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));
        await().atMost(Timing.seconds(5)).until(() -> new ClusterStatusReader(a.client()).read(dbs).allOwned());

        // Exactly the creator's digest id, all permissions: an allMatch would also pass on an empty list.
        ACL creatorOnly = new ACL(ZooDefs.Perms.ALL,
                new Id("digest", DigestAuthenticationProvider.generateDigest("sniper:s3cret")));
        for (String path : List.of("", ClusterPaths.NODES, ClusterPaths.node("a"), ClusterPaths.OWNERS,
                ClusterPaths.owner("db01"), ClusterPaths.latch("db01"))) {
            assertThat(a.client().getACL().forPath(path.isEmpty() ? "/" : path)).as(path).containsExactly(creatorOnly);
        }
        try (CuratorFramework anonymous = CuratorFrameworkFactory.builder().connectString(zk.server().getConnectString())
                .namespace("secured").retryPolicy(new RetryOneTime(100)).build()) {
            anonymous.start();
            assertThatThrownBy(() -> anonymous.getData().forPath(ClusterPaths.node("a")))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.delete().forPath(ClusterPaths.owner("db01")))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }
}
