package io.querysniper.daemon.e2e;

import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.cluster.NodeInfo;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerPort;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.daemon.PortFactory;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The daemon in process, as `run` wires it: cluster node, journal, one database. */
class DaemonLifecycleIT {
    private static final Duration WAIT = Timing.seconds(20);
    private static final String MISMATCH = "query_sniper_cluster_config_mismatch_nodes";

    @TempDir
    Path dir;

    @Test
    void aSingleNodeWithItsEmbeddedZooKeeperOwnsItsDatabaseAndStopsOwningIt() throws Exception {
        MariaDbServer db = Servers.primary();
        Daemon daemon = new Daemon(settings("lifecycle", db, "cluster.embedded-port = " + FreePort.next(), "30s"),
                false, Clock.systemUTC(), DefaultPorts.mysql(), List.of());
        try {
            daemon.start();
            assertThat(daemon.state()).isEqualTo(Daemon.State.RUNNING);
            await().atMost(WAIT).until(() -> daemon.cluster().mayKill("primary"));
            assertThat(mismatch(daemon)).as("one node agrees with itself").isZero();
        } finally {
            daemon.close();
        }
        assertThat(daemon.state()).isEqualTo(Daemon.State.STOPPED);
        assertThat(daemon.cluster().mayKill("primary")).isFalse();
        assertThat(daemon.cluster().owned()).isEmpty();
        daemon.close(); // idempotent: returns at once, changes nothing
        assertThat(daemon.state()).isEqualTo(Daemon.State.STOPPED);
        assertThat(daemon.awaitStopped(0, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Two nodes with different configs on one ZooKeeper: both report the mismatch. Then the owner stops,
     * and while it is still stopping (its watchers are being closed, its ZooKeeper session still open) the
     * standby already owns the database: the database was given up first, not with the session at the end.
     */
    @Test
    void twoNodesReportTheirConfigMismatchAndTheOwnerHandsOverBeforeItStops() throws Exception {
        MariaDbServer db = Servers.primary();
        try (TestingServer zk = new TestingServer(FreePort.next(), true);
             CuratorFramework observer = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                     .namespace("query-sniper").retryPolicy(new RetryOneTime(100)).build()) {
            observer.start();
            String cluster = "cluster.zookeeper = \"" + zk.getConnectString() + "\"";
            Map<String, Daemon> nodes = new ConcurrentHashMap<>();
            Map<String, String> seenAtClose = new ConcurrentHashMap<>();
            AtomicReference<String> observed = new AtomicReference<>();
            for (String id : List.of("a", "b")) {
                // Different busy-time per node: different effective configs, different hashes.
                LoadedSettings s = settings(id, db, cluster, id.equals("a") ? "30s" : "31s");
                PortFactory ports = observingClose(() -> {
                    if (id.equals(observed.get())) {
                        seenAtClose.putAll(lookAtTheCluster(id, nodes, observer));
                    }
                });
                nodes.put(id, new Daemon(s, false, Clock.systemUTC(), ports, List.of()));
            }
            try {
                nodes.get("a").start();
                nodes.get("b").start();
                await("each node reports the other's config").atMost(WAIT).until(() -> mismatch(nodes.get("a")) == 1 && mismatch(nodes.get("b")) == 1);

                // Ownership settles on one of them (the balancer may hand it over once after b joins).
                await("one owner, stable").atMost(WAIT).during(Timing.seconds(2)).until(() ->
                        nodes.get("a").cluster().mayKill("primary") != nodes.get("b").cluster().mayKill("primary"));
                String owner = nodes.get("a").cluster().mayKill("primary") ? "a" : "b";
                String standby = owner.equals("a") ? "b" : "a";

                observed.set(owner);
                nodes.get(owner).close();

                assertThat(seenAtClose).as("what the owner's port saw when the engine closed it").containsExactlyInAnyOrderEntriesOf(Map.of(
                        "owner state", "STOPPING",
                        "owner may kill", "false",
                        "standby may kill", "true",
                        "owner still a live member", "true"));
                assertThat(nodes.get(owner).state()).isEqualTo(Daemon.State.STOPPED);
                assertThat(nodes.get(standby).cluster().mayKill("primary")).isTrue();
                await("no mismatch once the other node left").atMost(WAIT).until(() -> mismatch(nodes.get(standby)) == 0);
            } finally {
                nodes.values().forEach(Daemon::close);
            }
        }
    }

    /**
     * Called from inside the closing node's close(), when its engine closes its server port: the
     * watchers have stopped, the journal and the cluster node have not.
     */
    private static Map<String, String> lookAtTheCluster(String closing, Map<String, Daemon> nodes,
                                                        CuratorFramework observer) {
        Daemon self = nodes.get(closing);
        Daemon other = nodes.get(closing.equals("a") ? "b" : "a");
        boolean mayKill = self.cluster().mayKill("primary");
        boolean standbyOwns;
        try {
            // The standby is queued on the latch: it takes over as soon as the latch node is gone.
            await().atMost(WAIT).until(() -> other.cluster().mayKill("primary"));
            standbyOwns = true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            standbyOwns = false;
        }
        boolean member = new ClusterStatusReader(observer).read(Set.of("primary")).nodes().stream()
                .map(NodeInfo::id).anyMatch(closing::equals);
        return Map.of("owner state", self.state().name(), "owner may kill", String.valueOf(mayKill),
                "standby may kill", String.valueOf(standbyOwns), "owner still a live member", String.valueOf(member));
    }

    /** The production adapter, with {@code onFirstClose} run when the daemon first closes the port. */
    private static PortFactory observingClose(Runnable onFirstClose) {
        PortFactory real = DefaultPorts.mysql();
        return (target, credentials, nodeId, clock) -> {
            ServerPort port = real.open(target, credentials, nodeId, clock);
            AtomicBoolean closed = new AtomicBoolean();
            return new ServerPort() {
                @Override
                public ServerSnapshot snapshot(StatusNeeds needs) {
                    return port.snapshot(needs);
                }

                @Override
                public KillResult kill(KillRequest request) {
                    return port.kill(request);
                }

                @Override
                public void close() {
                    if (closed.compareAndSet(false, true)) {
                        try {
                            onFirstClose.run();
                        } finally {
                            port.close();
                        }
                    }
                }
            };
        };
    }

    private static double mismatch(Daemon d) {
        return d.metrics().get(MISMATCH).gauge().value();
    }

    private LoadedSettings settings(String node, MariaDbServer db, String cluster, String busyTime) throws IOException {
        Path config = Files.writeString(dir.resolve(node + ".conf"), "query-sniper {\n  node-id = " + node + "\n"
                + "  data-dir = \"data-" + node + "\"\n  " + cluster + "\n"
                + "  http.listen = off\n" // two nodes in one process: the default port would be taken twice
                + "  databases { primary { host = \"" + db.host() + "\", port = " + db.port()
                + ", tls { mode = disabled }\n"
                + "    rules = [ { name = long, busy-time = " + busyTime + " } ] } }\n}\n");
        Path credentials = dir.resolve("credentials.conf");
        if (!Files.exists(credentials)) {
            Servers.credentialsFile(credentials);
        }
        return SettingsLoader.load(config, credentials);
    }
}
