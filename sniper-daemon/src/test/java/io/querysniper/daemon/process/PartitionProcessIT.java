package io.querysniper.daemon.process;

import io.querysniper.cluster.ClusterStatus;
import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.cluster.NodeInfo;
import io.querysniper.cluster.OwnerInfo;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.zk.ZooKeeperEnsemble;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Faults for real: two packaged daemons, each in its own network namespace, three ZooKeeper processes
 * and one mariadbd in the test's namespace, victims arriving continuously.
 * <ol>
 * <li>The owner's ZooKeeper traffic is dropped while its MySQL traffic still flows: it must stop killing
 * within T/4 plus one heartbeat (the server's general log says when its last KILL arrived), the other
 * node takes over once the server expires the cut-off session, and after the cut heals the node comes
 * back as a member queued on the latch.</li>
 * <li>Then the owner's MySQL traffic is dropped while ZooKeeper still flows: the database must be watched
 * again once MySQL comes back (by it, or by a standby), every victim killed.</li>
 * </ol>
 * Throughout: never two nodes killing on one database, from the server's side (each node logs in as its
 * own user) and from the journal ({@link KillOverlap}). Skips where network namespaces are not permitted.
 */
@Tag("process")
class PartitionProcessIT {
    private static final long LIMIT_MS = 2000;
    private static final long SESSION_MS = 4000;
    private static final long INTERVAL_MS = 1000;
    private static final long MYSQL_CUT_MS = 6000;
    private static final Duration TERM_GAP = Duration.ofSeconds(1);
    private static final String VICTIM_LOCK = "partition-victims";
    private static final int QUERY_INTERRUPTED = 1317;

    @TempDir
    Path dir;

    record Victim(long startNanos, long endNanos, boolean killed, String detail) {
        long lifeMs() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    @Test
    void aNodeCutOffZooKeeperStopsInTimeAnotherTakesOverAndAMysqlCutHeals() throws Exception {
        String why = NetNamespaces.unavailable();
        Assumptions.assumeTrue(why == null, () -> "network namespaces not available, partition test skipped: " + why);
        try (NetNamespaces net = NetNamespaces.create(2);
             ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(3, "0.0.0.0");
             MariaDbServer db = MariaDbServer.builder().option("--bind-address=0.0.0.0").option("--general-log=ON")
                     .option("--log-output=TABLE").build().start()) {
            List<DaemonProcess> nodes = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                db.createUser("sniper" + i, "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
                Path credentials = dir.resolve("credentials-n" + i + ".conf");
                Files.writeString(credentials, "default { user = \"sniper" + i + "\", password = \"sniper-pw\" }\n");
                Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
                String connect = zk.connectString().replace("127.0.0.1", net.zooKeeperHost(i));
                Path config = config(i, connect, net.mysqlHost(i), db.port());
                nodes.add(new DaemonProcess(net.exec(i), dir.resolve("n" + i + ".log"), "run", "--config",
                        config.toString(), "--credentials", credentials.toString()));
            }
            db.createUser("victim", "victim-pw");
            Connection lockHolder = db.connection();
            try (Statement s = lockHolder.createStatement()) {
                s.execute("SELECT GET_LOCK('" + VICTIM_LOCK + "', 0)");
            }
            Instant testStart = Instant.now();
            ConcurrentLinkedQueue<Victim> victims = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newCachedThreadPool();
            try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                    .namespace("query-sniper").retryPolicy(new RetryOneTime(200)).build()) {
                client.start();
                nodes.forEach(DaemonProcess::start);
                for (DaemonProcess n : nodes) {
                    assertThat(n.awaitLog("query-sniper running", 1, Timing.seconds(90))).as(n.log()).isTrue();
                }
                await().atMost(Timing.seconds(30)).until(() -> owner(client) != null);
                Thread generator = new Thread(() -> generate(db, pool, victims, stop), "victim-generator");
                generator.start();
                Thread.sleep(4000);

                // 1. Cut the owner off ZooKeeper; its MySQL traffic still flows.
                int cut = Integer.parseInt(owner(client).nodeId().substring(1));
                String cutNode = "n" + cut;
                Instant cutAt = Instant.now();
                long cutNanos = System.nanoTime();
                net.cutZooKeeper(cut);
                await().atMost(Timing.seconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    OwnerInfo o = owner(client);
                    return o != null && !o.nodeId().equals(cutNode);
                });
                long takeoverMs = (System.nanoTime() - cutNanos) / 1_000_000;
                Thread.sleep(3000);
                List<KillOverlap.Kill> sentBeforeHeal = KillsSeen.inTheGeneralLog(db, 2);
                Instant lastByCut = sentBeforeHeal.stream().filter(k -> k.node().equals(cutNode))
                        .map(KillOverlap.Kill::at).max(Comparator.naturalOrder()).orElse(Instant.MIN);
                Instant firstByOther = sentBeforeHeal.stream().filter(k -> !k.node().equals(cutNode)
                        && k.at().isAfter(cutAt)).map(KillOverlap.Kill::at).min(Comparator.naturalOrder()).orElse(null);

                // Heal: the cut-off node learns its session expired, rejoins with a new one, queued on the latch.
                net.healZooKeeper(cut);
                long healNanos = System.nanoTime();
                await().atMost(Timing.seconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> members(client).contains(cutNode) && latchQueue(client) == 2);
                long rejoinMs = (System.nanoTime() - healNanos) / 1_000_000;
                Thread.sleep(3000);

                // 2. Cut the (current) owner off MySQL only, then heal.
                int mysqlCut = Integer.parseInt(owner(client).nodeId().substring(1));
                long mysqlCutFrom = System.nanoTime();
                net.cutMysql(mysqlCut);
                Thread.sleep(MYSQL_CUT_MS);
                net.healMysql(mysqlCut);
                long mysqlCutTo = System.nanoTime();
                Thread.sleep(LIMIT_MS + 3 * INTERVAL_MS + 2000);

                stop.set(true);
                generator.join();
                pool.shutdown();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

                long stopBoundMs = SESSION_MS / 4 + SESSION_MS / 10;
                long cutStoppedMs = lastByCut.isAfter(cutAt) ? Duration.between(cutAt, lastByCut).toMillis() : 0;
                long maxLifeMysqlCut = 0;
                List<String> notKilled = new ArrayList<>();
                for (Victim v : victims) {
                    long deadline = v.startNanos() + LIMIT_MS * 1_000_000;
                    if (deadline >= mysqlCutFrom && deadline <= mysqlCutTo + INTERVAL_MS * 1_000_000) {
                        maxLifeMysqlCut = Math.max(maxLifeMysqlCut, v.lifeMs());
                    }
                    if (!v.killed()) {
                        notKilled.add(v.detail() + " after " + v.lifeMs() + " ms");
                    }
                }
                List<KillOverlap.Kill> sent = KillsSeen.inTheGeneralLog(db, 2);
                List<KillOverlap.Kill> journaled = KillsSeen.inTheJournal(client, "shop", testStart, null);
                System.out.printf("partition: %d victims; ZooKeeper cut of %s: its last KILL %d ms after the cut (bound"
                                + " T/4 + T/10 = %d ms + slack), owner moved after %d ms, other node's first KILL %s ms"
                                + " after the cut, rejoined %d ms after the heal; MySQL cut of n%d for %d ms: victims due"
                                + " in it lived at most %d ms; KILLs by node %s, journal by node %s%n",
                        victims.size(), cutNode, cutStoppedMs, stopBoundMs, takeoverMs,
                        firstByOther == null ? "-" : Duration.between(cutAt, firstByOther).toMillis(), rejoinMs,
                        mysqlCut, MYSQL_CUT_MS, maxLifeMysqlCut, KillsSeen.countByNode(sent), KillsSeen.countByNode(journaled));

                SoftAssertions soft = new SoftAssertions();
                soft.assertThat(victims.size()).isGreaterThan(40);
                soft.assertThat(cutStoppedMs).as("the cut-off node's last KILL after the cut (ms)")
                        .isLessThanOrEqualTo(stopBoundMs + Timing.millis(300).toMillis());
                soft.assertThat(firstByOther).as("another node killed after the cut").isNotNull();
                soft.assertThat(notKilled).as("victims not killed").isEmpty();
                soft.assertThat(maxLifeMysqlCut).as("longest life of a victim due during the MySQL cut (ms)")
                        .isLessThanOrEqualTo(MYSQL_CUT_MS + LIMIT_MS + 2 * INTERVAL_MS + Timing.millis(3000).toMillis());
                List<String> sentOverlaps = KillOverlap.overlaps(sent, TERM_GAP);
                soft.assertThat(sentOverlaps).as("KILLs the server received inside another node's term").isEmpty();
                List<String> journalOverlaps = KillOverlap.overlaps(journaled, TERM_GAP);
                soft.assertThat(journalOverlaps).as("journaled kills inside another node's term").isEmpty();
                soft.assertAll();
            } finally {
                stop.set(true);
                pool.shutdownNow();
                nodes.forEach(DaemonProcess::close);
            }
        }
    }

    private static List<String> members(CuratorFramework client) {
        try {
            return new ClusterStatusReader(client).read(Set.of("shop")).nodes().stream().map(NodeInfo::id).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static int latchQueue(CuratorFramework client) {
        try {
            return client.getChildren().forPath("/latches/shop").size();
        } catch (Exception e) {
            return -1;
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

    private static void generate(MariaDbServer db, ExecutorService pool, ConcurrentLinkedQueue<Victim> out,
                                 AtomicBoolean stop) {
        while (!stop.get()) {
            pool.submit(() -> out.add(victim(db)));
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Victim victim(MariaDbServer db) {
        long t0 = System.nanoTime();
        Connection c;
        try {
            c = db.connection("victim", "victim-pw");
        } catch (RuntimeException e) {
            return new Victim(t0, System.nanoTime(), false, "no connection: " + e.getMessage());
        }
        try (c; Statement s = c.createStatement()) {
            t0 = System.nanoTime();
            try (ResultSet rs = s.executeQuery("SELECT GET_LOCK('" + VICTIM_LOCK + "', 30)")) {
                rs.next();
                Object got = rs.getObject(1);
                return new Victim(t0, System.nanoTime(), got == null, "GET_LOCK returned " + got);
            } catch (SQLException e) {
                return new Victim(t0, System.nanoTime(), e.getErrorCode() == QUERY_INTERRUPTED, "error " + e.getErrorCode());
            }
        } catch (SQLException e) {
            return new Victim(t0, System.nanoTime(), false, "error " + e.getErrorCode() + ": " + e.getMessage());
        }
    }

    private Path config(int node, String zookeeper, String mysqlHost, int port) throws IOException {
        return Files.writeString(dir.resolve("n" + node + ".conf"), """
                query-sniper {
                  node-id = "n%d"
                  data-dir = "%s"
                  databases {
                    shop {
                      host = "%s", port = %d
                      tls { mode = disabled }
                      interval = %dms
                      max-kills-per-minute = 10000
                      rules = [ { name = victims, match { user = [victim] }, busy-time = %dms, action = kill-query } ]
                    }
                  }
                  cluster { zookeeper = "%s", session-timeout = %dms }
                }
                """.formatted(node, dir.resolve("data-n" + node), mysqlHost, port, INTERVAL_MS, LIMIT_MS, zookeeper,
                SESSION_MS));
    }
}
