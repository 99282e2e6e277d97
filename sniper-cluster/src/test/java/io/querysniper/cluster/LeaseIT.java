package io.querysniper.cluster;

import io.querysniper.testkit.Timing;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the lease costs ZooKeeper while nothing changes: its heartbeat must not be a write. It was a
 * {@code multi} of one {@code check} per owned latch znode, a transaction the server logged, fsynced and
 * kept in memory (its last 500, for followers): at 1,000 databases 60 KB a second and about 100 MB of
 * the node's heap. That a deleted latch znode still stops the owner is {@link OwnershipIT}'s to show.
 */
class LeaseIT {
    @RegisterExtension
    final ZkServerExtension zk = new ZkServerExtension();
    private final List<ClusterNode> nodes = zk.nodes();

    @Test
    void heartbeatsOfAnOwnerWriteNoTransaction() throws Exception {
        List<String> dbs = ZkTesting.databases(20);
        ClusterNode a = ZkTesting.node("a", ZkTesting.options(zk.server().getConnectString()), dbs);
        nodes.add(a);
        a.start();
        await().atMost(Timing.seconds(10)).until(() -> dbs.stream().allMatch(a::mayKill));
        // The owners are published after the latches are taken (writes of their own): wait for all of them.
        await().atMost(Timing.seconds(10)).until(() -> {
            for (String db : dbs) {
                if (a.client().checkExists().forPath(ClusterPaths.owner(db)) == null) {
                    return false;
                }
            }
            return true;
        });
        try (CuratorFramework probe = CuratorFrameworkFactory.newClient(zk.server().getConnectString(), new RetryOneTime(100))) {
            probe.start();
            long before = zxidOfNewNode(probe, "/lease-probe-1");
            // Ten heartbeats (every T/10 = 200 ms here) while the node owns twenty latches.
            Thread.sleep(ZkTesting.SESSION.toMillis());
            long after = zxidOfNewNode(probe, "/lease-probe-2");
            assertThat(dbs).allMatch(a::mayKill);
            assertThat(after - before).as("transactions between the two probes, besides the second probe").isEqualTo(1);
        }
    }

    private static long zxidOfNewNode(CuratorFramework client, String path) throws Exception {
        client.create().withMode(CreateMode.PERSISTENT).forPath(path);
        Stat stat = client.checkExists().forPath(path);
        return stat.getCzxid();
    }
}
