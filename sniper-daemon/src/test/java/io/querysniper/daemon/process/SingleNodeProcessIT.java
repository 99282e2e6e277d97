package io.querysniper.daemon.process;

import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
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
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as an operator runs it: `run` with the embedded ZooKeeper kills a victim, the
 * journal (also {@code --follow}) and cluster status commands read what it did from other processes,
 * SIGTERM stops it cleanly (exit 0) in 5 s; {@code run --dry-run} kills nothing; {@code --version}.
 */
@Tag("process")
class SingleNodeProcessIT {
    @TempDir
    Path dir;

    @Test
    void killsAVictimAndStopsOnSigtermWithinFiveSeconds() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            Path config = prepare(db, "proc-1");
            Path credentials = dir.resolve("credentials.conf");

            DaemonProcess follow = null;
            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", credentials.toString(), "--log-format", "json").start()) {
                assertThat(daemon.awaitLog("query-sniper running", 1, Timing.seconds(60))).as(daemon.log()).isTrue();
                // journal --follow from another process: it prints the kill once it is journaled.
                follow = new DaemonProcess(dir.resolve("follow.log"), "journal", "--config", config.toString(),
                        "--follow", "--json").start();

                long t0 = System.nanoTime();
                int sleepResult = victimSleep(db, 20);
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(sleepResult).as("SLEEP interrupted by KILL QUERY").isEqualTo(1);
                assertThat(elapsedMs).as("victim lived %d ms", elapsedMs).isLessThan(1000 + Timing.millis(4000).toMillis());
                assertThat(daemon.awaitLog("KILLED kill-query", 1, Timing.seconds(10))).as(daemon.log()).isTrue();
                assertThat(follow.awaitLog("\"outcome\":\"KILLED\"", 1, Timing.seconds(30)))
                        .as("journal --follow: %s", follow.log()).isTrue();
                assertThat(follow.log()).contains("\"rule\":\"victims\"").doesNotContain("SLEEP(20)");
                // A kill after the first one was printed: only a reader that keeps following can print it.
                assertThat(victimSleep(db, 20)).isEqualTo(1);
                assertThat(follow.awaitLog("\"outcome\":\"KILLED\"", 2, Timing.seconds(30)))
                        .as("journal --follow, second kill: %s", follow.log()).isTrue();
                assertThat(follow.alive()).as("--follow keeps running").isTrue();
                assertThat(follow.terminate(Timing.seconds(10))).as("--follow stops on SIGTERM").isNotNull();
                assertThat(daemon.log()).contains("embedded single-node ZooKeeper")
                        .contains("SECURITY WARNING: cluster.auth is not set")
                        .contains("query-sniper " + builtVersion() + " starting as node proc-1")
                        .contains("\"qs.node\":\"proc-1\"").doesNotContain("sniper-pw").doesNotContain("SLEEP(20)");

                DaemonProcess.Result journal = DaemonProcess.runOnce(Timing.seconds(60), "journal", "--config",
                        config.toString(), "--json");
                assertThat(journal.code()).as(journal.output()).isZero();
                assertThat(journal.output()).contains("\"outcome\":\"KILLED\"").contains("\"rule\":\"victims\"");
                DaemonProcess.Result status = DaemonProcess.runOnce(Timing.seconds(60), "cluster", "status",
                        "--config", config.toString(), "--json");
                assertThat(status.code()).as(status.output()).isZero();
                assertThat(status.output()).contains("\"shop\":\"proc-1\"");

                Duration stop = daemon.terminate(Timing.seconds(10));
                assertThat(stop).as("stopped on SIGTERM").isNotNull().isLessThan(Timing.seconds(5));
                assertThat(daemon.exitCode()).as("a clean stop (the watchdog's halt exits 1): %s", daemon.log()).isZero();
                assertThat(daemon.log()).contains("query-sniper stopped");
            } finally {
                if (follow != null) {
                    follow.close();
                }
            }
        }
    }

    @Test
    void dryRunKillsNothingAndJournalsWhatItWouldHaveKilled() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            Path config = prepare(db, "proc-dry");
            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", dir.resolve("credentials.conf").toString(), "--dry-run").start()) {
                assertThat(daemon.awaitLog("query-sniper running", 1, Timing.seconds(60))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).contains("in DRY-RUN mode (nothing will be killed)");

                long t0 = System.nanoTime();
                assertThat(victimSleep(db, 3)).as("SLEEP(3) ran to its end").isZero();
                assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(3000);
                assertThat(daemon.awaitLog("WOULD_KILL kill-query", 1, Timing.seconds(10))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).doesNotContain("KILLED kill-query");
                DaemonProcess.Result journal = DaemonProcess.runOnce(Timing.seconds(60), "journal", "--config",
                        config.toString(), "--json");
                assertThat(journal.code()).as(journal.output()).isZero();
                assertThat(journal.output()).contains("\"outcome\":\"WOULD_KILL\"").contains("\"dry_run\":true")
                        .doesNotContain("\"outcome\":\"KILLED\"");
                assertThat(daemon.terminate(Timing.seconds(10))).isNotNull();
                assertThat(daemon.exitCode()).as(daemon.log()).isZero();
            }
        }
    }

    @Test
    void versionIsTheOneTheJarWasBuiltWith() throws IOException {
        DaemonProcess.Result r = DaemonProcess.runOnce(Timing.seconds(60), "--version");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("query-sniper " + builtVersion() + "\n").contains("Java ");
    }

    /** The project version Maven wrote into the jar's manifest. */
    private static String builtVersion() throws IOException {
        try (JarFile jar = new JarFile(DaemonProcess.jar().toFile())) {
            String v = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
            assertThat(v).as("Implementation-Version").matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
            return v;
        }
    }

    /** Users, config (embedded ZooKeeper, one rule: victim's statements busy 1 s are killed) and credentials. */
    private Path prepare(MariaDbServer db, String node) throws IOException {
        db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
        db.createUser("victim", "victim-pw");
        Path credentials = dir.resolve("credentials.conf");
        Files.writeString(credentials, "default { user = \"sniper\", password = \"sniper-pw\" }\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        return Files.writeString(dir.resolve("sniper.conf"), """
                query-sniper {
                  node-id = "%s"
                  data-dir = "data"
                  databases {
                    shop {
                      host = "127.0.0.1", port = %d
                      tls { mode = disabled }
                      rules = [ { name = victims, match { user = [victim] }, busy-time = 1s, action = kill-query } ]
                    }
                  }
                  cluster { embedded-port = %d }
                }
                """.formatted(node, db.port(), FreePort.next()));
    }

    /** SELECT SLEEP(seconds) as the victim: 1 when KILL QUERY interrupted it, 0 when it ran to its end. */
    private static int victimSleep(MariaDbServer db, int seconds) throws SQLException {
        try (Connection c = db.connection("victim", "victim-pw"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SLEEP(" + seconds + ")")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            if (e.getErrorCode() == 1317) {
                return 1;
            }
            throw e;
        }
    }
}
