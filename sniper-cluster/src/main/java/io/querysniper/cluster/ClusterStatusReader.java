package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads live nodes and database owners from ZooKeeper, e.g. with a short-lived client for
 * {@code bin/query-sniper cluster status}. The client must use the cluster's namespace (as
 * {@link ClusterNode#client()} does).
 */
public final class ClusterStatusReader {
    private final CuratorFramework client;

    public ClusterStatusReader(CuratorFramework client) {
        this.client = client;
    }

    /**
     * Reads nodes and owners without comparing configurations ({@code configMismatch} is empty).
     *
     * @param configuredDatabases the databases of the configuration; those without an owner are
     *                            listed as unowned (owners of other databases are still shown)
     */
    public ClusterStatus read(Collection<String> configuredDatabases) {
        return read(configuredDatabases, null);
    }

    /**
     * @param configuredDatabases the databases of the configuration; those without an owner are
     *                            listed as unowned (owners of other databases are still shown)
     * @param expectedConfigHash  the config hash of the configuration the reader was given (as a
     *                            node announces it in {@link NodeInfo#configHash()}); live nodes
     *                            announcing another are listed in {@link ClusterStatus#configMismatch()};
     *                            null compares nothing
     */
    public ClusterStatus read(Collection<String> configuredDatabases, String expectedConfigHash) {
        try {
            List<NodeInfo> nodes = new ArrayList<>();
            for (String child : children(ClusterPaths.NODES)) {
                byte[] data = data(ClusterPaths.NODES + "/" + child);
                if (data != null) {
                    nodes.add(Payloads.node(data, ClusterPaths.decode(child)));
                }
            }
            Map<String, OwnerInfo> owners = new TreeMap<>();
            for (String child : children(ClusterPaths.OWNERS)) {
                byte[] data = data(ClusterPaths.OWNERS + "/" + child);
                if (data != null) {
                    owners.put(ClusterPaths.decode(child), Payloads.owner(data));
                }
            }
            List<String> unowned = new ArrayList<>();
            for (String db : new TreeSet<>(configuredDatabases)) {
                if (!owners.containsKey(db)) {
                    unowned.add(db);
                }
            }
            List<String> mismatch = new ArrayList<>();
            if (expectedConfigHash != null) {
                for (NodeInfo n : nodes) {
                    if (!expectedConfigHash.equals(n.configHash())) {
                        mismatch.add(n.id());
                    }
                }
            }
            return new ClusterStatus(nodes, owners, unowned, mismatch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while reading cluster status", e);
        } catch (Exception e) {
            throw new SniperException("cannot read cluster status from ZooKeeper: " + e.getMessage(), e);
        }
    }

    private List<String> children(String path) throws Exception {
        try {
            return new ArrayList<>(new TreeSet<>(client.getChildren().forPath(path)));
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        }
    }

    private byte[] data(String path) throws Exception {
        try {
            return client.getData().forPath(path);
        } catch (KeeperException.NoNodeException gone) {
            return null;
        }
    }
}
