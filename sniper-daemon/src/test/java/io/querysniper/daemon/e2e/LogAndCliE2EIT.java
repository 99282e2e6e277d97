package io.querysniper.daemon.e2e;

import ch.qos.logback.classic.Level;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.daemon.CliRun;
import io.querysniper.daemon.logging.LogFormat;
import io.querysniper.daemon.logging.LogSetup;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What operators read: the kill log line, and the check / scan commands against a real server. */
class LogAndCliE2EIT {
    private static final Duration WAIT = Timing.seconds(15);
    private static final String SECRET = "alice.secret@example.com";

    @TempDir
    Path dir;

    @AfterEach
    void restoreLogging() {
        LogSetup.configure(LogFormat.TEXT, Level.INFO, System.out);
    }

    @Test
    void killLineCarriesFingerprintAndDigestButNoRawSql() throws Exception {
        for (LogFormat format : LogFormat.values()) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            LogSetup.configure(format, Level.INFO, captured);
            MariaDbServer db = Servers.primary();
            try (Victim v = new Victim(db, "victim");
                 Sniper s = new Sniper().watch("primary", db,
                         "[ { name = slow, match { user = [victim] }, busy-time = 1s } ]").start()) {
                v.start("/* application='checkout' */ SELECT SLEEP(30), '" + SECRET + "' AS email, 4111111111111111 AS card")
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> !s.finals(KillOutcome.KILLED).isEmpty());
            }
            String log = captured.toString(StandardCharsets.UTF_8);
            String line = log.lines().filter(l -> l.contains("KILLED")).findFirst().orElseThrow();
            assertThat(log).doesNotContain(SECRET).doesNotContain("4111111111111111");
            if (format == LogFormat.JSON) {
                assertThat(line).startsWith("{").contains("\"loggerName\":\"io.querysniper.kill\"")
                        .contains("\"qs.db\":\"primary\"").contains("\"qs.rule\":\"slow\"")
                        .contains("\"fingerprint\"").contains("\"digest\"").contains("select SLEEP(?)");
                assertThat(log.lines()).allMatch(l -> l.startsWith("{") && l.endsWith("}"));
            } else {
                assertThat(line).contains("KILLED kill-query database=primary").contains("rule=slow")
                        .contains("digest=").contains("fingerprint=\"select SLEEP(?)");
            }
        }
    }

    @Test
    void checkPrintsOneRowPerDatabaseAndFailsOnMissingPrivileges() throws IOException {
        MariaDbServer db = Servers.primary();
        Path config = config(db, "");
        CliRun good = CliRun.of("check", "--config", config.toString(), "--credentials", credentials(Servers.SNIPER, Servers.SNIPER_PW).toString());
        assertThat(good.code()).as(good.err()).isZero();
        assertThat(good.out()).contains("DATABASE").contains("TLS").contains("PRIVILEGES").contains("MISSING")
                .containsPattern("primary +mariadb 10\\.11")
                .contains("PROCESS").contains("information_schema.PROCESSLIST").contains(" ok")
                .contains("All 1 database(s) passed the check.").doesNotContain(Servers.SNIPER_PW);
        // A plaintext connection is a flagged row, and the least privileges come as statements ready to run.
        assertThat(good.out()).containsPattern("primary +mariadb .*OFF: clear text .* ok \\(1 warning\\(s\\)\\)")
                .contains("Warnings:\n  primary: query text crosses the network in clear: TLS is off (tls.mode = disabled)")
                .contains("GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'sniper'@'%';");

        CliRun bad = CliRun.of("check", "--config", config.toString(), "--credentials", credentials("bystander", Servers.PW).toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("FAILED").contains("PROCESS").contains("1 of 1 database(s) failed the check.")
                .doesNotContain(Servers.PW);
    }

    @Test
    void scanShowsWhatWouldBeKilledAndKillsNothing() throws Exception {
        MariaDbServer db = Servers.primary();
        Path config = config(db, "rules = [ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-connection } ]");
        try (Victim v = new Victim(db, "victim")) {
            CompletableFuture<Victim.Result> q = v.start("SELECT SLEEP(4), '" + SECRET + "'");
            await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
            CliRun r = CliRun.of("scan", "--config", config.toString(), "--credentials",
                    credentials(Servers.SNIPER, Servers.SNIPER_PW).toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("primary +" + v.threadId + " +victim ")
                    .contains("slow").contains("kill-connection").contains("select SLEEP(?), ?")
                    .contains("nothing was killed").doesNotContain(SECRET);
            assertThat(q.get(WAIT.toSeconds(), TimeUnit.SECONDS).end()).isEqualTo(Victim.End.COMPLETED);
        }
    }

    @Test
    void scanFromASavedProcesslistNeedsNoServer() throws IOException {
        Path config = Files.writeString(dir.resolve("offline.conf"), """
                query-sniper {
                  data-dir = "data"
                  databases {
                    shop { host = "db.invalid", rules = [ { name = long-selects, match { info = "(?i)^select" }, busy-time = 30s } ] }
                  }
                }
                """);
        Path dump = Files.writeString(dir.resolve("processlist.tsv"), String.join("\n",
                "Id\tUser\tHost\tdb\tCommand\tTime\tState\tInfo\tProgress",
                "1\tsystem user\t\tNULL\tDaemon\tNULL\tInnoDB purge coordinator\tNULL\t0.000",
                "12\tapp\t10.0.0.5:50312\tshop\tQuery\t31\tSending data\tselect * from orders where email = 'bob@example.com'\t0.000",
                "13\tapp\t10.0.0.6:50313\tshop\tQuery\t5\texecuting\tselect sleep(100)\t0.000",
                "14\tapp\t10.0.0.7:50314\tshop\tSleep\t700\t\tNULL\t0.000", ""));
        CliRun r = CliRun.of("scan", "--from", dump.toString(), "--config", config.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Judged 4 session(s)").containsPattern("shop +12 +app ")
                .contains("long-selects").contains("select * from orders where email = ?")
                .doesNotContain("bob@example.com").contains("1 session(s) would be acted on");
        assertThat(r.out()).doesNotContainPattern("shop +13 ").doesNotContainPattern("shop +14 ");

        CliRun missing = CliRun.of("scan", "--from", dump.toString(), "--config", config.toString(), "--database", "nope");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("query-sniper: no database named 'nope' in " + config + " (configured: shop)\n");
    }

    private Path config(MariaDbServer db, String rules) throws IOException {
        return Files.writeString(dir.resolve("sniper.conf"), "query-sniper {\n  data-dir = \"data\"\n  databases {\n"
                + "    primary {\n      host = \"" + db.host() + "\", port = " + db.port() + "\n      tls { mode = disabled }\n"
                + "      " + rules + "\n    }\n  }\n}\n");
    }

    private Path credentials(String user, String password) throws IOException {
        Path p = dir.resolve("credentials-" + user + ".conf");
        Files.writeString(p, "default { user = \"" + user + "\", password = \"" + password + "\" }\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }
}
