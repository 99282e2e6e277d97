package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SASL option validation and the ACL/auth choice of {@link ZkAuth}, without a server. The JAAS
 * property is set only inside a test and restored after, so other tests of this JVM never see it.
 */
class ZkAuthTest {
    @TempDir
    Path dir;
    private String savedJaas;

    @BeforeEach
    void saveJaas() {
        savedJaas = System.getProperty(ZkAuth.JAAS_PROPERTY);
        System.clearProperty(ZkAuth.JAAS_PROPERTY);
    }

    @AfterEach
    void restoreJaas() {
        if (savedJaas == null) {
            System.clearProperty(ZkAuth.JAAS_PROPERTY);
        } else {
            System.setProperty(ZkAuth.JAAS_PROPERTY, savedJaas);
        }
    }

    @Test
    void saslTakesNoBytesAndOtherSchemesNeedThem() {
        ClusterOptions sasl = ClusterOptions.defaults("h:1", null).withAuth("sasl", null);
        assertThat(sasl.authScheme()).isEqualTo("sasl");
        assertThat(sasl.authBytes()).isNull();
        assertThat(sasl.toString()).contains("authScheme=sasl").contains("authBytes=none");
        assertThatThrownBy(() -> ClusterOptions.defaults("h:1", null).withAuth("sasl", new byte[] {1}))
                .isInstanceOf(SniperException.class).hasMessageContaining("sasl takes no authBytes");
        assertThatThrownBy(() -> ClusterOptions.defaults("h:1", null).withAuth("digest", null))
                .isInstanceOf(SniperException.class).hasMessageContaining("authScheme and authBytes go together");
    }

    @Test
    void saslNodeWithoutJaasPropertyFailsAtStartSayingHowToSetIt() {
        ClusterNode node = new ClusterNode(ClusterOptions.defaults("127.0.0.1:1", null).withAuth("sasl", null),
                new NodeInfo("n1", "h", "test", "c"), List.of("db1"), Clock.systemUTC());
        assertThatThrownBy(node::start)
                .isInstanceOf(SniperException.class)
                .hasMessageContaining("java.security.auth.login.config is not set")
                .hasMessageContaining("QS_JAVA_OPTS")
                .hasMessageContaining("\"Client\" section");
        assertThat(node.mayKill("db1")).isFalse();
        node.close();
    }

    @Test
    void jaasFileMustExistAndHaveTheClientSection() throws IOException {
        System.setProperty(ZkAuth.JAAS_PROPERTY, dir.resolve("missing.conf").toString());
        assertThatThrownBy(ZkAuth::requireSaslLogin).hasMessageContaining("does not exist or is not readable")
                .hasMessageContaining("QS_JAVA_OPTS");

        System.setProperty(ZkAuth.JAAS_PROPERTY, jaas("Server { " + DIGEST + " required user_qs=\"secret\"; };"));
        assertThatThrownBy(ZkAuth::requireSaslLogin).hasMessageContaining("has no \"Client\" section");

        System.setProperty(ZkAuth.JAAS_PROPERTY, jaas("Client { broken"));
        assertThatThrownBy(ZkAuth::requireSaslLogin).hasMessageContaining("cannot read the JAAS file");

        System.setProperty(ZkAuth.JAAS_PROPERTY, "=" + jaas(CLIENT));
        ZkAuth.requireSaslLogin();
    }

    @Test
    void everySchemeGetsCreatorOnlyAclsAndOnlyDigestSendsAuthInfo() throws IOException {
        CuratorFrameworkFactory.Builder none = ZkAuth.apply(CuratorFrameworkFactory.builder(), null, null);
        assertThat(none.getAclProvider()).isInstanceOf(DefaultACLProvider.class);
        assertThat(none.getAuthInfos()).isNullOrEmpty();

        CuratorFrameworkFactory.Builder digest = ZkAuth.apply(CuratorFrameworkFactory.builder(), "digest",
                "qs:secret".getBytes(StandardCharsets.UTF_8));
        assertThat(digest.getAclProvider().getDefaultAcl()).isEqualTo(ZooDefs.Ids.CREATOR_ALL_ACL);
        assertThat(digest.getAuthInfos()).singleElement().extracting(a -> a.getScheme()).isEqualTo("digest");

        assertThatThrownBy(() -> ZkAuth.apply(CuratorFrameworkFactory.builder(), "sasl", null))
                .hasMessageContaining("is not set");
        System.setProperty(ZkAuth.JAAS_PROPERTY, jaas(CLIENT));
        CuratorFrameworkFactory.Builder sasl = ZkAuth.apply(CuratorFrameworkFactory.builder(), "sasl", null);
        assertThat(sasl.getAclProvider().getAclForPath("/x")).isEqualTo(ZooDefs.Ids.CREATOR_ALL_ACL);
        assertThat(sasl.getAuthInfos()).isNullOrEmpty();
    }

    private static final String DIGEST = "org.apache.zookeeper.server.auth.DigestLoginModule";
    private static final String CLIENT = "Client { " + DIGEST + " required username=\"qs\" password=\"secret\"; };";

    private String jaas(String text) throws IOException {
        Path file = Files.createTempFile(dir, "jaas", ".conf");
        Files.writeString(file, text);
        return file.toString();
    }
}
