package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import io.querysniper.testkit.TestCertificates;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.zk.SecureZooKeeper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code cluster.tls} against a real ZooKeeper server process with a TLS-only client port demanding a client
 * certificate (mutual TLS), and the read-only identity: a digest user that can read what the cluster writes
 * and change nothing.
 */
class ZooKeeperTlsIT {
    private static final String NS = "tls-secured";
    private static final Duration CONNECT = Timing.seconds(10);

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    /** TLS, no client certificate asked for. */
    private static SecureZooKeeper zk;
    /** Mutual TLS: a client certificate signed by the CA is required. */
    private static SecureZooKeeper mutualZk;

    @BeforeAll
    static void start() {
        certs = TestCertificates.generate(dir.resolve("pki"));
        zk = SecureZooKeeper.start(dir.resolve("zk"), certs, false);
        mutualZk = SecureZooKeeper.start(dir.resolve("zk-mutual"), certs, true);
    }

    @AfterAll
    static void stop() {
        if (zk != null) {
            zk.close();
        }
        if (mutualZk != null) {
            mutualZk.close();
        }
    }

    private static ZkTls serverOnly() {
        return new ZkTls(certs.caCert(), null, null);
    }

    private static ZkTls mutual() {
        return new ZkTls(certs.caCert(), certs.clientCert(), certs.clientKey());
    }

    private static CuratorFramework client(String scheme, String login, ZkSecurity security) {
        return client(zk, scheme, login, security);
    }

    private static CuratorFramework client(SecureZooKeeper server, String scheme, String login, ZkSecurity security) {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(server.secureConnectString())
                .namespace(NS).sessionTimeoutMs(20_000).connectionTimeoutMs(10_000).retryPolicy(new RetryOneTime(100));
        return ZkClients.secure(b, scheme, login == null ? null : login.getBytes(StandardCharsets.UTF_8), security).build();
    }

    /** Whether a client connects to the mutual-TLS server within {@code wait} (a refused one never does). */
    private static boolean connects(ZkSecurity security, Duration wait) throws InterruptedException {
        try (CuratorFramework c = client(mutualZk, null, null, security)) {
            c.start();
            return c.blockUntilConnected((int) wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Over TLS without client certificates: with one, ZooKeeper's x509 provider also makes the certificate's
     * subject an identity of the session, so whoever holds the nodes' certificate is their "creator" too.
     */
    @Test
    void aNodeRunsOverTlsWithDigestAuthAndAReaderMayReadButNotWrite() throws Exception {
        String readerId = DigestAuthenticationProvider.generateDigest("reader:reader-pw");
        ZkSecurity security = new ZkSecurity(serverOnly(), List.of("digest:" + readerId));
        // A TLS handshake on a loaded machine can outlast the tests' usual 2 s session (and so connect timeout).
        ClusterOptions options = ZkTesting.options(zk.secureConnectString()).withSessionTimeout(Timing.seconds(8))
                .withNamespace(NS)
                .withAuth(ZkAuth.DIGEST, "sniper:sniper-pw".getBytes(StandardCharsets.UTF_8)).withSecurity(security);
        try (ClusterNode node = ZkTesting.node("a", options, List.of("db01"))) {
            node.start();
            await().atMost(CONNECT).until(() -> node.mayKill("db01"));

            try (CuratorFramework reader = client(ZkAuth.DIGEST, "reader:reader-pw", new ZkSecurity(serverOnly(), List.of()))) {
                reader.start();
                assertThat(reader.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
                // What cluster status reads: members and owners.
                assertThat(new ClusterStatusReader(reader).read(List.of("db01"), "cfg1").allOwned()).isTrue();
                assertThat(reader.getChildren().forPath(ClusterPaths.NODES)).containsExactly("a");
                assertThatThrownBy(() -> reader.delete().forPath(ClusterPaths.owner("db01")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> reader.setData().forPath(ClusterPaths.owner("db01"), new byte[] {1}))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> reader.create().forPath(ClusterPaths.OWNERS + "/intruder"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            try (CuratorFramework stranger = client(ZkAuth.DIGEST, "stranger:pw", new ZkSecurity(serverOnly(), List.of()))) {
                stranger.start();
                assertThat(stranger.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> stranger.getChildren().forPath(ClusterPaths.OWNERS))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThat(node.mayKill("db01")).isTrue();
        }
    }

    @Test
    void theSecurePortRefusesPlainClientsClientsWithoutACertificateAndAnotherCa() throws Exception {
        assertThat(connects(new ZkSecurity(mutual(), List.of()), CONNECT)).as("mutual TLS").isTrue();
        // Refused ones: a few seconds without a connection say enough once the good one connected.
        Duration refused = Duration.ofSeconds(3);
        assertThat(connects(ZkSecurity.NONE, refused)).as("plain TCP to the TLS port").isFalse();
        assertThat(connects(new ZkSecurity(new ZkTls(certs.caCert(), null, null), List.of()), refused))
                .as("no client certificate").isFalse();
        TestCertificates other = TestCertificates.generate(dir.resolve("other-pki"));
        assertThat(connects(new ZkSecurity(new ZkTls(other.caCert(), certs.clientCert(), certs.clientKey()), List.of()), refused))
                .as("server certificate from another CA").isFalse();
    }

    @Test
    void aServerCertificateForAnotherNameIsRefused() throws Exception {
        TestCertificates elsewhere = TestCertificates.generate(dir.resolve("elsewhere-pki"), "zk.invalid");
        try (SecureZooKeeper wrongName = SecureZooKeeper.start(dir.resolve("zk-elsewhere"), elsewhere, false)) {
            CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                    .connectString(wrongName.secureConnectString()).sessionTimeoutMs(10_000)
                    .connectionTimeoutMs(3_000).retryPolicy(new RetryOneTime(100));
            try (CuratorFramework c = ZkClients.secure(b, null, null,
                    new ZkSecurity(new ZkTls(elsewhere.caCert(), null, null), List.of())).build()) {
                c.start();
                assertThat(c.blockUntilConnected(3, TimeUnit.SECONDS)).as("chain good, name wrong").isFalse();
            }
        }
    }

    @Test
    void badSecuritySettingsAreRefused() {
        assertThatThrownBy(() -> new ZkTls(null, null, null)).isInstanceOf(SniperException.class);
        assertThatThrownBy(() -> new ZkTls(certs.caCert(), certs.clientCert(), null)).isInstanceOf(SniperException.class);
        assertThatThrownBy(() -> new ZkSecurity(null, List.of("digest:reader")))
                .hasMessageContaining("must be digest:USER:HASH");
        assertThatThrownBy(() -> new ZkSecurity(null, List.of("world:anyone"))).hasMessageContaining("digest: or sasl:");
        assertThatThrownBy(() -> ZkTesting.options("127.0.0.1:1").withSecurity(new ZkSecurity(null, List.of("sasl:r"))))
                .hasMessageContaining("read-only ids need an auth scheme");
    }
}
