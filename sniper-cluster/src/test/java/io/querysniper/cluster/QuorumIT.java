package io.querysniper.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.querysniper.testkit.Timing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A 3-server ensemble loses one server: quorum holds and nobody's ownership changes. */
class QuorumIT {
    private TestingCluster ensemble;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private ExclusionChecker checker;

    @AfterEach
    void stopAll() throws Exception {
        if (checker != null) {
            checker.close();
        }
        ZkTesting.closeAll(nodes);
        if (ensemble != null) {
            ensemble.close();
        }
    }

    @Test
    void aDeadZooKeeperServerChangesNoOwnership() throws Exception {
        ensemble = ZkTesting.cluster(3);
        ensemble.start();
        List<String> dbs = ZkTesting.databases(9);
        checker = new ExclusionChecker(dbs);
        for (String id : List.of("a", "b", "c")) {
            ClusterNode n = ZkTesting.node(id, ZkTesting.options(ensemble.getConnectString()), dbs);
            n.start();
            nodes.add(n);
            checker.add(n);
        }
        await().atMost(Timing.seconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ZkTesting.converged(nodes, dbs));
        List<Map<String, Instant>> before = nodes.stream().map(ClusterNode::owned).toList();

        InstanceSpec victim = ensemble.getInstances().iterator().next();
        assertThat(ensemble.killServer(victim)).isTrue();

        // Longer than a session timeout: nobody's session expires, nobody's latch moves. (The observation
        // window is the product's bound and is not scaled; only the time allowed for it is.)
        Duration window = ZkTesting.SESSION.plusMillis(500);
        await().during(window).atMost(window.plus(Timing.seconds(2)))
                .until(() -> nodes.stream().map(ClusterNode::owned).toList().equals(before));
        await().atMost(Timing.seconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> ZkTesting.converged(nodes, dbs));
        assertThat(checker.violations()).isEmpty();
    }
}
