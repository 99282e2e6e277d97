package io.querysniper.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.querysniper.daemon.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scan --from} through the real command line: the same protections as {@code run} (the
 * daemon's own login when --credentials names it, server threads), {@code --json}, and the problems
 * a user can make.
 */
class ScanCommandTest {
    private static final String EMAIL = "bob@example.com";

    @TempDir
    Path dir;

    /** An idle-time rule that would take every idle connection, and a busy-time rule for every query. */
    private Path config() throws IOException {
        return Files.writeString(dir.resolve("sniper.conf"), """
                query-sniper {
                  data-dir = "data"
                  protected-users = ["backup"]
                  databases {
                    shop {
                      host = "db.invalid"
                      rules = [
                        { name = idle, idle-time = 60s, action = kill-connection }
                        { name = slow, busy-time = 10s, match { command = [Query, Execute] } }
                      ]
                    }
                  }
                }
                """);
    }

    private Path credentials() throws IOException {
        Path p = dir.resolve("credentials.conf");
        Files.writeString(p, "default { user = \"sniper\", password = \"s3cret-pw\" }\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    /**
     * A batch dump: the daemon's login idle on a standby's connection (thread 40), an application's idle
     * connection and slow query, a protected user, the INSERT DELAYED handler and the event scheduler.
     */
    private Path dump() throws IOException {
        return Files.writeString(dir.resolve("processlist.tsv"), String.join("\n",
                "Id\tUser\tHost\tdb\tCommand\tTime\tState\tInfo",
                "5\tevent_scheduler\tlocalhost\tNULL\tDaemon\t9000\tWaiting on empty queue\tNULL",
                "14\tDELAYED\tlocalhost\tshop\tDelayed insert\t400\tinsert\tm",
                "40\tsniper\t10.0.0.9:41000\tNULL\tSleep\t700\t\tNULL",
                "41\tapp\t10.0.0.5:50312\tshop\tSleep\t700\t\tNULL",
                "42\tapp\t10.0.0.5:50313\tshop\tQuery\t31\tSending data\tselect * from orders where email = '" + EMAIL + "'",
                "43\tbackup\tlocalhost\tNULL\tQuery\t3000\tSending data\tselect * from orders", ""));
    }

    @Test
    void fromWithCredentialsProtectsTheDaemonsLoginLikeRun() throws IOException {
        CliRun r = CliRun.of("scan", "--from", dump().toString(), "--config", config().toString(),
                "--credentials", credentials().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Judged 6 session(s)").doesNotContain(ScanCommand.LOGIN_UNKNOWN)
                .containsPattern("shop +41 +app .* idle +kill-connection")
                .containsPattern("shop +42 +app .* slow +kill-query")
                .contains("2 session(s) would be acted on").doesNotContain(EMAIL).doesNotContain("s3cret-pw");
        assertThat(threads(r.out())).containsExactly("41", "42");
    }

    @Test
    void fromWithoutCredentialsSaysTheLoginIsUnknown() throws IOException {
        CliRun r = CliRun.of("scan", "--from", dump().toString(), "--config", config().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(ScanCommand.LOGIN_UNKNOWN).contains("3 session(s) would be acted on");
        assertThat(threads(r.out())).containsExactly("40", "41", "42");
    }

    @Test
    void jsonPrintsOneObjectPerVerdictAndNoQueryText() throws IOException {
        CliRun r = CliRun.of("scan", "--json", "--from", dump().toString(), "--config", config().toString(),
                "--credentials", credentials().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain(EMAIL).doesNotContain("Judged");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode idle = mapper.readTree(lines.get(0));
        JsonNode slow = mapper.readTree(lines.get(1));
        assertThat(idle.get("thread").asLong()).isEqualTo(41);
        assertThat(idle.get("command").asText()).isEqualTo("Sleep");
        assertThat(idle.get("action").asText()).isEqualTo("kill-connection");
        assertThat(idle.has("fingerprint")).as("no query, no fingerprint").isFalse();
        assertThat(slow.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("database", "thread",
                "user", "host", "db", "command", "age_ms", "rule", "action", "reason", "fingerprint", "digest");
        assertThat(slow.get("database").asText()).isEqualTo("shop");
        assertThat(slow.get("thread").asLong()).isEqualTo(42);
        assertThat(slow.get("user").asText()).isEqualTo("app");
        assertThat(slow.get("host").asText()).isEqualTo("10.0.0.5:50313");
        assertThat(slow.get("db").asText()).isEqualTo("shop");
        assertThat(slow.get("age_ms").asLong()).isEqualTo(31_000);
        assertThat(slow.get("rule").asText()).isEqualTo("slow");
        assertThat(slow.get("action").asText()).isEqualTo("kill-query");
        assertThat(slow.get("reason").asText()).isEqualTo("busy 31s >= busy-time 10s");
        assertThat(slow.get("fingerprint").asText()).isEqualTo("select * from orders where email = ?");
        assertThat(slow.get("digest").asText()).matches("[0-9a-f]{16,}");
        assertThat(r.err()).contains("Judged 6 session(s)").contains("2 session(s) would be acted on");
    }

    @Test
    void jsonWithNothingToDoPrintsNothingOnStdout() throws IOException {
        Path quiet = Files.writeString(dir.resolve("quiet.tsv"),
                "Id\tUser\tHost\tdb\tCommand\tTime\tState\tInfo\n7\tapp\th:1\tshop\tQuery\t1\tx\tselect 1\n");
        CliRun r = CliRun.of("scan", "--json", "--from", quiet.toString(), "--config", config().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Nothing would be killed now (1 database(s) looked at).")
                .contains(ScanCommand.LOGIN_UNKNOWN);
    }

    @Test
    void badConfigAndBadUsage() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.conf"),
                "query-sniper.databases.shop { host = \"db1,db2\", max-kills-per-minute = 2147483648 }\n");
        CliRun r = CliRun.of("scan", "--from", dump().toString(), "--config", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(bad + ":1: query-sniper.databases.shop.host: must be one host: ")
                .contains(bad + ":1: query-sniper.databases.shop.max-kills-per-minute: must be at most 2147483647"
                        + " (value: 2147483648)")
                .contains("2 problem(s) in the configuration: nothing was started");

        CliRun live = CliRun.of("scan", "--config", config().toString());
        assertThat(live.code()).isEqualTo(2);
        assertThat(live.err()).isEqualTo(
                "query-sniper: scan needs --credentials FILE (or --from FILE to judge a saved process list)\n");
    }

    /** The THREAD column of the table's rows. */
    private static List<String> threads(String out) {
        return out.lines().filter(l -> l.startsWith("shop ")).map(l -> l.split(" +")[1]).toList();
    }
}
