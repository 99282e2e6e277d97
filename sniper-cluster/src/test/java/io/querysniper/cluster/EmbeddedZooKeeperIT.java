package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.querysniper.testkit.Timing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EmbeddedZooKeeperIT {

    @Test
    void aNodeWithoutEnsembleRunsOnTheEmbeddedServer(@TempDir Path dataDir) {
        List<String> dbs = List.of("orders", "users");
        ClusterOptions options = ClusterOptions.defaults(null, dataDir).withEmbeddedPort(0);
        try (ClusterNode node = new ClusterNode(options, new NodeInfo("solo", "localhost", "test", "h"), dbs,
                Clock.systemUTC())) {
            node.start();
            await().atMost(Timing.seconds(10)).until(() -> dbs.stream().allMatch(node::mayKill));
            assertThat(node.owned().keySet()).containsExactlyElementsOf(dbs);
            await().atMost(Timing.seconds(5)).until(() ->
                    new ClusterStatusReader(node.client()).read(dbs).allOwned());
            assertThat(new ClusterStatusReader(node.client()).read(dbs).toJson())
                    .contains("\"owners\":{\"orders\":\"solo\",\"users\":\"solo\"}");
        }
        assertThat(Files.isDirectory(dataDir.resolve("zookeeper").resolve("data"))).isTrue();
    }

    @Test
    void embeddedServerStopsForRealIdempotentlyAndKeepsItsData(@TempDir Path dataDir) throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0);
        int port = zk.port();
        assertThat(port).isPositive();
        assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
        try (CuratorFramework c = client(zk.connectString())) {
            c.create().forPath("/kept", "1".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(accepts(port)).as("serving before close").isTrue();

        zk.close();

        assertThat(accepts(port)).as("the client port is closed").isFalse();
        zk.close(); // a second close is a no-op, not an error
        // Stopped means released: a new server binds the same port and finds what the first one wrote.
        try (EmbeddedZooKeeper again = EmbeddedZooKeeper.start(dataDir, port);
             CuratorFramework c = client(again.connectString())) {
            assertThat(again.port()).isEqualTo(port);
            assertThat(c.getData().forPath("/kept")).isEqualTo("1".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(accepts(port)).isFalse();
    }

    private static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(5_000)
                .connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        c.start();
        assertThat(c.blockUntilConnected((int) Timing.seconds(10).toSeconds(), TimeUnit.SECONDS)).isTrue();
        return c;
    }

    /** Whether something accepts TCP connections on 127.0.0.1:port right now. */
    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) Timing.millis(500).toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sessionTimeoutsFromOneToSixtySecondsAreHonoured(@TempDir Path dataDir) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0)) {
            for (int requestedMs : new int[] {1_000, 10_000, 60_000}) {
                try (CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                        .sessionTimeoutMs(requestedMs).connectionTimeoutMs(1_000).retryPolicy(new RetryOneTime(100))
                        .build()) {
                    c.start();
                    assertThat(c.blockUntilConnected((int) Timing.seconds(10).toSeconds(), TimeUnit.SECONDS)).isTrue();
                    assertThat(c.getZookeeperClient().getLastNegotiatedSessionTimeoutMs())
                            .as("negotiated for %d ms", requestedMs).isEqualTo(requestedMs);
                }
            }
        }
    }
}
