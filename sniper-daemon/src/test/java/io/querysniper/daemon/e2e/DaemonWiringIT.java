package io.querysniper.daemon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.querysniper.config.SettingsLoader;
import io.querysniper.daemon.CliRun;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the daemon wires around the engine, seen from outside: the SQL copy of the journal
 * ({@code journal.export}), the kill counter, and the read-only commands an operator runs against the
 * running node ({@code journal} with its filters, {@code cluster status} and its exit code, {@code --verbose}).
 * One daemon, two databases on one server (each its own rule), two kills.
 */
class DaemonWiringIT {
    private static final Duration WAIT = Timing.seconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void exportCounterJournalFiltersAndClusterStatus() throws Exception {
        try (MariaDbServer db = Servers.fresh()) {
            db.execute("GRANT ALL ON query_sniper.* TO '" + Servers.SNIPER + "'@'%'");
            int zkPort = FreePort.next();
            Path config = config("wiring.conf", db, zkPort, "");
            Path credentials = Servers.credentialsFile(dir.resolve("credentials.conf"));
            Daemon daemon = new Daemon(SettingsLoader.load(config, credentials), false, Clock.systemUTC(),
                    DefaultPorts.mysql(), List.of());
            try {
                daemon.start();
                await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop-a") && daemon.cluster().mayKill("shop-b"));

                long victimThread;
                try (Victim v = new Victim(db, "victim")) {
                    victimThread = v.threadId;
                    KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                await().atMost(WAIT).until(() -> killed(journal(config, "--database", "shop-a")).size() == 1);
                Instant between = Instant.now();
                Thread.sleep(200);
                long reportThread;
                try (Victim v = new Victim(db, "report")) {
                    reportThread = v.threadId;
                    KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                await().atMost(WAIT).until(() -> killed(journal(config)).size() == 2);

                // The kill counter, by database, rule and outcome.
                assertThat(killCounter(daemon, "shop-a", "victims")).isEqualTo(1.0);
                assertThat(killCounter(daemon, "shop-b", "reports")).isEqualTo(1.0);

                // journal.export: every final record also lands in the SQL table on shop-a's server.
                await().atMost(WAIT).until(() -> exported(db).size() == 2);
                assertThat(exported(db)).containsExactlyInAnyOrder(
                        "shop-a victims KILLED " + victimThread + " wiring",
                        "shop-b reports KILLED " + reportThread + " wiring");

                // journal filters, from the command line.
                assertThat(killed(journal(config, "--database", "shop-a"))).extracting(r -> r.path("thread_id").asLong())
                        .containsExactly(victimThread);
                assertThat(killed(journal(config, "--rule", "reports"))).extracting(r -> r.path("thread_id").asLong())
                        .containsExactly(reportThread);
                assertThat(killed(journal(config, "--until", between.toString())))
                        .extracting(r -> r.path("thread_id").asLong()).containsExactly(victimThread);
                assertThat(killed(journal(config, "--since", between.toString())))
                        .extracting(r -> r.path("thread_id").asLong()).containsExactly(reportThread);
                assertThat(killed(journal(config, "--database", "shop-a", "--rule", "reports"))).isEmpty();
                CliRun table = CliRun.of("journal", "--config", config.toString(), "--database", "shop-b");
                assertThat(table.code()).as(table.err()).isZero();
                assertThat(table.out().lines()).hasSize(2).first().asString().startsWith("TIME (UTC)");
                assertThat(table.out()).contains("shop-b").contains("reports").contains("KILLED").doesNotContain("shop-a");
                CliRun followUntil = CliRun.of("journal", "--config", config.toString(), "--follow", "--until", "1m");
                assertThat(followUntil.code()).isEqualTo(2);
                assertThat(followUntil.err()).contains("--follow and --until do not go together");

                // cluster status: 0 while every configured database has an owner, 1 when one has none.
                CliRun owned = CliRun.of("cluster", "status", "--config", config.toString(), "--json");
                assertThat(owned.code()).as(owned.out() + owned.err()).isZero();
                assertThat(owned.out()).contains("\"shop-a\":\"wiring\"").contains("\"shop-b\":\"wiring\"")
                        .contains("\"unowned\":[]");
                // No cluster.auth: said loudly, on stderr so that --json stays one object.
                assertThat(owned.err()).startsWith("SECURITY WARNING: cluster.auth is not set: every znode under"
                        + " /query-sniper on ZooKeeper 127.0.0.1:" + zkPort + " is world-writable");
                Path withUnwatched = config("unwatched.conf", db, zkPort,
                        "    shop-c { host = \"" + db.host() + "\", port = " + db.port() + ", rules = [] }\n");
                CliRun unowned = CliRun.of("cluster", "status", "--config", withUnwatched.toString(), "--json");
                assertThat(unowned.code()).as(unowned.out() + unowned.err()).isEqualTo(1);
                assertThat(unowned.out()).contains("\"unowned\":[\"shop-c\"]");
                CliRun unownedTable = CliRun.of("cluster", "status", "--config", withUnwatched.toString());
                assertThat(unownedTable.code()).isEqualTo(1);
                assertThat(unownedTable.out()).contains("shop-c");
            } finally {
                daemon.close();
            }
            assertThat(daemon.state()).isEqualTo(Daemon.State.STOPPED);
        }
    }

    @Test
    void verboseAddsTheStackTraceToAnError() throws IOException {
        // Nothing listens on this port: the read-only commands cannot reach ZooKeeper and fail (exit 1).
        Path config = Files.writeString(dir.resolve("nozk.conf"), "query-sniper {\n  data-dir = \"data\"\n"
                + "  cluster { embedded-port = " + FreePort.next() + ", connection-timeout = 500ms }\n"
                + "  databases { shop { host = \"127.0.0.1\" } }\n}\n");
        CliRun plain = CliRun.of("cluster", "status", "--config", config.toString());
        assertThat(plain.code()).isEqualTo(1);
        assertThat(plain.err()).startsWith("query-sniper: cannot reach ZooKeeper").doesNotContain("\tat ");
        assertThat(plain.err().lines()).hasSize(1);
        CliRun verbose = CliRun.of("cluster", "status", "--config", config.toString(), "--verbose");
        assertThat(verbose.code()).isEqualTo(1);
        assertThat(verbose.err()).startsWith(plain.err()).contains("\tat io.querysniper.");
        CliRun verboseFirst = CliRun.of("--verbose", "journal", "--config", config.toString());
        assertThat(verboseFirst.code()).isEqualTo(1);
        assertThat(verboseFirst.err()).contains("\tat io.querysniper.");
    }

    private static double killCounter(Daemon daemon, String database, String rule) {
        Counter c = daemon.metrics().find("query.sniper.kills")
                .tags("database", database, "rule", rule, "action", "KILL_QUERY", "outcome", "KILLED").counter();
        return c == null ? 0 : c.count();
    }

    /** {@code journal --json} in process, with extra arguments; the records, in its order. */
    private static List<JsonNode> journal(Path config, String... extra) {
        List<String> args = new ArrayList<>(List.of("journal", "--config", config.toString(), "--json"));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return out;
    }

    private static List<JsonNode> killed(List<JsonNode> records) {
        return records.stream().filter(r -> "KILLED".equals(r.path("outcome").asText())).toList();
    }

    private static List<String> exported(MariaDbServer db) {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT database_name, rule, outcome, thread_id, node"
                     + " FROM query_sniper.query_sniper_kills")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4)
                        + " " + rs.getString(5));
            }
        } catch (SQLException e) {
            return List.of(); // the table is created by the exporter's first write
        }
        return rows;
    }

    private Path config(String name, MariaDbServer db, int zkPort, String moreDatabases) throws IOException {
        String server = "host = \"" + db.host() + "\", port = " + db.port() + ", tls { mode = disabled }";
        return Files.writeString(dir.resolve(name), "query-sniper {\n  node-id = wiring\n  data-dir = \"data\"\n"
                + "  cluster.embedded-port = " + zkPort + "\n"
                + "  databases {\n"
                + "    shop-a { " + server + ", rules = [ { name = victims, match { user = [victim] }, busy-time = 1s } ] }\n"
                + "    shop-b { " + server + ", rules = [ { name = reports, match { user = [report] }, busy-time = 1s } ] }\n"
                + moreDatabases
                + "  }\n  journal.export { database = shop-a }\n}\n");
    }
}
