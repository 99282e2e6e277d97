package io.querysniper.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.querysniper.testkit.Timing;
import io.querysniper.daemon.deploy.DashboardMetrics;

/**
 * {@code bin/dev-cluster} end to end: three ZooKeeper servers, a MariaDB primary and its GTID replica over
 * TLS, three nodes. A runaway query on the primary dies; the replication threads on both servers (the
 * primary's binlog dump, the replica's I/O and SQL threads), older than every rule's limit here, are
 * untouched and replication still runs; every node answers its probes and exports what the dashboard and
 * the alert rules ask for; {@code down} removes everything.
 */
@Tag("process")
class DevClusterProcessIT {
    @TempDir
    Path tmp;

    @Test
    void killsARunawayOnThePrimaryAndLeavesReplicationAlone() throws Exception {
        Path dir = tmp.resolve("cluster");
        int base = freePortBase();
        Map<String, String> env = new HashMap<>();
        env.put("QS_DEV_CLUSTER_DIR", dir.toString());
        env.put("QS_DEV_PORT_BASE", Integer.toString(base));
        // The rule "anything-long" then matches every replication thread within seconds: they must be spared.
        env.put("QS_ANYTHING_LONG", "3s");
        try {
            Script.Result up = Script.run(Timing.seconds(240), env, "bin/dev-cluster", "up");
            assertThat(up.code()).as(up.output()).isZero();
            assertThat(up.output()).contains("Slave_IO_Running: Yes").contains("Slave_SQL_Running: Yes")
                    .contains("Master_SSL_Verify_Server_Cert: Yes").contains("primary").contains("replica");

            checkProbes(base);

            String dumpThread = sql(env, "primary",
                    "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
            assertThat(dumpThread).isNotBlank();

            String password = Files.readString(dir.resolve("certs/secrets/test-password")).trim();
            String url = "jdbc:mysql://127.0.0.1:" + (base + 306) + "/test?sslMode=REQUIRED";
            try (Connection c = DriverManager.getConnection(url, "test", password); Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                assertThat(killedQuery(s, "SELECT SLEEP(30)")).as("the runaway died of KILL QUERY").isTrue();
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000 + Timing.millis(5_000).toMillis());
                // Let the nodes look several more times at threads far older than 3 s.
                Thread.sleep(Timing.millis(4_000).toMillis());
                s.executeUpdate("REPLACE INTO test.config (name, value) VALUES ('dev-cluster-it', 'replicated')");
            }

            assertThat(sql(env, "primary",
                    "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'"))
                    .as("the primary's binlog dump thread is the same one").isEqualTo(dumpThread);
            await().atMost(Timing.seconds(20)).untilAsserted(() -> assertThat(
                    sql(env, "replica", "SELECT value FROM test.config WHERE name = 'dev-cluster-it'"))
                    .isEqualTo("replicated"));
            checkMetrics(dir, base);
            Script.Result status = Script.run(Timing.seconds(60), env, "bin/dev-cluster", "status");
            assertThat(status.output()).contains("Slave_IO_Running: Yes").contains("Slave_SQL_Running: Yes");

            Script.Result journal = Script.run(Timing.seconds(60), env, "bin/dev-cluster", "qs", "journal",
                    "--config", "deploy/common/query-sniper.conf", "--since", "1h", "--json");
            assertThat(journal.code()).as(journal.output()).isZero();
            assertThat(journal.output()).contains("\"user\":\"test\"").contains("\"database\":\"primary\"");
            assertThat(journal.output().lines().filter(l -> l.startsWith("{")))
                    .as("only the test user's query was killed").allMatch(l -> l.contains("\"user\":\"test\""));
        } finally {
            Script.Result down = Script.run(Timing.seconds(120), env, "bin/dev-cluster", "down");
            assertThat(down.code()).as(down.output()).isZero();
            assertThat(dir).doesNotExist();
        }
    }

    /** True when the query ended by KILL QUERY: error 1317, or SLEEP's 1 where the server reports it so. */
    private static boolean killedQuery(Statement s, String query) {
        try (ResultSet rs = s.executeQuery(query)) {
            return rs.next() && rs.getInt(1) == 1;
        } catch (SQLException e) {
            return e.getErrorCode() == 1317;
        }
    }

    /** Every node answers the probes the Kubernetes manifests and the Dockerfile use, without a token. */
    private static void checkProbes(int base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int n = 1; n <= 3; n++) {
            URI node = URI.create("http://127.0.0.1:" + (base + 500 + n));
            assertThat(get(http, node.resolve("/livez"), null).statusCode()).isEqualTo(200);
            await().atMost(Timing.seconds(30)).untilAsserted(() ->
                    assertThat(get(http, node.resolve("/readyz"), null).statusCode()).isEqualTo(200));
        }
    }

    /**
     * The nodes' /metrics (after a kill: kill counters and histograms exist from the first kill on) hold
     * every metric family the Grafana dashboard and the Prometheus alert rules ask for, but the poll errors
     * counter, which exists from the first failed look on (DayTwoE2EIT makes one and reads it).
     */
    private static void checkMetrics(Path dir, int base) throws Exception {
        String token = Files.readString(dir.resolve("certs/prometheus/http-token")).trim();
        HttpClient http = HttpClient.newHttpClient();
        Set<String> exported = new java.util.TreeSet<>();
        for (int n = 1; n <= 3; n++) {
            HttpResponse<String> metrics = get(http, URI.create("http://127.0.0.1:" + (base + 500 + n) + "/metrics"), token);
            assertThat(metrics.statusCode()).isEqualTo(200);
            exported.addAll(DashboardMetrics.inText(metrics.body()));
        }
        exported.add("query_sniper_poll_errors_total");

        Path monitoring = Script.ROOT.resolve("deploy/monitoring");
        Set<String> named = DashboardMetrics.of(new ObjectMapper().readTree(
                monitoring.resolve("query-sniper-dashboard.json").toFile()));
        named.addAll(DashboardMetrics.inText(Files.readString(monitoring.resolve("alert-rules.yml"))));
        assertThat(exported).as("metric families on /metrics").containsAll(named);
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sql(Map<String, String> env, String server, String statement) {
        Script.Result r = Script.run(Timing.seconds(30), env, "bin/dev-cluster", "sql", server, statement);
        assertThat(r.code()).as(r.output()).isZero();
        return r.output().trim();
    }

    /** A base where every port bin/dev-cluster derives from it is free right now. */
    private static int freePortBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 30_000 + 1_000 * ThreadLocalRandom.current().nextInt(20);
            if (allFree(base, 181, 182, 183, 281, 282, 283, 381, 382, 383, 306, 307, 501, 502, 503)) {
                return base;
            }
        }
        throw new IllegalStateException("no free port base for bin/dev-cluster");
    }

    private static boolean allFree(int base, int... offsets) {
        for (int offset : offsets) {
            try (ServerSocket s = new ServerSocket(base + offset)) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
