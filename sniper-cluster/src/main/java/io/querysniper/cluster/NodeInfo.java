package io.querysniper.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a node announces about itself in ZooKeeper.
 *
 * @param configHash               hash of the node's effective configuration minus secrets; nodes that
 *                                 differ are reported as a config mismatch
 * @param startedAt                when the node joined, or null when not known (e.g. before {@code start()})
 * @param sessionTimeout           the session timeout the node asked for, or null when not known
 * @param negotiatedSessionTimeout the one the ZooKeeper server granted (bounded by 2 to 20 of its
 *                                 ticks), or null when not known
 */
public record NodeInfo(String id, String host, String version, String configHash, Instant startedAt,
                       Duration sessionTimeout, Duration negotiatedSessionTimeout) {

    public NodeInfo {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("node id must not be blank");
        }
        host = host == null ? "" : host;
        version = version == null ? "" : version;
        configHash = configHash == null ? "" : configHash;
    }

    public NodeInfo(String id, String host, String version, String configHash, Instant startedAt) {
        this(id, host, version, configHash, startedAt, null, null);
    }

    public NodeInfo(String id, String host, String version, String configHash) {
        this(id, host, version, configHash, null);
    }

    NodeInfo withStartedAt(Instant at) {
        return new NodeInfo(id, host, version, configHash, at, sessionTimeout, negotiatedSessionTimeout);
    }

    NodeInfo withSessionTimeouts(Duration requested, Duration negotiated) {
        return new NodeInfo(id, host, version, configHash, startedAt, requested, negotiated);
    }

    /** True when both timeouts are known and the server granted another than the one asked for. */
    public boolean sessionTimeoutRenegotiated() {
        return sessionTimeout != null && negotiatedSessionTimeout != null && !sessionTimeout.equals(negotiatedSessionTimeout);
    }
}
