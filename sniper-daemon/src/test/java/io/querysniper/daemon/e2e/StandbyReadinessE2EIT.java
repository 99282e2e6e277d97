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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * /readyz of a standby (issue 12): two nodes share one database, so one of them owns nothing and its
 * watcher never talks to the server. It is ready while the server answers its standby probe, not ready
 * once the server is stopped (a standby that cannot reach its database cannot take it over), and ready
 * again when the server is back; its /status says the same.
 */
class StandbyReadinessE2EIT {
    /** A probe every 10 s, with a 5 s time-out: a change shows within about 15 s. */
    private static final Duration WAIT = Timing.seconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aStandbyIsReadyWhileItsDatabaseAnswersAndNotReadyAfterTheServerStops() throws Exception {
        MariaDbServer db = Servers.fresh();
        try (TestingServer zk = new TestingServer(FreePort.next(), dir.resolve("zk").toFile(), true)) {
            Node n1 = new Node("n1", db, zk.getConnectString());
            Node n2 = new Node("n2", db, zk.getConnectString());
            try {
                n1.start();
                n2.start();
                await().atMost(WAIT).until(() -> n1.owns() ^ n2.owns());
                Node standby = n1.owns() ? n2 : n1;
                Node owner = standby == n1 ? n2 : n1;

                await().atMost(WAIT).until(() -> standby.ready() == 200);
                assertThat(standby.reachable()).isEqualTo("UP");
                assertThat(standby.owns()).as("still the standby").isFalse();

                db.stop();
                await().atMost(WAIT).until(() -> standby.ready() == 503);
                assertThat(standby.get("/readyz").body()).contains("no configured database is reachable");
                assertThat(standby.reachable()).isEqualTo("DOWN");
                await().atMost(WAIT).until(() -> owner.ready() == 503);

                db.start();
                await().atMost(WAIT).until(() -> standby.ready() == 200 && owner.ready() == 200);
                assertThat(standby.reachable()).isEqualTo("UP");
            } finally {
                n2.close();
                n1.close();
                db.close();
            }
        }
    }

    private final class Node {
        final String id;
        final int httpPort = FreePort.next();
        final Path config;
        final Path credentials;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Daemon daemon;

        Node(String id, MariaDbServer db, String zookeeper) throws IOException {
            this.id = id;
            this.config = Files.writeString(dir.resolve(id + ".conf"), "query-sniper {\n  node-id = " + id
                    + "\n  data-dir = \"data-" + id + "\"\n"
                    + "  cluster { zookeeper = \"" + zookeeper + "\", session-timeout = 4s }\n"
                    + "  http.listen = \"127.0.0.1:" + httpPort + "\"\n"
                    + "  databases { shop { host = \"" + db.host() + "\", port = " + db.port()
                    + ", tls { mode = disabled }, connect-timeout = 2s,"
                    + " rules = [ { name = victims, match { user = [victim] }, busy-time = 5s } ] } }\n}\n");
            this.credentials = Servers.credentialsFile(dir.resolve(id + "-credentials.conf"));
        }

        void start() {
            daemon = new Daemon(SettingsLoader.load(config, credentials), false, Clock.systemUTC(), DefaultPorts.mysql(),
                    List.of());
            daemon.start();
        }

        boolean owns() {
            return daemon.cluster() != null && daemon.cluster().mayKill("shop");
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }

        int ready() throws IOException, InterruptedException {
            return get("/readyz").statusCode();
        }

        String reachable() throws IOException, InterruptedException {
            for (JsonNode d : JSON.readTree(get("/status").body()).path("databases")) {
                if (d.path("name").asText().equals("shop")) {
                    return d.path("reachable").asText();
                }
            }
            return null;
        }

        void close() {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
