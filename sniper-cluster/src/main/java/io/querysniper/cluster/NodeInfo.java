package io.querysniper.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * What a node announces about itself in ZooKeeper.
 *
 * @param configHash hash of the node's effective configuration minus secrets; nodes that differ
 *                   are reported as a config mismatch
 * @param startedAt  when the node joined, or null when not known (e.g. before {@code start()})
 */
public record NodeInfo(String id, String host, String version, String configHash, Instant startedAt) {

    public NodeInfo {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("node id must not be blank");
        }
        host = host == null ? "" : host;
        version = version == null ? "" : version;
        configHash = configHash == null ? "" : configHash;
    }

    public NodeInfo(String id, String host, String version, String configHash) {
        this(id, host, version, configHash, null);
    }

    NodeInfo withStartedAt(Instant at) {
        return new NodeInfo(id, host, version, configHash, at);
    }
}
