package io.querysniper.daemon.process;

import io.querysniper.cluster.ClusterStatus;
import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.cluster.OwnerInfo;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.zk.ZooKeeperEnsemble;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three ZooKeeper server processes, three packaged daemons and one mariadbd with victims arriving
 * continuously. kill -9 of the owner, then a rolling restart of all three: every victim dies, none
 * later than limit + session timeout + interval (crash) or limit + 1.5 s (rolling restart).
 */
@Tag("process")
class FailoverProcessIT {
    private static final long LIMIT_MS = 2000;
    private static final long SESSION_MS = 4000;
    private static final long INTERVAL_MS = 1000;
    /** Client-side measurement: connect, round trips and the JDBC driver's own wake-up. */
    private static final long MEASURE_SLACK_MS = 300;
    /**
     * Victims wait on a named lock this test holds. Not SLEEP(): MariaDB's SLEEP() makes every sleeper
     * share one server mutex that KILL only try-locks, so with many sleepers a KILL QUERY itself
     * blocks for up to 2 s (measured here: kills in flight for 2-3 s), queued kills pile up and the
     * test measures that stall instead of failover. A lock wait has no shared mutex.
     */
    private static final String VICTIM_LOCK = "failover-victims";

    @TempDir
    Path dir;

    record Victim(long startNanos, long endNanos, boolean killed) {
        long lifeMs() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    @Test
    void crashAndRollingRestartLeaveNoVictimAlive() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(3);
             MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
            db.createUser("victim", "victim-pw");
            Connection lockHolder = db.connection(); // holds the lock for the whole test; ends with the server
            try (Statement s = lockHolder.createStatement()) {
                s.execute("SELECT GET_LOCK('" + VICTIM_LOCK + "', 0)");
            }
            Path credentials = dir.resolve("credentials.conf");
            Files.writeString(credentials, "default { user = \"sniper\", password = \"sniper-pw\" }\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            List<DaemonProcess> nodes = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Path config = config(i, zk.connectString(), db.port());
                nodes.add(new DaemonProcess(dir.resolve("n" + i + ".log"), "run", "--config", config.toString(),
                        "--credentials", credentials.toString()));
            }
            int[] starts = new int[3];
            ConcurrentLinkedQueue<Victim> victims = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newCachedThreadPool();
            try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                    .namespace("query-sniper").retryPolicy(new RetryOneTime(200)).build()) {
                client.start();
                for (int i = 0; i < 3; i++) {
                    nodes.get(i).start();
                    starts[i]++;
                }
                for (DaemonProcess n : nodes) {
                    assertThat(n.awaitLog("query-sniper running", 1, Duration.ofSeconds(90))).as(n.log()).isTrue();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> owner(client) != null);

                Thread generator = new Thread(() -> generate(db, pool, victims, stop), "victim-generator");
                generator.start();
                Thread.sleep(3000);

                // 1. kill -9 the owner.
                int crashed = Integer.parseInt(owner(client).nodeId().substring(1)) - 1;
                long crashAt = System.nanoTime();
                nodes.get(crashed).crash();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    OwnerInfo o = owner(client);
                    return o != null && !o.nodeId().equals("n" + (crashed + 1));
                });
                long crashWindowEnd = System.nanoTime() + 2_000_000_000L;
                nodes.get(crashed).start();
                starts[crashed]++;
                assertThat(nodes.get(crashed).awaitLog("query-sniper running", starts[crashed], Duration.ofSeconds(90)))
                        .isTrue();
                Thread.sleep(2000);

                // 2. Rolling restart: SIGTERM, wait for the exit, start again, let it settle.
                long rollingFrom = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    assertThat(nodes.get(i).terminate(Duration.ofSeconds(10))).as("node %d stops", i + 1)
                            .isNotNull().isLessThan(Duration.ofSeconds(5));
                    nodes.get(i).start();
                    starts[i]++;
                    assertThat(nodes.get(i).awaitLog("query-sniper running", starts[i], Duration.ofSeconds(90)))
                            .as(nodes.get(i).log()).isTrue();
                    Thread.sleep(1500);
                }
                stop.set(true);
                generator.join();
                pool.shutdown();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

                List<String> late = new ArrayList<>();
                int inCrash = 0;
                long maxCrash = 0;
                long maxOther = 0;
                for (Victim v : victims) {
                    long deadline = v.startNanos() + LIMIT_MS * 1_000_000;
                    boolean crashWindow = deadline >= crashAt - INTERVAL_MS * 1_000_000 && deadline <= crashWindowEnd;
                    long bound = LIMIT_MS + MEASURE_SLACK_MS + (crashWindow ? SESSION_MS + INTERVAL_MS : 1500);
                    if (crashWindow) {
                        inCrash++;
                        maxCrash = Math.max(maxCrash, v.lifeMs());
                    } else {
                        maxOther = Math.max(maxOther, v.lifeMs());
                    }
                    if (!v.killed() || v.lifeMs() > bound) {
                        late.add((v.killed() ? "late " : "missed ") + v.lifeMs() + " ms (bound " + bound + " ms, "
                                + ((v.startNanos() - rollingFrom) / 1_000_000) + " ms after the rolling restart began)");
                    }
                }
                System.out.printf("failover: %d victims, %d around the crash (longest life %d ms), others longest %d ms"
                        + " (limit %d ms)%n", victims.size(), inCrash, maxCrash, maxOther, LIMIT_MS);
                assertThat(victims.size()).isGreaterThan(40);
                assertThat(inCrash).isGreaterThan(0);
                assertThat(late).as("victims past their bound of %d", victims.size()).isEmpty();
            } finally {
                stop.set(true);
                pool.shutdownNow();
                nodes.forEach(DaemonProcess::close);
            }
        }
    }

    private static OwnerInfo owner(CuratorFramework client) {
        try {
            ClusterStatus s = new ClusterStatusReader(client).read(Set.of("shop"));
            return s.owners().get("shop");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A new victim every 250 ms, each on its own connection, each a SLEEP that only a kill ends early. */
    private static void generate(MariaDbServer db, ExecutorService pool, ConcurrentLinkedQueue<Victim> out,
                                 AtomicBoolean stop) {
        while (!stop.get()) {
            pool.submit(() -> {
                try (Connection c = db.connection("victim", "victim-pw"); Statement s = c.createStatement()) {
                    long t0 = System.nanoTime();
                    boolean killed;
                    try (ResultSet rs = s.executeQuery("SELECT GET_LOCK('" + VICTIM_LOCK + "', 20)")) {
                        rs.next();
                        killed = rs.getObject(1) == null; // NULL when KILL QUERY interrupts the wait; 0 on timeout
                    } catch (SQLException e) {
                        killed = true;
                    }
                    out.add(new Victim(t0, System.nanoTime(), killed));
                } catch (SQLException | RuntimeException e) {
                    // could not connect: not a victim
                }
            });
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Path config(int node, String zookeeper, int port) throws IOException {
        return Files.writeString(dir.resolve("n" + node + ".conf"), """
                query-sniper {
                  node-id = "n%d"
                  data-dir = "data-n%d"
                  databases {
                    shop {
                      host = "127.0.0.1", port = %d
                      tls { mode = disabled }
                      interval = %dms
                      rules = [ { name = victims, match { user = [victim] }, busy-time = %dms, action = kill-query } ]
                    }
                  }
                  cluster { zookeeper = "%s", session-timeout = %dms }
                }
                """.formatted(node, node, port, INTERVAL_MS, LIMIT_MS, zookeeper, SESSION_MS));
    }
}
