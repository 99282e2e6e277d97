package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.testkit.Timing;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes on one ZooKeeper: each sees the same fleet condition (a database without an owner), but only the
 * holder of the alerts' own latch sends it; when that node goes, another takes over.
 */
class ThreeNodesTest {
    @Test
    void threeNodesSendAFleetEventOnce() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             FakeEndpoint hook = new FakeEndpoint(FakeEndpoint.Answer.of(200, ""))) {
            AlertSinkSettings sink = Sinks.webhook(hook.url(Sinks.WEBHOOK_TOKEN), Duration.ZERO);
            List<AutoCloseable> open = new ArrayList<>();
            List<FleetLatch> latches = new ArrayList<>();
            try {
                for (int i = 1; i <= 3; i++) {
                    CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                            .namespace("qs").retryPolicy(new RetryOneTime(100)).build();
                    c.start();
                    open.add(c);
                    FleetLatch latch = new FleetLatch(c, "n" + i);
                    latch.start();
                    open.add(latch);
                    latches.add(latch);
                    AlertService a = new AlertService("n" + i,
                            Map.of(sink, AlertService.sink(sink, HttpClient.newHttpClient(), Clock.systemUTC())),
                            Clock.systemUTC(),
                            List.of(() -> Set.of(new Condition(Event.NO_OWNER, "orders", "no node holds the latch"))),
                            latch, Duration.ofSeconds(1), AlertDeliveryTest.FAST);
                    a.start();
                    open.add(a);
                }
                await().atMost(Timing.seconds(10)).until(() -> hook.requests().size() >= 1);
                Thread.sleep(Timing.millis(2500).toMillis()); // more ticks and probes of all three nodes
                assertThat(hook.requests()).hasSize(1);
                assertThat(latches.stream().filter(FleetLatch::getAsBoolean)).hasSize(1);

                FleetLatch leader = latches.stream().filter(FleetLatch::getAsBoolean).findFirst().orElseThrow();
                leader.close();
                // The next node takes over: it has not sent the event, so it does, once.
                await().atMost(Timing.seconds(10)).until(() -> hook.requests().size() >= 2);
                Thread.sleep(Timing.millis(2500).toMillis());
                assertThat(hook.requests()).hasSize(2);
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    open.get(i).close();
                }
            }
        }
    }
}
