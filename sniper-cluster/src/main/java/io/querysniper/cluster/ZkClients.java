package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFrameworkFactory;

/**
 * Puts authentication, ACLs and TLS on every Curator client of Query Sniper (the cluster node's and the
 * read-only commands'), so both connect the same way.
 */
public final class ZkClients {
    private ZkClients() {
    }

    /** Auth ({@link ZkAuth}), creator-only ACLs plus READ for the read-only ids, and TLS when configured. */
    public static CuratorFrameworkFactory.Builder secure(CuratorFrameworkFactory.Builder builder, String authScheme,
                                                         byte[] authBytes, ZkSecurity security) {
        ZkSecurity s = security == null ? ZkSecurity.NONE : security;
        ZkAuth.apply(builder, authScheme, authBytes, s.readers());
        if (s.tls() != null) {
            builder.zkClientConfig(s.tls().clientConfig());
        }
        return builder;
    }

    /** {@link #secure(CuratorFrameworkFactory.Builder, String, byte[], ZkSecurity)} with a node's options. */
    public static CuratorFrameworkFactory.Builder secure(CuratorFrameworkFactory.Builder builder, ClusterOptions options) {
        return secure(builder, options.authScheme(), options.authBytes(), options.security());
    }

    /**
     * The warning for a cluster without {@code cluster.auth}: said at every start and by {@code cluster status}.
     */
    public static String openAclWarning(String connectString, String namespace) {
        return "SECURITY WARNING: cluster.auth is not set: every znode under /" + namespace + " on ZooKeeper "
                + connectString + " is world-writable; anyone who reaches ZooKeeper can delete the latches (so two"
                + " nodes kill on one database, or none) or rewrite and delete the kill journal. Set cluster.auth ="
                + " digest (with cluster.tls, or the password crosses the network in clear) or sasl";
    }
}
