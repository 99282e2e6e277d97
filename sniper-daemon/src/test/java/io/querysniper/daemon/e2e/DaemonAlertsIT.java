package io.querysniper.daemon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.querysniper.config.SettingsLoader;
import io.querysniper.daemon.CliRun;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The daemon with alert sinks from its config files: a kill reaches a webhook and a command, the kill-rate
 * guard's trip reaches the webhook, {@code alert-test} prints what the endpoint answered, and the queue
 * counters are readable for metrics.
 */
class DaemonAlertsIT {
    private static final Duration WAIT = Timing.seconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "hooks/SECRETPATHtoken";

    @TempDir
    Path dir;

    @Test
    void killsAndTheGuardReachTheSinks() throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        hook.createContext("/", x -> {
            received.add(JSON.readTree(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();
        Path envFile = dir.resolve("hook-env.txt");
        Path script = Files.writeString(dir.resolve("on-kill.sh"), "#!/bin/sh\nenv | grep '^QS_' | sort >> '" + envFile + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        try (MariaDbServer db = Servers.fresh()) {
            String server = "host = \"" + db.host() + "\", port = " + db.port() + ", tls { mode = disabled }";
            Path config = Files.writeString(dir.resolve("alerts.conf"), "query-sniper {\n  node-id = alerts\n"
                    + "  data-dir = \"data\"\n  cluster.embedded-port = " + FreePort.next() + "\n"
                    + "  databases.shop { " + server + ", max-kills-per-minute = 1,"
                    + " rules = [ { name = victims, match { user = [victim] }, busy-time = 1s } ] }\n"
                    + "  alerts {\n"
                    + "    audit { type = webhook, aggregate-window = 1s }\n"
                    + "    hook { type = command, aggregate-window = 0s, events = [kill], command = [\"" + script + "\"] }\n"
                    + "  }\n}\n");
            Path credentials = Files.writeString(dir.resolve("credentials.conf"),
                    "default { user = \"" + Servers.SNIPER + "\", password = \"" + Servers.SNIPER_PW + "\" }\n"
                            + "alerts.audit.url = \"http://127.0.0.1:" + hook.getAddress().getPort() + "/" + TOKEN + "\"\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));

            CliRun test = CliRun.of("alert-test", "--config", config.toString(), "--credentials", credentials.toString(),
                    "--sink", "audit");
            assertThat(test.code()).as(test.out() + test.err()).isZero();
            assertThat(test.out()).contains("audit", "204", "delivered").doesNotContain("SECRETPATH");
            await().atMost(WAIT).until(() -> received.size() == 1);
            assertThat(received.get(0).get("detail").asText()).startsWith("query-sniper alert-test from node alerts");
            received.clear();

            Daemon daemon = new Daemon(SettingsLoader.load(config, credentials), false, Clock.systemUTC(),
                    DefaultPorts.mysql(), List.of());
            try {
                daemon.start();
                await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop"));
                try (Victim v = new Victim(db, "victim")) {
                    KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                await().atMost(WAIT).until(() -> received.stream().anyMatch(d -> d.get("event").asText().equals("kill")));
                JsonNode kill = received.stream().filter(d -> d.get("event").asText().equals("kill")).findFirst().orElseThrow();
                assertThat(kill.get("group_key").asText()).isEqualTo("kill/shop/victims");
                assertThat(kill.get("count").asInt()).isEqualTo(1);
                assertThat(kill.get("records").get(0).get("fingerprint").asText()).isEqualTo("select SLEEP(?)");
                assertThat(kill.toString()).doesNotContain("SLEEP(30)");
                await().atMost(WAIT).until(() -> Files.exists(envFile)
                        && Files.readString(envFile).contains("QS_RULE=victims"));
                assertThat(Files.readAllLines(envFile)).contains("QS_EVENT=kill", "QS_DATABASE=shop", "QS_COUNT=1");

                // A second victim within the minute trips the guard (max-kills-per-minute = 1).
                try (Victim v = new Victim(db, "victim")) {
                    v.start("SELECT SLEEP(5)");
                    await().atMost(WAIT).until(() -> received.stream()
                            .anyMatch(d -> d.get("event").asText().equals("guard-tripped")));
                }
                JsonNode guard = received.stream().filter(d -> d.get("event").asText().equals("guard-tripped"))
                        .findFirst().orElseThrow();
                assertThat(guard.get("status").asText()).isEqualTo("firing");
                assertThat(guard.get("database").asText()).isEqualTo("shop");
                assertThat(daemon.alertQueues().sinkStats()).extracting(s -> s.sink()).containsExactly("audit", "hook");
            } finally {
                daemon.close();
                hook.stop(0);
            }
        }
    }
}
