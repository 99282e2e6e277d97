package io.querysniper.cluster;

import io.querysniper.core.SniperException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the cluster adapter, validated once here: every problem is collected and reported
 * together; nothing is clamped.
 *
 * @param connectString     ZooKeeper ensemble ("h1:2181,h2:2181"); null starts an embedded
 *                          single-node ZooKeeper under {@code dataDir/zookeeper}
 * @param namespace         Curator namespace (root znode) shared by cluster and journal
 * @param sessionTimeout    requested ZooKeeper session timeout (the server may negotiate it down)
 * @param connectionTimeout how long {@code start()} waits for a first connection
 * @param policy            what to do with owned databases when coordination is lost
 * @param keepOwnedFor      upper bound for {@link CoordinationLossPolicy#KEEP_OWNED}
 * @param authScheme        ZooKeeper auth scheme: "digest", "sasl" (login from the JVM's JAAS "Client"
 *                          section, see {@link ZkAuth}), or null for none; with any scheme
 *                          everything the cluster writes gets a creator-only ACL
 * @param authBytes         auth payload (for digest: "user:password" in UTF-8); null for "sasl" and
 *                          for none; a secret
 * @param dataDir           node data directory; needed for the embedded ZooKeeper
 * @param embeddedPort      client port of the embedded ZooKeeper (0 = any free port)
 * @param security          TLS and read-only ACL ids ({@link ZkSecurity#NONE} for neither)
 */
public record ClusterOptions(String connectString, String namespace, Duration sessionTimeout,
                             Duration connectionTimeout, CoordinationLossPolicy policy,
                             Duration keepOwnedFor, String authScheme, byte[] authBytes,
                             Path dataDir, int embeddedPort, ZkSecurity security) {

    public static final String DEFAULT_NAMESPACE = "query-sniper";
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);
    public static final int DEFAULT_EMBEDDED_PORT = 2181;

    public ClusterOptions(String connectString, String namespace, Duration sessionTimeout, Duration connectionTimeout,
                          CoordinationLossPolicy policy, Duration keepOwnedFor, String authScheme, byte[] authBytes,
                          Path dataDir, int embeddedPort) {
        this(connectString, namespace, sessionTimeout, connectionTimeout, policy, keepOwnedFor, authScheme, authBytes,
                dataDir, embeddedPort, ZkSecurity.NONE);
    }

    public ClusterOptions {
        authBytes = authBytes == null ? null : authBytes.clone();
        security = security == null ? ZkSecurity.NONE : security;
        List<String> problems = new ArrayList<>();
        if (connectString != null && connectString.isBlank()) {
            problems.add("connectString is blank (use null for the embedded ZooKeeper)");
        }
        if (namespace == null || namespace.isBlank() || namespace.startsWith("/") || namespace.endsWith("/")) {
            problems.add("namespace must be a non-blank znode path without leading/trailing '/': " + namespace);
        }
        if (sessionTimeout == null || sessionTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            problems.add("sessionTimeout must be at least 100ms: " + sessionTimeout);
        }
        if (connectionTimeout == null || connectionTimeout.isNegative() || connectionTimeout.isZero()) {
            problems.add("connectionTimeout must be positive: " + connectionTimeout);
        }
        if (policy == null) {
            problems.add("policy is missing");
        }
        if (keepOwnedFor == null || keepOwnedFor.isNegative()) {
            problems.add("keepOwnedFor must be zero or positive: " + keepOwnedFor);
        } else if (policy == CoordinationLossPolicy.KEEP_OWNED && keepOwnedFor.isZero()) {
            problems.add("keepOwnedFor must be positive with policy KEEP_OWNED");
        }
        if (ZkAuth.SASL.equals(authScheme)) {
            if (authBytes != null) {
                problems.add("authScheme sasl takes no authBytes (the login comes from the JAAS \"Client\" section)");
            }
        } else if ((authScheme == null) != (authBytes == null)) {
            problems.add("authScheme and authBytes go together (scheme=" + authScheme + ", bytes="
                    + (authBytes == null ? "none" : "***") + ")");
        }
        if (connectString == null && dataDir == null) {
            problems.add("dataDir is required for the embedded ZooKeeper (no connectString)");
        }
        if (embeddedPort < 0 || embeddedPort > 65535) {
            problems.add("embeddedPort out of range: " + embeddedPort);
        }
        if (!security.readOnlyIds().isEmpty() && authScheme == null) {
            problems.add("read-only ids need an auth scheme (without one every znode is open to all)");
        }
        if (!problems.isEmpty()) {
            throw new SniperException("invalid cluster options: " + String.join("; ", problems));
        }
    }

    /** Defaults of the issue: namespace query-sniper, 10 s session, policy STOP, no auth. */
    public static ClusterOptions defaults(String connectString, Path dataDir) {
        return new ClusterOptions(connectString, DEFAULT_NAMESPACE, DEFAULT_SESSION_TIMEOUT,
                DEFAULT_CONNECTION_TIMEOUT, CoordinationLossPolicy.STOP, Duration.ZERO, null, null,
                dataDir, DEFAULT_EMBEDDED_PORT);
    }

    public ClusterOptions withNamespace(String ns) {
        return new ClusterOptions(connectString, ns, sessionTimeout, connectionTimeout, policy,
                keepOwnedFor, authScheme, authBytes, dataDir, embeddedPort, security);
    }

    public ClusterOptions withSessionTimeout(Duration timeout) {
        return new ClusterOptions(connectString, namespace, timeout, connectionTimeout, policy,
                keepOwnedFor, authScheme, authBytes, dataDir, embeddedPort, security);
    }

    public ClusterOptions withPolicy(CoordinationLossPolicy p, Duration keepFor) {
        return new ClusterOptions(connectString, namespace, sessionTimeout, connectionTimeout, p,
                keepFor, authScheme, authBytes, dataDir, embeddedPort, security);
    }

    public ClusterOptions withAuth(String scheme, byte[] bytes) {
        return new ClusterOptions(connectString, namespace, sessionTimeout, connectionTimeout, policy,
                keepOwnedFor, scheme, bytes, dataDir, embeddedPort, security);
    }

    public ClusterOptions withEmbeddedPort(int port) {
        return new ClusterOptions(connectString, namespace, sessionTimeout, connectionTimeout, policy,
                keepOwnedFor, authScheme, authBytes, dataDir, port, security);
    }

    public ClusterOptions withSecurity(ZkSecurity s) {
        return new ClusterOptions(connectString, namespace, sessionTimeout, connectionTimeout, policy,
                keepOwnedFor, authScheme, authBytes, dataDir, embeddedPort, s);
    }

    /** A copy: the record must stay immutable. */
    @Override
    public byte[] authBytes() {
        return authBytes == null ? null : authBytes.clone();
    }

    boolean hasAuth() {
        return authScheme != null;
    }

    /** Masks the auth secret. */
    @Override
    public String toString() {
        return "ClusterOptions[connectString=" + (connectString == null ? "<embedded>" : connectString)
                + ", namespace=" + namespace + ", sessionTimeout=" + sessionTimeout
                + ", connectionTimeout=" + connectionTimeout + ", policy=" + policy
                + ", keepOwnedFor=" + keepOwnedFor + ", authScheme=" + authScheme
                + ", authBytes=" + (authBytes == null ? "none" : "***") + ", dataDir=" + dataDir
                + ", embeddedPort=" + embeddedPort + ", tls=" + (security.tls() != null)
                + ", readOnlyIds=" + security.readOnlyIds() + "]";
    }
}
