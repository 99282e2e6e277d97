package io.querysniper.daemon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.querysniper.daemon.CliRun;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A live {@code scan} judges with what {@code run} judges with: the daemon's login is never a victim. */
class ScanE2EIT {
    @TempDir
    Path dir;

    @Test
    void liveScanNeverOffersTheDaemonsOwnLoginAndPrintsJson() throws Exception {
        MariaDbServer db = Servers.primary();
        Path config = Files.writeString(dir.resolve("sniper.conf"), "query-sniper {\n  data-dir = \"data\"\n"
                + "  databases.primary {\n    host = \"" + db.host() + "\", port = " + db.port() + "\n"
                + "    tls { mode = disabled }\n"
                + "    rules = [ { name = idle, idle-time = 1s, action = kill-connection } ]\n  }\n}\n");
        Path credentials = dir.resolve("credentials.conf");
        Files.writeString(credentials, "default { user = \"" + Servers.SNIPER + "\", password = \"" + Servers.SNIPER_PW + "\" }\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));

        // A standby node's (or the SQL export's) connection: the daemon's login, idle, not this scan's own.
        try (Connection standby = db.connection(Servers.SNIPER, Servers.SNIPER_PW);
             Victim victim = new Victim(db, "victim")) {
            long standbyThread = connectionId(standby);
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);

            CliRun table = CliRun.of("scan", "--config", config.toString(), "--credentials", credentials.toString());
            assertThat(table.code()).as(table.err()).isZero();
            assertThat(table.out()).containsPattern("primary +" + victim.threadId + " +victim .* idle +kill-connection")
                    .doesNotContainPattern("primary +" + standbyThread + " ")
                    .doesNotContain(Servers.SNIPER_PW);

            CliRun json = CliRun.of("scan", "--json", "--config", config.toString(), "--credentials",
                    credentials.toString());
            assertThat(json.code()).as(json.err()).isZero();
            List<JsonNode> verdicts = new ArrayList<>();
            for (String line : json.out().lines().toList()) {
                verdicts.add(new ObjectMapper().readTree(line));
            }
            assertThat(verdicts).extracting(v -> v.get("thread").asLong()).contains(victim.threadId)
                    .doesNotContain(standbyThread);
            assertThat(verdicts).extracting(v -> v.get("user").asText()).doesNotContain(Servers.SNIPER);
            JsonNode v = verdicts.stream().filter(n -> n.get("thread").asLong() == victim.threadId).findFirst().orElseThrow();
            assertThat(v.get("database").asText()).isEqualTo("primary");
            assertThat(v.get("command").asText()).isEqualTo("Sleep");
            assertThat(v.get("age_ms").asLong()).isGreaterThanOrEqualTo(1000);
            assertThat(v.get("rule").asText()).isEqualTo("idle");
            assertThat(v.get("action").asText()).isEqualTo("kill-connection");
            assertThat(json.err()).contains("would be acted on; nothing was killed");
            assertThat(victim.alive()).as("scan kills nothing").isTrue();
        }
    }

    private static long connectionId(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
