package io.querysniper.cluster;

import io.querysniper.testkit.zk.FourLetterWords;
import io.querysniper.testkit.zk.ZooKeeperEnsemble;
import io.querysniper.testkit.zk.ZooKeeperProcess;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The testkit's ZooKeeper process helper: three real server processes, one killed with -9. */
class ZooKeeperEnsembleIT {

    @Test
    void quorumHoldsWhenOneServerProcessIsKilled() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(3);
             CuratorFramework client = CuratorFrameworkFactory.newClient(zk.connectString(), 5000, 5000,
                     new ExponentialBackoffRetry(100, 10))) {
            client.start();
            assertThat(client.blockUntilConnected(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            client.create().forPath("/before", "1".getBytes(StandardCharsets.UTF_8));

            ZooKeeperProcess victim = zk.server(0);
            assertThat(victim.answersRuok()).isTrue();
            long pid = victim.pid();
            victim.kill();
            assertThat(victim.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(zk.awaitQuorum(Duration.ofSeconds(20))).isTrue();
            assertThat(zk.servingCount()).isEqualTo(2);

            client.create().forPath("/after", "2".getBytes(StandardCharsets.UTF_8));
            assertThat(client.getData().forPath("/before")).isEqualTo("1".getBytes(StandardCharsets.UTF_8));

            victim.start();
            assertThat(victim.awaitServing(Duration.ofSeconds(30))).as(victim.log()).isTrue();
            assertThat(FourLetterWords.mode("127.0.0.1", victim.clientPort())).isIn("follower", "leader");
        }
    }
}
