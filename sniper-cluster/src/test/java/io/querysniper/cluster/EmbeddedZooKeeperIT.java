package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

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
            await().atMost(Duration.ofSeconds(10)).until(() -> dbs.stream().allMatch(node::mayKill));
            assertThat(node.owned().keySet()).containsExactlyElementsOf(dbs);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    new ClusterStatusReader(node.client()).read(dbs).allOwned());
            assertThat(new ClusterStatusReader(node.client()).read(dbs).toJson())
                    .contains("\"owners\":{\"orders\":\"solo\",\"users\":\"solo\"}");
        }
        assertThat(Files.isDirectory(dataDir.resolve("zookeeper").resolve("data"))).isTrue();
    }

    @Test
    void embeddedServerStartsAndStopsIdempotently(@TempDir Path dataDir) {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0);
        assertThat(zk.port()).isPositive();
        assertThat(zk.connectString()).startsWith("127.0.0.1:");
        zk.close();
        zk.close();
    }

    @Test
    void sessionTimeoutsFromOneToSixtySecondsAreHonoured(@TempDir Path dataDir) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0)) {
            for (int requestedMs : new int[] {1_000, 10_000, 60_000}) {
                try (CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                        .sessionTimeoutMs(requestedMs).connectionTimeoutMs(1_000).retryPolicy(new RetryOneTime(100))
                        .build()) {
                    c.start();
                    assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    assertThat(c.getZookeeperClient().getLastNegotiatedSessionTimeoutMs())
                            .as("negotiated for %d ms", requestedMs).isEqualTo(requestedMs);
                }
            }
        }
    }
}
