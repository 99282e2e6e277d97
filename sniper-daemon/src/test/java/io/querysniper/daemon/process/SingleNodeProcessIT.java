package io.querysniper.daemon.process;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as an operator runs it: `run` with the embedded ZooKeeper kills a victim, the
 * journal and cluster status commands read what it did from another process, SIGTERM stops it in 5 s.
 */
@Tag("process")
class SingleNodeProcessIT {
    @TempDir
    Path dir;

    @Test
    void killsAVictimAndStopsOnSigtermWithinFiveSeconds() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
            db.createUser("victim", "victim-pw");
            int zkPort = FreePort.next();
            Path config = Files.writeString(dir.resolve("sniper.conf"), """
                    query-sniper {
                      node-id = "proc-1"
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
                    """.formatted(db.port(), zkPort));
            Path credentials = dir.resolve("credentials.conf");
            Files.writeString(credentials, "default { user = \"sniper\", password = \"sniper-pw\" }\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));

            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", credentials.toString(), "--log-format", "json").start()) {
                assertThat(daemon.awaitLog("query-sniper running", 1, Duration.ofSeconds(60))).as(daemon.log()).isTrue();

                long t0 = System.nanoTime();
                int sleepResult = victimSleep(db);
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(elapsedMs).as("victim lived %d ms", elapsedMs).isLessThan(5000);
                assertThat(daemon.awaitLog("KILLED kill-query", 1, Duration.ofSeconds(10))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).contains("embedded single-node ZooKeeper")
                        .contains("\"qs.node\":\"proc-1\"").doesNotContain("sniper-pw").doesNotContain("SLEEP(20)");

                DaemonProcess.Result journal = DaemonProcess.runOnce(Duration.ofSeconds(60), "journal", "--config",
                        config.toString(), "--json");
                assertThat(journal.code()).as(journal.output()).isZero();
                assertThat(journal.output()).contains("\"outcome\":\"KILLED\"").contains("\"rule\":\"victims\"");
                DaemonProcess.Result status = DaemonProcess.runOnce(Duration.ofSeconds(60), "cluster", "status",
                        "--config", config.toString(), "--json");
                assertThat(status.code()).as(status.output()).isZero();
                assertThat(status.output()).contains("\"shop\":\"proc-1\"");

                Duration stop = daemon.terminate(Duration.ofSeconds(10));
                assertThat(stop).as("stopped on SIGTERM").isNotNull().isLessThan(Duration.ofSeconds(5));
                assertThat(daemon.exitCode()).isZero();
                assertThat(daemon.log()).contains("query-sniper stopped");
            }
        }
    }

    private static int victimSleep(MariaDbServer db) throws SQLException {
        try (Connection c = db.connection("victim", "victim-pw"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SLEEP(20)")) {
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
