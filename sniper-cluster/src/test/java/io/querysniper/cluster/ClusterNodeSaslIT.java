package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.login.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * cluster.auth = sasl against a real ZooKeeper server that authenticates with SASL (DIGEST-MD5
 * from a JAAS file generated here). The JAAS configuration and ZooKeeper's auth provider registry
 * are JVM-wide, so this class runs in its own surefire fork (see the pom) and also resets both
 * before and after.
 */
class ClusterNodeSaslIT {
    private static final String LOGIN = "org.apache.zookeeper.server.auth.DigestLoginModule";
    private static final String PROVIDER = "zookeeper.authProvider.1";
    private static final String NS = "sasl-secured";

    @TempDir
    static Path dir;
    private static TestingServer server;

    @BeforeAll
    static void startSaslServer() throws Exception {
        Path jaas = dir.resolve("jaas.conf");
        Files.writeString(jaas, """
                Server {
                  %s required user_qs="secret";
                };
                Client {
                  %s required username="qs" password="secret";
                };
                """.formatted(LOGIN, LOGIN));
        System.setProperty(ZkAuth.JAAS_PROPERTY, jaas.toString());
        System.setProperty(PROVIDER, "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
        resetJvmWideAuthState();
        server = ZkTesting.server();
    }

    @AfterAll
    static void stopAndClear() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            System.clearProperty(ZkAuth.JAAS_PROPERTY);
            System.clearProperty(PROVIDER);
            resetJvmWideAuthState();
        }
    }

    /** Both are read once and cached: the JDK's login Configuration and ZooKeeper's providers. */
    private static void resetJvmWideAuthState() {
        Configuration.setConfiguration(null);
        ProviderRegistry.reset();
    }

    @Test
    void saslNodeOwnsAndEverythingItWritesIsForItsPrincipalOnly() throws Exception {
        List<String> dbs = ZkTesting.databases(2);
        ClusterOptions options = ZkTesting.options(server.getConnectString()).withNamespace(NS).withAuth("sasl", null);
        try (ClusterNode a = ZkTesting.node("a", options, dbs)) {
            a.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
            await().atMost(Duration.ofSeconds(5)).until(() -> new ClusterStatusReader(a.client()).read(dbs).allOwned());

            Id principal = new Id("sasl", "qs");
            for (String path : List.of("/", ClusterPaths.NODES, ClusterPaths.node("a"), ClusterPaths.OWNERS,
                    ClusterPaths.owner("db01"), ClusterPaths.LATCHES, ClusterPaths.latch("db01"))) {
                assertThat(a.client().getACL().forPath(path)).as(path)
                        .isNotEmpty().allMatch(acl -> acl.getId().equals(principal) && acl.getPerms() == ZooDefs.Perms.ALL);
            }

            // A short-lived reader as the daemon's commands build it: same JAAS login, same principal.
            try (CuratorFramework reader = ZkAuth.apply(CuratorFrameworkFactory.builder()
                    .connectString(server.getConnectString()).namespace(NS).retryPolicy(new RetryOneTime(100)),
                    ZkAuth.SASL, null).build()) {
                reader.start();
                assertThat(reader.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
                ClusterStatus status = new ClusterStatusReader(reader).read(dbs, "cfg1");
                assertThat(status.owners()).containsOnlyKeys(dbs);
                assertThat(status.configMismatch()).isEmpty();
                assertThat(new ClusterStatusReader(reader).read(dbs, "other").configMismatch()).containsExactly("a");
            }

            // The same JVM, SASL switched off for this one client: an anonymous session.
            ZKClientConfig anonymousConfig = new ZKClientConfig();
            anonymousConfig.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
            try (CuratorFramework anonymous = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                    .namespace(NS).zkClientConfig(anonymousConfig).retryPolicy(new RetryOneTime(100)).build()) {
                anonymous.start();
                assertThat(anonymous.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> anonymous.getChildren().forPath(ClusterPaths.OWNERS))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> anonymous.getData().forPath(ClusterPaths.owner("db01")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> anonymous.create().forPath(ClusterPaths.OWNERS + "/intruder"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> anonymous.delete().forPath(ClusterPaths.owner("db01")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThat(dbs).allMatch(a::mayKill);
        }
    }
}
