package io.querysniper.config;

import java.time.Duration;

/**
 * {@code query-sniper.cluster}.
 *
 * @param zookeeper          connect string {@code h1:2181,h2:2181}, or null to start an embedded ZooKeeper
 * @param namespace          Curator namespace every node and the journal write under
 * @param authScheme         null (no auth), {@code "digest"} (credentials file entry {@code zookeeper})
 *                           or {@code "sasl"} (JAAS configuration of the JVM)
 * @param embeddedPort       client port of the embedded ZooKeeper
 */
public record ClusterSettings(
        String zookeeper,
        String namespace,
        Duration sessionTimeout,
        Duration connectionTimeout,
        CoordinationLossPolicy onCoordinationLoss,
        Duration keepOwnedFor,
        String authScheme,
        int embeddedPort) {

    public boolean embedded() {
        return zookeeper == null;
    }
}
