package io.querysniper.daemon.process;

import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar on day two: its HTTP server answers the probes and the scrape, SIGHUP reloads the
 * config (a good one applies from the next look, a bad one is refused and the old rules keep killing),
 * the effective config is logged once per reload without secrets.
 */
@Tag("process")
class ReloadProcessIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void sighupReloadsAndTheHttpServerAnswers() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
            db.createUser("victim", "victim-pw");
            db.createUser("report", "report-pw");
            Path credentials = Files.writeString(dir.resolve("credentials.conf"),
                    "default { user = \"sniper\", password = \"sniper-pw\" }\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            int httpPort = FreePort.next();
            int zkPort = FreePort.next();
            Path config = dir.resolve("sniper.conf");
            writeConfig(config, db, httpPort, zkPort, "victim", "1s");
            String base = "http://127.0.0.1:" + httpPort;

            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", credentials.toString()).start()) {
                assertThat(daemon.awaitLog("query-sniper running", 1, Timing.seconds(60))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).contains("HTTP server listening on http://127.0.0.1:" + httpPort);
                await().atMost(Timing.seconds(20)).until(() -> get(base + "/readyz").statusCode() == 200);
                assertThat(get(base + "/livez").body()).isEqualTo("ok\n");
                assertThat(get(base + "/metrics").body()).contains("query_sniper_build_info{version=\"");
                assertThat(sleep(db, "victim", 20)).as("the start's rule kills victims").isEqualTo(1);

                writeConfig(config, db, httpPort, zkPort, "report", "1s");
                daemon.signal("HUP");
                assertThat(daemon.awaitLog("config reload applied", 1, Timing.seconds(20))).as(daemon.log()).isTrue();
                assertThat(sleep(db, "victim", 3)).as("victims are left alone after the reload").isZero();
                assertThat(sleep(db, "report", 20)).as("reports are killed after the reload").isEqualTo(1);

                Files.writeString(config, Files.readString(config).replace("busy-time = 1s", "busy-time = soon"));
                daemon.signal("HUP");
                assertThat(daemon.awaitLog("config reload refused", 1, Timing.seconds(20))).as(daemon.log()).isTrue();
                assertThat(daemon.log()).contains("busy-time: must be a duration");
                assertThat(sleep(db, "report", 20)).as("a refused reload leaves the running rules killing").isEqualTo(1);
                assertThat(get(base + "/metrics").body()).contains("query_sniper_config_reload_success 0.0");

                assertThat(daemon.log().split("effective configuration \\(secrets masked\\)", -1).length - 1)
                        .as("logged at start and once for the applied reload").isEqualTo(2);
                assertThat(daemon.log()).doesNotContain("sniper-pw");
                assertThat(daemon.terminate(Timing.seconds(10))).isNotNull();
                assertThat(daemon.exitCode()).as(daemon.log()).isZero();
            }
        }
    }

    private static void writeConfig(Path config, MariaDbServer db, int httpPort, int zkPort, String user, String limit)
            throws IOException {
        Files.writeString(config, """
                query-sniper {
                  node-id = "reload-1"
                  data-dir = "data"
                  http.listen = "127.0.0.1:%d"
                  databases {
                    shop {
                      host = "127.0.0.1", port = %d
                      tls { mode = disabled }
                      rules = [ { name = targets, match { user = [%s] }, busy-time = %s, action = kill-query } ]
                    }
                  }
                  cluster { embedded-port = %d }
                }
                """.formatted(httpPort, db.port(), user, limit, zkPort));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** SELECT SLEEP(seconds) as the user: 1 when KILL QUERY interrupted it, 0 when it ran to its end. */
    private static int sleep(MariaDbServer db, String user, int seconds) throws SQLException {
        try (Connection c = db.connection(user, user + "-pw"); Statement s = c.createStatement();
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
