package io.querysniper.journal;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test records and clients. */
final class Records {
    private Records() {
    }

    static KillRecord intent(RecordIds ids, Instant t, String node, String database, String rule) {
        return new KillRecord(ids.next(t), t, node, database, 42, 7, "app", "10.0.0.1:5555", "shop", "Query",
                "Sending data", 12_000, 30_000, 0, rule, KillAction.KILL_QUERY, KillOutcome.PENDING, null,
                "select * from orders where id = ?", "ab12cd34", null, Map.of("application", "web"), false);
    }

    static KillRecord killed(KillRecord intent) {
        return intent.complete(KillOutcome.KILLED, null, intent.time().plusMillis(3));
    }

    /** A client that gives up quickly when ZooKeeper is away, so tests see outages fast. */
    static CuratorFramework client(String connect, String namespace) {
        return client(connect, namespace, null);
    }

    /**
     * A client as the daemon gives the journal with {@code cluster.auth = digest}: it authenticates with
     * {@code userColonPassword} and creates everything creator-only (ZooDefs.Ids.CREATOR_ALL_ACL, what the
     * cluster's ZkAuth sets). Null: no auth, open ACLs.
     */
    static CuratorFramework client(String connect, String namespace, String userColonPassword) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .namespace(namespace)
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(2_000)
                .retryPolicy(new RetryNTimes(2, 100));
        if (userColonPassword != null) {
            builder.authorization("digest", userColonPassword.getBytes(StandardCharsets.UTF_8))
                    .aclProvider(new ACLProvider() {
                        @Override
                        public List<ACL> getDefaultAcl() {
                            return ZooDefs.Ids.CREATOR_ALL_ACL;
                        }

                        @Override
                        public List<ACL> getAclForPath(String path) {
                            return ZooDefs.Ids.CREATOR_ALL_ACL;
                        }
                    });
        }
        CuratorFramework c = builder.build();
        c.start();
        try {
            if (!c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper at " + connect + " not reachable");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return c;
    }
}
