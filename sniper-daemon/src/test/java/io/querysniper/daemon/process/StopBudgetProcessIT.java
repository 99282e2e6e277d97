package io.querysniper.daemon.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.zk.ZooKeeperEnsemble;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stop budget (issue 9): SIGTERM under a kill load while the journal is slow on purpose (the daemon's
 * test hook {@code qs.test.journal-slow-spool-ms}: every record goes to the spool and each append takes
 * {@link #SLOW_SPOOL} more, like a disk slow to fsync). The journal's writer then always has records
 * queued, and the stop cannot end before the last batch of records is on disk, at least
 * {@link #SLOW_SPOOL} after the last kill: longer than the 4.8 s watchdog there was, shorter than the
 * stages' bounds added up (Daemon.stopBudget). The stop must be clean (exit 0, where the 4.8 s watchdog
 * halted it with exit 1) and lose no record: every victim the server saw killed has its record in the
 * spool (or in ZooKeeper). Deterministic: it does not depend on how fast this machine is.
 */
@Tag("process")
class StopBudgetProcessIT {
    private static final int VICTIMS = 12;
    /** Longer than the old 4.8 s watchdog; the stop then takes 6 to 13 s, within the ~22 s budget. */
    private static final Duration SLOW_SPOOL = Duration.ofSeconds(6);

    @TempDir
    Path dir;

    @Test
    void aCleanStopUnderAKillLoadWithASlowJournalLosesNoRecord() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(VICTIMS, r -> new Thread(r, "stop-it-victim"));
        AtomicBoolean load = new AtomicBoolean(true);
        Set<Long> killed = ConcurrentHashMap.newKeySet();
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(1);
             MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
            db.createUser("victim", "victim-pw");
            Path config = config(zk.connectString(), db.port());
            Path credentials = dir.resolve("credentials.conf");
            Files.writeString(credentials, "default { user = \"sniper\", password = \"sniper-pw\" }\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            Path spool = dir.resolve("data").resolve("journal-spool").resolve("journal-spool-s1.jsonl");

            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", credentials.toString())
                    .jvm("-Dqs.test.journal-slow-spool-ms=" + SLOW_SPOOL.toMillis())) {
                daemon.start();
                assertThat(daemon.awaitLog("query-sniper running", 1, Duration.ofSeconds(60))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).as("the test hook is on").contains("TEST HOOK qs.test.journal-slow-spool-ms");
                for (int i = 0; i < VICTIMS; i++) {
                    pool.submit(() -> {
                        while (load.get()) {
                            victim(db, killed);
                        }
                        return null;
                    });
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> killed.size() >= 3 * VICTIMS);

                // The writer is busy with a slow append and records wait behind it: the stop has to wait for them.
                Duration took = daemon.terminate(Duration.ofSeconds(60));
                load.set(false);
                assertThat(took).as("stopped at all").isNotNull();
                assertThat(daemon.exitCode()).as("a clean stop, not the watchdog's halt (1):\n" + daemon.log()).isZero();
                pool.shutdown();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

                // Every victim the server saw killed has its record: in ZooKeeper, or in the spool for later.
                Set<Long> recorded = new HashSet<>();
                JournalLines.records(journal(config), "thread_id").forEach(r -> recorded.add(r.path("thread_id").asLong()));
                List<JsonNode> spooled = JournalLines.spool(spool, "thread_id");
                spooled.forEach(r -> recorded.add(r.path("thread_id").asLong()));
                System.out.printf("stop under load: %d victims killed, stop took %d ms with a slow journal, %d"
                        + " spool line(s), %d thread(s) recorded%n", killed.size(), took.toMillis(), spooled.size(),
                        recorded.size());
                assertThat(recorded).containsAll(killed);
            }
        } finally {
            load.set(false);
            pool.shutdownNow();
        }
    }

    /** One victim: a SLEEP on its own connection; its connection id is remembered once the server killed it. */
    private static void victim(MariaDbServer db, Set<Long> killed) {
        long id = -1;
        try (Connection c = db.connection("victim", "victim-pw"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT SLEEP(20)")) {
                rs.next();
                if (rs.getInt(1) == 1) { // SLEEP returns 1 when KILL QUERY interrupts it
                    killed.add(id);
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == 1317 && id >= 0) { // ER_QUERY_INTERRUPTED
                killed.add(id);
            }
        }
    }

    private static String journal(Path config) {
        DaemonProcess.Result r = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> DaemonProcess.runOnce(Duration.ofSeconds(60), "journal", "--config", config.toString(),
                        "--json", "--since", "1h"), x -> x.code() == 0);
        return r.output();
    }

    private Path config(String zookeeper, int port) throws IOException {
        return Files.writeString(dir.resolve("sniper.conf"), """
                query-sniper {
                  node-id = "s1"
                  data-dir = "data"
                  http.listen = off
                  databases {
                    shop {
                      host = "127.0.0.1", port = %d
                      tls { mode = disabled }
                      interval = 200ms
                      max-kills-per-minute = 100000
                      rules = [ { name = victims, match { user = [victim] }, busy-time = 500ms, action = kill-query } ]
                    }
                  }
                  cluster {
                    zookeeper = "%s"
                    session-timeout = 20s
                  }
                  journal { write-timeout = 200ms }
                }
                """.formatted(port, zookeeper));
    }
}
