package io.querysniper.journal;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

import java.time.Instant;
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
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .namespace(namespace)
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(2_000)
                .retryPolicy(new RetryNTimes(2, 100))
                .build();
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
