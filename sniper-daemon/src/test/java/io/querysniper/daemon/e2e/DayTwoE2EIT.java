package io.querysniper.daemon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.querysniper.config.SettingsLoader;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Day two against real servers: the metrics after a kill, a poll error and a guard trip; the status and
 * the page; reload (good, bad, not live, a database added and removed); /readyz while ZooKeeper is away; the token.
 */
class DayTwoE2EIT {
    private static final Duration WAIT = Timing.seconds(20);
    private static final String TOKEN = "e2e-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private Daemon daemon;
    private String base;
    private String token;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    // ---- the tests

    @Test
    void metricsAfterAKillAPollErrorAndAGuardTrip() throws Exception {
        MariaDbServer db = Servers.primary();
        int deadPort = FreePort.next(); // nothing listens there
        start(db, """
                shop { %s, rules = [ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-query } ] }
                guarded { %s, max-kills-per-minute = 1,
                  rules = [ { name = idle, match { user = [bystander], command = [Sleep] }, idle-time = 1s, action = kill-connection } ] }
                dead { host = "127.0.0.1", port = %d, tls { mode = disabled }, connect-timeout = 1s }
                """.formatted(server(db), server(db), deadPort),
                "alerts { hook { type = command, command = [\"/bin/true\"], events = [kill] } }", null);
        await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop") && daemon.cluster().mayKill("guarded"));

        try (Victim v = new Victim(db, "victim"); Victim b1 = new Victim(db, "bystander");
             Victim b2 = new Victim(db, "bystander")) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
            // Two idle bystanders, a guard of one kill a minute: one is killed, then the guard trips.
            await().atMost(WAIT).until(() -> metric("query_sniper_guard_tripped{database=\"guarded\"}") == 1.0);
        }
        await().atMost(WAIT).until(() -> metric("query_sniper_poll_errors_total{database=\"dead\",kind=\"unreachable\"}") >= 1);

        String m = get("/metrics").body();
        assertThat(value(m, "query_sniper_kills_total{action=\"KILL_QUERY\",database=\"shop\",outcome=\"KILLED\",rule=\"slow\"}"))
                .isEqualTo(1.0);
        assertThat(value(m, "query_sniper_kills_total{action=\"KILL_CONNECTION\",database=\"guarded\",outcome=\"KILLED\",rule=\"idle\"}"))
                .isEqualTo(1.0);
        assertThat(value(m, "query_sniper_kill_overshoot_seconds_count")).isEqualTo(2.0);
        assertThat(value(m, "query_sniper_kill_overshoot_seconds_bucket{le=\"10.0\"}")).isEqualTo(2.0);
        assertThat(value(m, "query_sniper_polls_total{database=\"shop\"}")).isGreaterThan(1);
        assertThat(value(m, "query_sniper_poll_duration_seconds_count{database=\"shop\"}")).isGreaterThan(1);
        assertThat(value(m, "query_sniper_poll_errors_total{database=\"shop\",kind=\"unreachable\"}")).isZero();
        assertThat(value(m, "query_sniper_database_up{database=\"shop\"}")).isEqualTo(1.0);
        assertThat(value(m, "query_sniper_database_up{database=\"dead\"}")).isEqualTo(0.0);
        assertThat(value(m, "query_sniper_database_owned{database=\"shop\"}")).isEqualTo(1.0);
        assertThat(value(m, "query_sniper_guard_tripped{database=\"shop\"}")).isEqualTo(0.0);
        assertThat(value(m, "query_sniper_cluster_members")).isEqualTo(1.0);
        // The embedded ZooKeeper's session is 10 s: the lease is renewed every 1 s and ends at 2.5 s.
        assertThat(value(m, "query_sniper_lease_age_seconds")).isBetween(0.0, 2.5);
        assertThat(value(m, "query_sniper_alert_queue_depth{sink=\"hook\"}")).isGreaterThanOrEqualTo(0.0);
        assertThat(value(m, "query_sniper_alerts_dropped_total{sink=\"hook\"}")).isZero();
        assertThat(value(m, "query_sniper_journal_spool_records")).isEqualTo(0.0);
        assertThat(value(m, "query_sniper_journal_write_duration_seconds_count")).isGreaterThanOrEqualTo(2);
        assertThat(value(m, "query_sniper_config_reload_success")).isEqualTo(1.0);
        assertThat(value(m, "query_sniper_config_last_reload_timestamp_seconds")).isGreaterThan(1.7e9);
        assertThat(m).containsPattern("(?m)^query_sniper_build_info\\{version=\"[^\"]+\"} 1(\\.0)?$")
                .contains("jvm_memory_used_bytes").contains("process_uptime_seconds")
                .doesNotContain("SLEEP(30)").doesNotContain("fingerprint");
        HttpResponse<String> om = HTTP.send(request("/metrics").header("Accept", "application/openmetrics-text")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(om.headers().firstValue("Content-Type")).hasValueSatisfying(t -> t.startsWith("application/openmetrics-text"));
        assertThat(om.body()).contains("# EOF");

        JsonNode status = JSON.readTree(get("/status").body());
        assertThat(status.path("node").asText()).isEqualTo("day2");
        assertThat(status.path("coordination").asText()).isEqualTo("CONNECTED");
        assertThat(status.path("members")).hasSize(1);
        JsonNode shop = database(status, "shop");
        assertThat(shop.path("owner").asText()).isEqualTo("day2");
        assertThat(shop.path("reachable").asText()).isEqualTo("UP");
        assertThat(shop.path("lastKill").isNull()).isFalse();
        assertThat(shop.path("pollLatencySeconds").asDouble()).isPositive();
        assertThat(database(status, "guarded").path("guardTripped").asBoolean()).isTrue();
        assertThat(database(status, "dead").path("reachable").asText()).isEqualTo("DOWN");

        await().atMost(WAIT).until(() -> get("/").body().contains("select SLEEP(?)"));
        assertThat(get("/").body()).doesNotContain("SLEEP(30)");
        assertThat(get("/readyz").statusCode()).as("one database down, two up: ready").isEqualTo(200);
    }

    @Test
    void reloadGoodBadNotLiveAndDatabasesAddedAndRemoved() throws Exception {
        MariaDbServer db = Servers.primary();
        String victims = "shop { %s, rules = [ { name = slow, match { user = [victim] }, busy-time = 1s } ] }".formatted(server(db));
        String reports = "shop { %s, rules = [ { name = reports, match { user = [report] }, busy-time = 1s } ] }".formatted(server(db));
        start(db, victims, "", null);
        await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop"));
        assertKilled(db, "victim");

        // Good: the rule now targets reports, from the next look; victims are left alone.
        writeConfig(reports, "");
        HttpResponse<String> good = post("/-/reload");
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(good.body()).contains("shop: new rules");
        assertKilled(db, "report");
        try (Victim spared = new Victim(db, "victim")) {
            assertThat(spared.start("SELECT SLEEP(2)").get(WAIT.toSeconds(), TimeUnit.SECONDS).end())
                    .isEqualTo(Victim.End.COMPLETED);
        }
        double loadedAt = metric("query_sniper_config_last_reload_timestamp_seconds");

        // Bad: the same messages as at start, and the running rules keep killing.
        writeConfig("shop { %s, rules = [ { name = reports, match { user = [report] }, busy-time = soon } ] }"
                .formatted(server(db)), "");
        HttpResponse<String> bad = post("/-/reload");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("query-sniper.databases.shop.rules[0].busy-time").contains("day2.conf:7:")
                .contains("the running config stays");
        assertThat(metric("query_sniper_config_reload_success")).isEqualTo(0.0);
        assertThat(metric("query_sniper_config_reloads_total{result=\"refused\"}")).isEqualTo(1.0);
        assertThat(metric("query_sniper_config_last_reload_timestamp_seconds")).isEqualTo(loadedAt);
        assertKilled(db, "report");

        // Not live: refused, nothing applied.
        writeConfig(reports, "");
        Files.writeString(config(), Files.readString(config()).replace("node-id = day2", "node-id = other"));
        HttpResponse<String> nodeId = post("/-/reload");
        assertThat(nodeId.statusCode()).isEqualTo(400);
        assertThat(nodeId.body()).contains("query-sniper.node-id changed: a restart is needed");

        // A database added: its latch joined live, this node owns it and watches it.
        writeConfig(reports + "\nshop2 { " + server(db) + " }", "");
        HttpResponse<String> added = post("/-/reload");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(daemon.runningSettings().settings().databases()).containsOnlyKeys("shop", "shop2");
        await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop2")
                && metric("query_sniper_database_owned{database=\"shop2\"}") == 1.0);
        assertThat(metric("query_sniper_config_reload_success")).isEqualTo(1.0);

        // And removed again: its latch left, its series gone.
        writeConfig(reports, "");
        assertThat(post("/-/reload").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> !daemon.cluster().mayKill("shop2"));
        assertThat(get("/metrics").body()).doesNotContain("database=\"shop2\"");
        assertThat(metric("query_sniper_config_reload_success")).isEqualTo(1.0);
        assertThat(metric("query_sniper_config_reloads_total{result=\"applied\"}")).isEqualTo(3.0);
    }

    @Test
    void notReadyWhileZooKeeperIsAwayAndReadyAfter() throws Exception {
        MariaDbServer db = Servers.primary();
        try (TestingServer zk = new TestingServer(FreePort.next(), dir.resolve("zk").toFile(), true)) {
            start(db, "shop { " + server(db) + " }",
                    "cluster { zookeeper = \"" + zk.getConnectString() + "\", session-timeout = 4s, connection-timeout = 2s }", null);
            await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
            zk.stop();
            await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 503);
            assertThat(get("/readyz").body()).contains("coordination is down");
            assertThat(get("/livez").statusCode()).as("alive all along").isEqualTo(200);
            zk.restart();
            await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
        }
    }

    @Test
    void theTokenGuardsAllButTheProbesAndTheDefaultIsLoopback() throws Exception {
        MariaDbServer db = Servers.primary();
        start(db, "shop { " + server(db) + " }", "", TOKEN);
        for (String path : List.of("/metrics", "/status", "/")) {
            token = null;
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
            token = TOKEN;
            assertThat(get(path).statusCode()).as(path).isEqualTo(200);
        }
        token = null;
        assertThat(post("/-/reload").statusCode()).isEqualTo(401);
        assertThat(get("/livez").statusCode()).isEqualTo(200);
        // Bound to loopback: another address of this host does not answer.
        InetAddress other = nonLoopbackAddress();
        if (other != null) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(other, daemon.httpPort()), 2000);
                org.assertj.core.api.Assertions.fail("the HTTP server answered on " + other);
            } catch (IOException expected) {
                // refused: it listens on 127.0.0.1 only
            }
        }
    }

    @Test
    void thePageInAHeadlessBrowserShowsAKill() throws Exception {
        Path chromium = Chromium.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium)");
        MariaDbServer db = Servers.primary();
        start(db, """
                shop { %s, rules = [ { name = slow-reports, match { user = [victim] }, busy-time = 1s, action = kill-query } ] }
                billing { %s, rules = [ { name = idle-in-trx, match { user = [bystander] }, transaction-time = 30s, action = kill-connection } ] }
                """.formatted(server(db), server(db)), "", null);
        await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop"));
        try (Victim v = new Victim(db, "victim")) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30) /* secret-literal-4711 */")
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        await().atMost(WAIT).until(() -> get("/").body().contains("select SLEEP(?)"));

        Path png = Path.of(System.getProperty("qs.screenshot", "target/status-page.png")).toAbsolutePath();
        Files.createDirectories(png.getParent());
        Files.deleteIfExists(png);
        Chromium.Result shot = Chromium.run(chromium, dir.resolve("browser-1"), WAIT,
                "--window-size=1280,720", "--screenshot=" + png, base + "/");
        assertThat(shot.code()).as(shot.output()).isZero();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(10_000);
        assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");

        Chromium.Result dom = Chromium.run(chromium, dir.resolve("browser-2"), WAIT, "--dump-dom", base + "/");
        assertThat(dom.code()).as(dom.output()).isZero();
        assertThat(dom.output()).contains("query-sniper on node day2").contains("select SLEEP(?)").contains("KILLED")
                .contains("slow-reports").contains("billing").doesNotContain("secret-literal-4711")
                .doesNotContain("SLEEP(30)");
    }

    // ---- helpers

    private void assertKilled(MariaDbServer db, String user) throws Exception {
        try (Victim v = new Victim(db, user)) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    private static String server(MariaDbServer db) {
        return "host = \"" + db.host() + "\", port = " + db.port() + ", tls { mode = disabled }";
    }

    private Path config() {
        return dir.resolve("day2.conf");
    }

    private int httpPort;
    private int zkPort;

    private void writeConfig(String databases, String more) throws IOException {
        Files.writeString(config(), "query-sniper {\n  node-id = day2\n  data-dir = \"data\"\n"
                + "  cluster.embedded-port = " + zkPort + "\n  http.listen = \"127.0.0.1:" + httpPort + "\"\n"
                + "  databases {\n" + databases + "\n  }\n" + more + "\n}\n");
    }

    private void start(MariaDbServer db, String databases, String more, String httpToken) throws IOException {
        httpPort = FreePort.next();
        zkPort = FreePort.next();
        writeConfig(databases, more);
        Path credentials = Files.writeString(dir.resolve("credentials.conf"),
                "default { user = \"" + Servers.SNIPER + "\", password = \"" + Servers.SNIPER_PW + "\" }\n"
                        + (httpToken == null ? "" : "http { token = \"" + httpToken + "\" }\n"));
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        daemon = new Daemon(SettingsLoader.load(config(), credentials), false, Clock.systemUTC(), DefaultPorts.mysql(),
                List.of()).reloadFrom(() -> SettingsLoader.load(config(), credentials));
        daemon.start();
        assertThat(daemon.httpPort()).isEqualTo(httpPort);
        base = "http://127.0.0.1:" + httpPort;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double metric(String series) throws IOException, InterruptedException {
        return value(get("/metrics").body(), series);
    }

    /** The value of one series in a scrape; NaN when absent. */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static JsonNode database(JsonNode status, String name) {
        for (JsonNode d : status.path("databases")) {
            if (name.equals(d.path("name").asText())) {
                return d;
            }
        }
        throw new AssertionError("no database " + name + " in " + status);
    }

    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return a;
                }
            }
        }
        return null;
    }
}
