package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    private TestingServer server;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private ExclusionChecker checker;

    @BeforeEach
    void startServer() throws Exception {
        server = ZkTesting.server();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (checker != null) {
            checker.close();
        }
        ZkTesting.closeAll(nodes);
        server.close();
    }

    private ClusterNode join(String id, List<String> dbs) {
        return join(id, ZkTesting.options(server.getConnectString()), dbs);
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
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ZkTesting.converged(nodes, dbs));
        // Converged, and stays so (no flapping) while membership is stable.
        Map<String, List<String>> settled = killers(nodes, dbs);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
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
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> hadC.stream().allMatch(db -> killers(nodes, List.of(db)).get(db).size() == 1));
        assertThat(closeMs).as("close duration ms").isLessThan(2000);
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
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> dbs.stream().allMatch(db -> killers(nodes, List.of(db)).get(db).equals(List.of("a"))));
        // Still a member, and its client still reads and writes (what the journal's flush needs).
        CuratorFramework client = b.client();
        assertThat(client.getChildren().forPath(ClusterPaths.NODES)).contains("b");
        client.create().forPath("/flush-probe", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(client.checkExists().forPath("/flush-probe")).isNotNull();
        // Released means released: no balancing pass gives b anything back.
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> b.owned().isEmpty() && dbs.stream().noneMatch(b::mayKill));

        b.releaseLatches(); // idempotent
        leave(b);
        b.close(); // idempotent
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void releaseLatchesOnANodeNeverStartedIsHarmless() {
        ClusterNode n = ZkTesting.node("never", ZkTesting.options(server.getConnectString()), List.of("db01"));
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
        try (BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", server.getPort())) {
            ClusterNode a = join("a", ZkTesting.options(proxy.connectString()), dbs);
            join("b", dbs);
            join("c", dbs);
            awaitBalanced(dbs);
            Set<String> hadA = Set.copyOf(a.owned().keySet());
            assertThat(hadA).isNotEmpty();
            long oldSession = a.client().getZookeeperClient().getZooKeeper().getSessionId();

            proxy.partition();
            await().atMost(ZkTesting.SESSION).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().noneMatch(a::mayKill));
            // Others start only once the server has expired a's session (its latch nodes go with it).
            List<ClusterNode> others = nodes.stream().filter(n -> n != a).toList();
            await().atMost(ZkTesting.SESSION.plusSeconds(2)).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().allMatch(db -> killers(others, List.of(db)).get(db).size() == 1));
            assertThat(checker.violations()).isEmpty();

            proxy.heal();
            // a hears "session expired" on reconnecting, rejoins with a new session and is balanced in again.
            await().atMost(ZkTesting.SESSION.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
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
        try (BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", server.getPort())) {
            ClusterNode a = join("a", ZkTesting.options(proxy.connectString()), dbs);
            join("b", dbs);
            join("c", dbs);
            awaitBalanced(dbs);
            Set<String> hadA = Set.copyOf(a.owned().keySet());
            assertThat(hadA).isNotEmpty();

            proxy.partition();
            long t0 = System.nanoTime();
            // a goes silent: its lease ends T/4 after its last answered heartbeat, the server expires it after T.
            await().atMost(ZkTesting.SESSION.plusSeconds(1)).pollInterval(Duration.ofMillis(5))
                    .until(() -> hadA.stream().noneMatch(a::mayKill));
            long aStoppedMs = (System.nanoTime() - t0) / 1_000_000;
            // The lease (T/4 after the last answered heartbeat), not the client's read timeout
            // (2T/3 of silence, then SUSPENDED, then T/4 more), is what stops a.
            assertThat(aStoppedMs).as("a stopped after (ms)").isLessThan(a.leaseNanos() / 1_000_000 + 400);
            List<ClusterNode> others = nodes.stream().filter(n -> n != a).toList();
            await().atMost(ZkTesting.SESSION.plusSeconds(2)).pollInterval(Duration.ofMillis(5))
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
        await().atMost(Duration.ofSeconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));
        long windowMs = a.suspendedWindowNanos() / 1_000_000;
        assertThat(windowMs).isEqualTo(ZkTesting.SESSION.toMillis() / 4);

        server.stop();
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> dbs.stream().noneMatch(a::mayKill));
        long stoppedAfterMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(stoppedAfterMs).isLessThanOrEqualTo(windowMs + 300);
        assertThat(a.view().connection()).isIn("SUSPENDED", "LOST");

        server.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
    }

    @Test
    void keepOwnedPolicyKeepsKillingForBoundedTime() throws Exception {
        List<String> dbs = ZkTesting.databases(3);
        Duration keep = Duration.ofMillis(3000);
        ClusterNode a = join("a", ZkTesting.options(server.getConnectString())
                .withPolicy(CoordinationLossPolicy.KEEP_OWNED, keep), dbs);
        await().atMost(Duration.ofSeconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));

        server.stop();
        long t0 = System.nanoTime();
        // Past the STOP window (500 ms) and past session expiry (2 s): still killing.
        await().pollDelay(Duration.ofMillis(2300)).atMost(Duration.ofSeconds(3))
                .until(() -> dbs.stream().allMatch(a::mayKill));
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> dbs.stream().noneMatch(a::mayKill));
        long stoppedAfterMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(stoppedAfterMs).isBetween(keep.toMillis() - 200, keep.toMillis() + 500);
        assertThat(a.view().connection()).isIn("SUSPENDED", "LOST");

        server.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
    }

    @Test
    void statusReaderShowsNodesOwnersAndUnowned() throws Exception {
        List<String> dbs = ZkTesting.databases(4);
        ClusterNode a = join("a", dbs);
        ClusterNode b = join("b", dbs);
        awaitBalanced(dbs);
        List<String> configured = new ArrayList<>(dbs);
        configured.add("ghost");
        await().atMost(Duration.ofSeconds(5)).until(() ->
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
        ClusterNode odd = new ClusterNode(ZkTesting.options(server.getConnectString()),
                new NodeInfo("odd", "h", "test", "cfg2"), dbs, java.time.Clock.systemUTC(), ZkTesting.FAST, System::nanoTime);
        odd.start();
        nodes.add(odd);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.view().configMismatch().size() == 1);
        assertThat(a.view().configMismatch().get(0).id()).isEqualTo("odd");
        assertThat(a.view().members()).extracting(NodeInfo::id).containsExactly("a", "odd");
    }

    @Test
    void digestAuthProtectsEverythingTheClusterWrites() throws Exception {
        List<String> dbs = ZkTesting.databases(2);
        byte[] secret = "sniper:s3cret".getBytes(StandardCharsets.UTF_8);
        ClusterOptions options = ZkTesting.options(server.getConnectString()).withNamespace("secured")
                .withAuth("digest", secret);
        ClusterNode a = join("a", options, dbs);
        await().atMost(Duration.ofSeconds(5)).until(() -> dbs.stream().allMatch(a::mayKill));
        await().atMost(Duration.ofSeconds(5)).until(() -> new ClusterStatusReader(a.client()).read(dbs).allOwned());

        for (String path : List.of("", ClusterPaths.NODES, ClusterPaths.node("a"), ClusterPaths.OWNERS,
                ClusterPaths.owner("db01"), ClusterPaths.latch("db01"))) {
            assertThat(a.client().getACL().forPath(path.isEmpty() ? "/" : path))
                    .as(path).allMatch(acl -> acl.getId().getScheme().equals("digest") && acl.getPerms() == ZooDefs.Perms.ALL);
        }
        try (CuratorFramework anonymous = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .namespace("secured").retryPolicy(new RetryOneTime(100)).build()) {
            anonymous.start();
            assertThatThrownBy(() -> anonymous.getData().forPath(ClusterPaths.node("a")))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.delete().forPath(ClusterPaths.owner("db01")))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }
}
