package io.querysniper.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One node's current picture of the cluster, for status pages and metrics.
 *
 * @param self           this node's id
 * @param members        live members as last read from ZooKeeper (including this node)
 * @param owned          databases this node holds the latch of, with the instant it got it
 * @param configMismatch live members whose config hash differs from this node's
 * @param connection     ZooKeeper connection state as seen by this node (e.g. CONNECTED, SUSPENDED)
 */
public record ClusterView(String self, List<NodeInfo> members, Map<String, Instant> owned,
                          List<NodeInfo> configMismatch, String connection) {
    public ClusterView {
        members = List.copyOf(members);
        owned = Map.copyOf(owned);
        configMismatch = List.copyOf(configMismatch);
    }
}
