package io.querysniper.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The owner directory {@code /<ns>/owners/<db>}: who owns which database since when, for
 * {@code cluster status} and people. Advisory only (fencing never reads it). Entries are ephemeral
 * and written off the latch's thread, on a single events thread, so a slow write delays nothing.
 */
final class OwnerDirectory {
    private static final Logger log = LoggerFactory.getLogger(OwnerDirectory.class);

    private final CuratorFramework client;
    private final String selfId;
    private final ExecutorService events;

    OwnerDirectory(CuratorFramework client, String selfId, ExecutorService events) {
        this.client = client;
        this.selfId = selfId;
        this.events = events;
    }

    /** Records this node as the owner of {@code db}, as long as {@code stillLeader} says so. */
    void claim(String db, Instant since, BooleanSupplier stillLeader) {
        submit(() -> write(db, since, stillLeader));
    }

    /** Removes the entry of {@code db} if this node's session wrote it. */
    void clearIfMine(String db) {
        submit(() -> deleteIfMine(db));
    }

    private void write(String db, Instant since, BooleanSupplier stillLeader) {
        String path = ClusterPaths.owner(db);
        byte[] data = Payloads.owner(new OwnerInfo(selfId, since));
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (!stillLeader.getAsBoolean()) {
                    return;
                }
                try {
                    client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                    return;
                } catch (KeeperException.NodeExistsException e) {
                    Stat stat = client.checkExists().forPath(path);
                    if (stat == null) {
                        continue;
                    }
                    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
                    if (stat.getEphemeralOwner() == session) {
                        client.setData().withVersion(stat.getVersion()).forPath(path, data);
                        return;
                    }
                    // A previous owner's entry: replace it so it does not vanish with their session.
                    try {
                        client.delete().withVersion(stat.getVersion()).forPath(path);
                    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
                        // raced with its owner; retry
                    }
                }
            }
        } catch (Exception e) {
            log.warn("Could not record ownership of {} in ZooKeeper: {}", db, e.toString());
        }
    }

    private void deleteIfMine(String db) {
        String path = ClusterPaths.owner(db);
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == client.getZookeeperClient().getZooKeeper().getSessionId()) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
            // someone else's now
        } catch (Exception e) {
            log.debug("Could not clear owner entry of {}: {}", db, e.toString());
        }
    }

    private void submit(Runnable task) {
        if (!events.isShutdown()) {
            try {
                events.execute(task);
            } catch (RejectedExecutionException closing) {
                // closing: the session end removes our entries anyway
            }
        }
    }
}
