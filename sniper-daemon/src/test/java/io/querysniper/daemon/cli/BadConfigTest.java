package io.querysniper.daemon.cli;

import io.querysniper.daemon.CliRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per class of config error, with the exact message an operator sees, through the real
 * command line (`run` must refuse to start, exit 2, and print every problem on stderr).
 */
class BadConfigTest {
    @TempDir
    Path dir;
    Path credentials;

    @BeforeEach
    void credentials() throws IOException {
        credentials = dir.resolve("credentials.conf");
        Files.writeString(credentials, "default { user = \"sniper\", password = \"s3cret-pw\" }\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    }

    private CliRun run(String databaseBody) throws IOException {
        Path config = dir.resolve("sniper.conf");
        Files.writeString(config, "query-sniper {\n  data-dir = \"data\"\n  databases {\n    orders {\n"
                + databaseBody + "\n    }\n  }\n}\n");
        return CliRun.of("run", "--config", config.toString(), "--credentials", credentials.toString());
    }

    private static final String ONE_PROBLEM = "query-sniper: 1 problem(s) in the configuration: nothing was started\n";
    private static final String HOST = "      host = \"127.0.0.1\"\n";

    private String file() {
        return dir.resolve("sniper.conf").toString();
    }

    private static void assertRefused(CliRun r) {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("nothing was started").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.err()).doesNotContain("s3cret-pw");
    }

    @Test
    void unknownKey() throws IOException {
        CliRun r = run(HOST + "      intervall = 1s\n      rules = [ { name = r1, busy-time = 5s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.intervall: unknown key (did you mean interval?)\n" + ONE_PROBLEM);
    }

    @Test
    void badDuration() throws IOException {
        CliRun r = run(HOST + "      rules = [ { name = r1, busy-time = 5 parsecs } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.rules[0].busy-time: must be a duration with a unit, such as 500ms, 2s or 1m (value: 5 parsecs)\n" + ONE_PROBLEM);
    }

    @Test
    void zeroThreshold() throws IOException {
        CliRun r = run(HOST + "      rules = [ { name = r1, busy-time = 0s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.rules[0].busy-time: must be greater than zero (value: 0s)\n" + ONE_PROBLEM);
    }

    @Test
    void negativeThreshold() throws IOException {
        CliRun r = run(HOST + "      rules = [ { name = r1, idle-time = -5s, action = kill-connection } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.rules[0].idle-time: must be greater than zero (value: -5s)\n" + ONE_PROBLEM);
    }

    @Test
    void badRegex() throws IOException {
        CliRun r = run(HOST + "      rules = [ { name = r1, match { info = \"(?i)select (\" }, busy-time = 5s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.rules[0].match.info: bad regular expression: Unclosed group near index 12 (value: (?i)select ()\n" + ONE_PROBLEM);
    }

    @Test
    void ruleWithoutThreshold() throws IOException {
        CliRun r = run(HOST + "      rules = [ { name = r1, match { user = [app] } } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.rules[0]: a rule needs at least one threshold: busy-time, idle-time or transaction-time\n" + ONE_PROBLEM);
    }

    @Test
    void missingCredentialsEntry() throws IOException {
        CliRun r = run(HOST + "      credentials = \"orders-login\"\n      rules = [ { name = r1, busy-time = 5s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.credentials: no entry in " + credentials + " (tried: orders-login) (value: orders-login)\n" + ONE_PROBLEM);
    }

    @Test
    void unreadableTlsFile() throws IOException {
        CliRun r = run(HOST + "      tls { mode = verify-ca, ca = \"no-such-ca.pem\" }\n"
                + "      rules = [ { name = r1, busy-time = 5s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.tls.ca: cannot read file: no such file (" + dir.resolve("no-such-ca.pem") + ") (value: no-such-ca.pem)\n" + ONE_PROBLEM);
    }

    @Test
    void everyProblemAtOnce() throws IOException {
        CliRun r = run(HOST + "      intervall = 1s\n      rules = [ { name = r1, busy-time = 0s },"
                + " { name = r2, match { info = \"(\" }, busy-time = 1s } ]");
        assertRefused(r);
        assertThat(r.err()).contains(".intervall: ").contains("rules[0].busy-time: ").contains("rules[1].match.info: ")
                .contains("3 problem(s) in the configuration: nothing was started");
    }

    @Test
    void missingFile() {
        CliRun r = CliRun.of("check", "--config", dir.resolve("nope.conf").toString(), "--credentials",
                credentials.toString());
        assertRefused(r);
        assertThat(r.err()).contains("query-sniper: " + dir.resolve("nope.conf") + ": cannot read file: ");
    }

    /** {@code --strict-permissions}: every secret file others can access is named with its fix, and nothing starts. */
    @Test
    void strictPermissionsRefusesToStartOnSecretFilesOthersCanRead() throws IOException {
        Path key = dir.resolve("client.key");
        Files.writeString(key, "KEY");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(dir.resolve("client.pem"), "PEM");
        Files.writeString(dir.resolve("ca.pem"), "PEM");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path config = dir.resolve("sniper.conf");
        Files.writeString(config, "query-sniper {\n  data-dir = \"data\"\n  databases.orders {\n" + HOST
                + "      tls { mode = verify-ca, ca = \"ca.pem\", cert = \"client.pem\", key = \"client.key\" }\n"
                + "      rules = [ { name = r1, busy-time = 5s } ]\n  }\n}\n");
        CliRun r = CliRun.of("run", "--strict-permissions", "--config", config.toString(),
                "--credentials", credentials.toString());
        assertRefused(r);
        assertThat(r.err()).isEqualTo(
                "query-sniper: the credentials file " + credentials + " is open to its group and every user (rw-rw-rw-):"
                        + " chmod 600 " + credentials + "\n"
                        + "query-sniper: the TLS private key (tls.key of orders) " + key + " is open to its group"
                        + " (rw-r-----): chmod 600 " + key + "\n"
                        + "query-sniper: 2 secret file(s) others can access; --strict-permissions: nothing was started\n");
    }

    @Test
    void aCaThatRequiredModeWouldNotUseIsRefused() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "PEM");
        CliRun r = run(HOST + "      tls { mode = required, ca = \"ca.pem\" }\n      rules = [ { name = r1, busy-time = 5s } ]");
        assertRefused(r);
        assertThat(r.err()).isEqualTo("query-sniper: " + file() + ":6: query-sniper.databases.orders.tls.ca: is not"
                + " used to verify the server with tls.mode = required (the server's certificate is not checked at all):"
                + " set tls.mode = verify-ca or verify-identity (value: ca.pem)\n" + ONE_PROBLEM);
    }
}
