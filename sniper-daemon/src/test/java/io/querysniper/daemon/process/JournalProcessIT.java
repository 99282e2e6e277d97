package io.querysniper.daemon.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.zk.ZooKeeperEnsemble;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The journal's promises end to end, with the packaged jar, a real mariadbd and a real ZooKeeper
 * server process: a kill is journaled with a fingerprint and never the raw SQL; kills made while
 * ZooKeeper is down go to the local spool; a daemon killed with -9 while records are spooled replays
 * them when it starts again; {@code journal --json} then shows every kill exactly once, newest last.
 */
@Tag("process")
class JournalProcessIT {
    private static final int OUTAGE_VICTIMS = 5;
    private static final long SESSION_MS = 4000;
    /** The journal's log line once a spool replay is done ({@code journal: replayed N spooled record(s) ...}). */
    private static final String REPLAYED = "spooled record(s) to ZooKeeper";

    @TempDir
    Path dir;

    /** Planted in every victim's SQL: it must reach no journal record, spool line or log line. */
    private final String secret = "qs-planted-" + UUID.randomUUID();

    @Test
    void killsDuringAZooKeeperOutageSurviveADaemonCrashAndAreJournaledOnce() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool(r -> new Thread(r, "journal-it-victim"));
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(1);
             MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.createUser("sniper", "sniper-pw", "PROCESS, CONNECTION ADMIN ON *.*");
            db.createUser("victim", "victim-pw");
            Path config = config(zk.connectString(), db.port());
            Path credentials = dir.resolve("credentials.conf");
            Files.writeString(credentials, "default { user = \"sniper\", password = \"sniper-pw\" }\n");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            Path spool = dir.resolve("data").resolve("journal-spool").resolve("journal-spool-j1.jsonl");

            try (DaemonProcess daemon = new DaemonProcess(dir.resolve("daemon.log"), "run", "--config",
                    config.toString(), "--credentials", credentials.toString())) {
                daemon.start();
                assertThat(daemon.awaitLog("query-sniper running", 1, Duration.ofSeconds(60))).as(daemon.log()).isTrue();

                // 1. ZooKeeper up: one kill, journaled straight into ZooKeeper.
                assertThat(victim(pool, db).get(30, TimeUnit.SECONDS)).as("first victim killed").isTrue();
                List<JsonNode> first = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> killed(journal(config, "1h")), r -> r.size() == 1);
                JsonNode r0 = first.get(0);
                assertThat(r0.path("fingerprint").asText()).containsIgnoringCase("sleep").doesNotContain(secret);
                assertThat(r0.path("rule").asText()).isEqualTo("victims");
                assertThat(r0.path("user").asText()).isEqualTo("victim");

                // 2. ZooKeeper down. With the default policy (stop) the node stops killing a quarter of the
                // session timeout after the connection drops, so no kill could reach the spool. keep-owned
                // (60 s here) keeps the database it owned watched through the outage, which is the case whose
                // records must not be lost. Waiting for LOST proves kills go on past the session's end.
                zk.server(0).stop();
                assertThat(daemon.awaitLog("ZooKeeper session LOST", 1, Duration.ofSeconds(30))).as(daemon.log()).isTrue();
                List<Future<Boolean>> victims = new ArrayList<>();
                for (int i = 0; i < OUTAGE_VICTIMS; i++) {
                    victims.add(victim(pool, db));
                }
                for (Future<Boolean> v : victims) {
                    assertThat(v.get(30, TimeUnit.SECONDS)).as("victim killed while ZooKeeper is down").isTrue();
                }
                // Final records are spooled by the writer within about 1 s of the kill: wait for all of them.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> killedIds(JournalLines.spool(spool, "outcome")).size() == OUTAGE_VICTIMS);

                // 3. kill -9 while the records sit in the spool.
                int replaysBefore = occurrences(daemon.log(), REPLAYED);
                daemon.crash();
                assertThat(daemon.alive()).isFalse();
                long spoolBytes = Files.size(spool);
                assertThat(spoolBytes).as("spool after the crash").isPositive();
                assertThat(Files.readString(spool, StandardCharsets.UTF_8)).doesNotContain(secret);
                List<JsonNode> spooled = JournalLines.spool(spool, "outcome");
                Set<String> spooledIds = killedIds(spooled);

                // 4. ZooKeeper back, then the daemon with the same data-dir: the spool is replayed at start.
                zk.server(0).start();
                assertThat(zk.server(0).awaitServing(Duration.ofSeconds(60))).as(zk.server(0).log()).isTrue();
                daemon.start();
                assertThat(daemon.awaitLog("query-sniper running", 2, Duration.ofSeconds(60))).as(daemon.log()).isTrue();
                assertThat(daemon.awaitLog(REPLAYED, replaysBefore + 1, Duration.ofSeconds(30)))
                        .as(daemon.log()).isTrue();

                // 5. Every kill exactly once, all KILLED, newest last.
                List<JsonNode> all = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> journal(config, "10m"), r -> killed(r).size() >= 1 + OUTAGE_VICTIMS);
                assertThat(all).as("every record final").allSatisfy(r ->
                        assertThat(r.path("outcome").asText()).isEqualTo("KILLED"));
                List<String> ids = all.stream().map(r -> r.path("id").asText()).toList();
                assertThat(ids).hasSize(1 + OUTAGE_VICTIMS).doesNotHaveDuplicates();
                assertThat(ids.get(0)).isEqualTo(r0.path("id").asText());
                assertThat(ids.subList(1, ids.size())).containsExactlyInAnyOrderElementsOf(spooledIds);
                // Newest last means by decision time, which leads the id. A final record's "time" is when its
                // KILL completed, so concurrent kills may finish in another order: that field is not sorted.
                assertThat(ids).isSorted();
                assertThat(all).allSatisfy(r -> assertThat(Instant.parse(r.path("time").asText()))
                        .isAfterOrEqualTo(Instant.ofEpochMilli(Long.parseLong(r.path("id").asText().substring(0, 13)))));
                assertThat(all).allSatisfy(r -> assertThat(r.path("fingerprint").asText()).isNotBlank());

                assertThat(daemon.log()).doesNotContain(secret).doesNotContain("sniper-pw");
                System.out.printf("journal: %d kill(s) during the outage, %d spool line(s) (%d bytes) at the crash,"
                        + " %d record(s) in the journal afterwards%n", OUTAGE_VICTIMS, spooled.size(), spoolBytes, all.size());
                assertThat(daemon.terminate(Duration.ofSeconds(15))).as("stops on SIGTERM").isNotNull();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A victim on its own connection whose SQL carries the secret; true once it was killed. */
    private Future<Boolean> victim(ExecutorService pool, MariaDbServer db) {
        return pool.submit(() -> {
            try (Connection c = db.connection("victim", "victim-pw"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT SLEEP(20) AS s, '" + secret + "' AS planted")) {
                rs.next();
                return rs.getInt(1) == 1; // SLEEP returns 1 when KILL QUERY interrupts it
            } catch (SQLException e) {
                if (e.getErrorCode() == 1317) { // ER_QUERY_INTERRUPTED
                    return true;
                }
                throw e;
            }
        });
    }

    /** Runs {@code journal --json} as its own process; the records it printed, in its order. */
    private List<JsonNode> journal(Path config, String since) {
        DaemonProcess.Result r = DaemonProcess.runOnce(Duration.ofSeconds(60), "journal", "--config",
                config.toString(), "--json", "--since", since);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain(secret);
        return JournalLines.records(r.output(), "outcome");
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    private static List<JsonNode> killed(List<JsonNode> records) {
        return records.stream().filter(r -> "KILLED".equals(r.path("outcome").asText())).toList();
    }

    private static Set<String> killedIds(List<JsonNode> records) {
        Set<String> ids = new HashSet<>();
        killed(records).forEach(r -> ids.add(r.path("id").asText()));
        return ids;
    }

    private Path config(String zookeeper, int port) throws IOException {
        return Files.writeString(dir.resolve("sniper.conf"), """
                query-sniper {
                  node-id = "j1"
                  data-dir = "data"
                  databases {
                    shop {
                      host = "127.0.0.1", port = %d
                      tls { mode = disabled }
                      interval = 250ms
                      rules = [ { name = victims, match { user = [victim] }, busy-time = 1s, action = kill-query } ]
                    }
                  }
                  cluster {
                    zookeeper = "%s"
                    session-timeout = %dms
                    on-coordination-loss = keep-owned
                    keep-owned-for = 60s
                  }
                  journal { write-timeout = 200ms }
                }
                """.formatted(port, zookeeper, SESSION_MS));
    }
}
