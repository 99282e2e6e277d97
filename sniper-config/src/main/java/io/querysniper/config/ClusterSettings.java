package io.querysniper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code query-sniper.cluster}.
 *
 * @param zookeeper          connect string {@code h1:2181,h2:2181}, or null to start an embedded ZooKeeper
 * @param namespace          Curator namespace every node and the journal write under
 * @param authScheme         null (no auth), {@code "digest"} (credentials file entry {@code zookeeper})
 *                           or {@code "sasl"} (JAAS configuration of the JVM)
 * @param embeddedPort       client port of the embedded ZooKeeper
 * @param tlsCa              {@code cluster.tls.ca}: TLS to ZooKeeper when set, verified against it
 * @param tlsCert            {@code cluster.tls.cert}, or null (mutual TLS with {@code tlsKey})
 * @param tlsKey             {@code cluster.tls.key}, or null
 * @param readOnlyIds        ACL ids ({@code digest:user:hash}, {@code sasl:principal}) given READ on every znode
 */
public record ClusterSettings(
        String zookeeper,
        String namespace,
        Duration sessionTimeout,
        Duration connectionTimeout,
        CoordinationLossPolicy onCoordinationLoss,
        Duration keepOwnedFor,
        String authScheme,
        int embeddedPort,
        Path tlsCa,
        Path tlsCert,
        Path tlsKey,
        List<String> readOnlyIds) {

    public ClusterSettings {
        readOnlyIds = readOnlyIds == null ? List.of() : List.copyOf(readOnlyIds);
    }

    public ClusterSettings(String zookeeper, String namespace, Duration sessionTimeout, Duration connectionTimeout,
                           CoordinationLossPolicy onCoordinationLoss, Duration keepOwnedFor, String authScheme,
                           int embeddedPort) {
        this(zookeeper, namespace, sessionTimeout, connectionTimeout, onCoordinationLoss, keepOwnedFor, authScheme,
                embeddedPort, null, null, null, List.of());
    }

    /** True when the connection to ZooKeeper is TLS. */
    public boolean tls() {
        return tlsCa != null;
    }

    public boolean embedded() {
        return zookeeper == null;
    }
}
