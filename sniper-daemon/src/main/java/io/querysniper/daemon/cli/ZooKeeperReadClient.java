package io.querysniper.daemon.cli;

import io.querysniper.cluster.ZkAuth;
import io.querysniper.cluster.ZkClients;
import io.querysniper.daemon.Daemon;
import io.querysniper.config.ClusterSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.SniperException;
import io.querysniper.core.target.Credentials;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived ZooKeeper client for the read-only commands ({@code cluster status}, {@code journal}),
 * in the cluster's namespace. Without {@code cluster.zookeeper} it reads the embedded ZooKeeper of a
 * node running on this machine.
 */
final class ZooKeeperReadClient {
    private ZooKeeperReadClient() {
    }

    static String connectString(ClusterSettings c) {
        return c.embedded() ? "127.0.0.1:" + c.embeddedPort() : c.zookeeper();
    }

    static CuratorFramework open(LoadedSettings loaded) {
        ClusterSettings c = loaded.settings().cluster();
        String connect = connectString(c);
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .namespace(c.namespace())
                .sessionTimeoutMs((int) c.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) Math.min(c.sessionTimeout().toMillis(), c.connectionTimeout().toMillis()))
                .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3));
        if (ZkAuth.DIGEST.equals(c.authScheme())) {
            Credentials zk = loaded.zookeeperCredentials();
            if (zk == null || zk.password().isEmpty()) {
                throw new UsageException("cluster.auth = digest: pass --credentials FILE with the zookeeper entry");
            }
            ZkClients.secure(b, ZkAuth.DIGEST, (zk.user() + ":" + zk.password()).getBytes(StandardCharsets.UTF_8),
                    Daemon.zkSecurity(c));
        } else if (ZkAuth.SASL.equals(c.authScheme())) {
            try {
                ZkClients.secure(b, ZkAuth.SASL, null, Daemon.zkSecurity(c));
            } catch (SniperException e) {
                throw new UsageException(e.getMessage());
            }
        } else {
            ZkClients.secure(b, null, null, Daemon.zkSecurity(c));
        }
        CuratorFramework client = b.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) c.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                client.close();
                throw new SniperException("cannot reach ZooKeeper at " + connect + " within " + c.connectionTimeout()
                        + (c.embedded() ? " (no cluster.zookeeper set: is a node running here with its embedded ZooKeeper?)" : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new SniperException("interrupted while connecting to ZooKeeper", e);
        }
        return client;
    }
}
