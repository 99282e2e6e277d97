package io.querysniper.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static io.querysniper.config.ConfigFiles.CREDENTIALS;
import static io.querysniper.config.ConfigFiles.SECRET;
import static io.querysniper.config.ConfigFiles.orders;
import static io.querysniper.config.ConfigFiles.problem;
import static org.assertj.core.api.Assertions.assertThat;

/** One test per kind of bad config, each asserting the exact problem an operator sees. */
class ConfigProblemsTest {
    private static final String DB = "query-sniper.databases.orders";
    private static final String RULE0 = DB + ".rules[0]";
    private static final String HOST_LIST = "must be one host: Connector/J reads a comma-separated list as several"
            + " hosts and connects to whichever answers, so a KILL could reach another server than the one whose"
            + " sessions were judged";
    private static final String NOT_ONE_HOST = "must be one host name, IPv4 address or IPv6 literal (such as"
            + " db1.example, 10.0.0.12, ::1 or [::1]): Connector/J reads ( ) = @ / ? # % and spaces in a URL's host"
            + " part as host specs, connection properties, credentials or escapes";
    private static final String MIN_INTERVAL = "must be at least 100ms: InnoDB refreshes the transaction list the"
            + " daemon reads (INNODB_TRX) at most every 100 ms, so closer looks would judge a stale list";

    @TempDir
    Path dir;

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    /** orders with one rule written on line 3. */
    private ConfigException failRule(String rule) {
        return files().fail(orders("    rules = [ { " + rule + " } ]"));
    }

    private ConfigProblem ruleProblem(String rule, String key) {
        return problem(failRule(rule), RULE0 + key);
    }

    @Test
    void problemToStringNamesFileLineKeyAndValue() {
        ConfigException e = failRule("name = a, busy-time = 0s");
        ConfigProblem p = problem(e, RULE0 + ".busy-time");
        assertThat(p).isEqualTo(new ConfigProblem(dir.resolve("query-sniper.conf").toString(), 3,
                RULE0 + ".busy-time", "0s", "must be greater than zero"));
        assertThat(p.toString()).isEqualTo(dir.resolve("query-sniper.conf") + ":3: " + RULE0
                + ".busy-time: must be greater than zero (value: 0s)");
        assertThat(e.getMessage()).isEqualTo(p.toString());
        assertThat(new ConfigProblem("c.conf", -1, null, null, "cannot read file").toString())
                .isEqualTo("c.conf: cannot read file");
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() {
        ConfigException e = files().fail("""
                query-snipper.dry-run = true
                query-sniper {
                  dry-runn = true
                  defaults { intervall = 1s }
                  cluster { zookeper = "zk:2181" }
                  journal.export { tabel = kills }
                  databases.orders {
                    host = h
                    bogus-setting = 1
                    tls { mode = required, cafile = x }
                    rules = [ { name = a, busytime = 1s, busy-time = 2s, match { usr = x }, when { lag = 1s } } ]
                  }
                }
                """);
        assertThat(problem(e, "query-snipper").message()).isEqualTo("unknown key (did you mean query-sniper?)");
        assertThat(problem(e, "query-sniper.dry-runn").message()).isEqualTo("unknown key (did you mean dry-run?)");
        assertThat(problem(e, "query-sniper.defaults.intervall").message()).isEqualTo("unknown key (did you mean interval?)");
        assertThat(problem(e, "query-sniper.cluster.zookeper").message()).isEqualTo("unknown key (did you mean zookeeper?)");
        assertThat(problem(e, "query-sniper.journal.export.tabel").message()).isEqualTo("unknown key (did you mean table?)");
        assertThat(problem(e, DB + ".bogus-setting").message()).isEqualTo("unknown key");
        assertThat(problem(e, DB + ".tls.cafile").message()).isEqualTo("unknown key (did you mean ca?)");
        assertThat(problem(e, RULE0 + ".busytime").message()).isEqualTo("unknown key (did you mean busy-time?)");
        assertThat(problem(e, RULE0 + ".match.usr").message()).isEqualTo("unknown key (did you mean user?)");
        assertThat(problem(e, RULE0 + ".when.lag").message()).isEqualTo("unknown key");
        assertThat(problem(e, DB + ".bogus-setting").line()).isEqualTo(9);
        assertThat(e.problems()).hasSize(10);
    }

    @Test
    void wrongTypes() {
        ConfigException e = files().fail(orders("""
                    port = "abc"
                    dry-run = maybe
                    protected-users = "root"
                    tls = on
                    rules = [ "not a rule", { name = [a], busy-time = 1s, match { user = { x = 1 } } } ]"""));
        assertThat(problem(e, DB + ".port").message()).isEqualTo("must be a whole number");
        assertThat(problem(e, DB + ".dry-run").message()).isEqualTo("must be true or false");
        assertThat(problem(e, DB + ".protected-users").message()).isEqualTo("must be a list of strings");
        assertThat(problem(e, DB + ".tls").message()).isEqualTo("must be an object");
        assertThat(problem(e, DB + ".rules[0]").message()).isEqualTo("must be a rule object");
        assertThat(problem(e, DB + ".rules[1].name").message()).isEqualTo("must be a string");
        assertThat(problem(e, DB + ".rules[1].match.user").message()).isEqualTo("must be a string or a list of strings");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "interval = \"5 parsecs\" | interval | 5 parsecs | must be a duration with a unit, such as 500ms, 2s or 1m",
            "interval = 500           | interval | 500       | must be a duration with a unit, such as 500ms, 2s or 1m",
            "interval = \"250\"       | interval | 250       | must be a duration with a unit, such as 500ms, 2s or 1m",
            "interval = 0s            | interval | 0s        | must be greater than zero",
            "min-interval = -1s       | min-interval | -1s   | must be greater than zero",
            "connect-timeout = 0ms    | connect-timeout | 0ms | must be greater than zero",
            "max-kills-per-minute = 0 | max-kills-per-minute | 0 | must be greater than zero",
            "max-kills-per-minute = 2.5 | max-kills-per-minute | 2.5 | must be a whole number",
            "port = 0                 | port | 0             | must be between 1 and 65535",
            "port = 70000             | port | 70000         | must be between 1 and 65535",
            "port = 9223372036854775808 | port | 9223372036854775808 | must be between 1 and 65535",
            "max-kills-per-minute = 2147483648 | max-kills-per-minute | 2147483648 | must be at most 2147483647",
            "max-kills-per-minute = 4294967356 | max-kills-per-minute | 4294967356 | must be at most 2147483647",
            "max-kills-per-minute = 99999999999999999999 | max-kills-per-minute | 99999999999999999999 | must be at most 2147483647",
            "max-kill-connections = 0 | max-kill-connections | 0 | must be greater than zero",
            "max-kill-connections = -3 | max-kill-connections | -3 | must be greater than zero",
            "max-kill-connections = 2147483648 | max-kill-connections | 2147483648 | must be at most 2147483647",
            "max-kill-connections = 1.5 | max-kill-connections | 1.5 | must be a whole number",
            "min-interval = 99ms      | min-interval | 99ms  | " + MIN_INTERVAL,
            "min-interval = 10ms, interval = 50ms | min-interval | 10ms | " + MIN_INTERVAL,
            "interval = 1s, min-interval = 2s | min-interval | 2s | must not be greater than interval (1s)",
            "kill-method = rdss       | kill-method | rdss   | must be one of: auto, kill, rds, azure (did you mean rds?)",
            "tls.mode = strict        | tls.mode | strict    | must be one of: disabled, preferred, required, verify-ca, verify-identity",
            "tls.mode = verify-ca     | tls.mode | verify-ca | needs tls.ca, the CA certificate to verify the server with",
            "tls.mode = verify-identity | tls.mode | verify-identity | needs tls.ca, the CA certificate to verify the server with",
    })
    void badDatabaseValues(String setting, String key, String value, String message) {
        ConfigProblem p = problem(files().fail(orders("    " + setting)), DB + "." + key);
        assertThat(p.message()).isEqualTo(message);
        assertThat(p.value()).isEqualTo(value);
        assertThat(p.line()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "busy-time = 0s                     | .busy-time | 0s | must be greater than zero",
            "idle-time = -5s, action = kill-connection | .idle-time | -5s | must be greater than zero",
            "transaction-time = 0ms             | .transaction-time | 0ms | must be greater than zero",
            "busy-time = 1s, query-count = 0, group-by = user | .query-count | 0 | must be greater than zero",
            "busy-time = 1s, query-count = 3    | .query-count | 3 | has no effect without group-by",
            "busy-time = 1s, victims = oldest   | .victims | oldest | has no effect without group-by",
            "busy-time = 1s, action = kill-everything | .action | kill-everything | must be one of: kill-query, kill-connection, log",
            "busy-time = 1s, group-by = table   | .group-by | table | must be one of: fingerprint, user, db, host",
            "busy-time = 1s, group-by = user, victims = newest | .victims | newest | must be one of: all, oldest, all-but-oldest",
            "busy-time = 1s, allow-skip = sometimes | .allow-skip | sometimes | must be true or false",
            "busy-time = 1s, max-rows-modified = -1 | .max-rows-modified | -1 | must not be negative",
            "busy-time = 1s, max-rows-modified = 9223372036854775808 | .max-rows-modified | 9223372036854775808 | must be at most 9223372036854775807",
            "busy-time = 1s, query-count = 2147483648, group-by = user | .query-count | 2147483648 | must be at most 2147483647",
            "busy-time = 1s, when { history-list-over = 9223372036854775808 } | .when.history-list-over | 9223372036854775808 | must be at most 9223372036854775807",
            "busy-time = 1s, when { replica-lag-over = 0s } | .when.replica-lag-over | 0s | must be greater than zero",
            "busy-time = 1s, when { history-list-over = 0 } | .when.history-list-over | 0 | must be greater than zero",
            "busy-time = 1s, match { user = [] } | .match.user | [] | must list at least one value",
            "busy-time = 1s, match { user = [\"ok\", \"/(ab/\"] } | .match.user | /(ab/ | bad regular expression: Unclosed group near index 3",
            "busy-time = 1s, match { host = \"/[a-/\" } | .match.host | /[a-/ | bad regular expression: Illegal character range near index 3",
            "busy-time = 1s, ignore { info = \"select (\" } | .ignore.info | select ( | bad regular expression: Unclosed group near index 8",
            "idle-time = 10s                    | .action | kill-query | KILL QUERY does nothing to an idle session; use kill-connection",
            "transaction-time = 10s, match { command = Sleep }, action = kill-query | .action | kill-query | KILL QUERY does nothing to an idle session; use kill-connection",
    })
    void badRuleValues(String settings, String key, String value, String message) {
        ConfigProblem p = ruleProblem("name = r, " + settings, key);
        assertThat(p.message()).isEqualTo(message);
        assertThat(p.value()).isEqualTo(value);
        assertThat(p.line()).isEqualTo(3);
    }

    @Test
    void integerKeysOutsideTheirRangeAreNeverWrapped() {
        ConfigException e = files().fail("""
                query-sniper {
                  defaults {
                    max-kills-per-minute = 2147483648
                    max-kill-connections = 4294967297
                    rule-defaults { query-count = 2147483648, group-query-count = 9223372036854775807 }
                  }
                  cluster.embedded-port = 65536
                  journal.max-records = 9223372036854775808
                  databases.orders.host = h
                }
                """);
        assertThat(e.problems()).extracting(p -> p.line() + " " + p.key() + " " + p.value() + ": " + p.message())
                .containsExactly(
                        "3 query-sniper.defaults.max-kills-per-minute 2147483648: must be at most 2147483647",
                        "4 query-sniper.defaults.max-kill-connections 4294967297: must be at most 2147483647",
                        "5 query-sniper.defaults.rule-defaults.query-count 2147483648: must be at most 2147483647",
                        "5 query-sniper.defaults.rule-defaults.group-query-count 9223372036854775807: must be at most 2147483647",
                        "7 query-sniper.cluster.embedded-port 65536: must be between 1 and 65535",
                        "8 query-sniper.journal.max-records 9223372036854775808: must be at most 9223372036854775807");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "db1.example.com,db2.example.com | " + HOST_LIST,
            "db1,                            | " + HOST_LIST,
            "address=(host=db1)(port=3306)   | " + NOT_ONE_HOST,
            "(host=db1,port=3306)            | " + HOST_LIST,
            "(host=db1)                      | " + NOT_ONE_HOST,
            "db1?allowLoadLocalInfile=true   | " + NOT_ONE_HOST,
            "db1/other                       | " + NOT_ONE_HOST,
            "root:pw@db1                     | " + NOT_ONE_HOST,
            "db1#x                           | " + NOT_ONE_HOST,
            "db%31                           | " + NOT_ONE_HOST,
            "'db1 '                          | " + NOT_ONE_HOST,
            "[db1]                           | " + NOT_ONE_HOST,
            "fe80::1%eth0                    | " + NOT_ONE_HOST,
            "1:2:3:4:5:6:7:8:9               | " + NOT_ONE_HOST,
            "1::2::3                         | " + NOT_ONE_HOST,
            "[::1                            | " + NOT_ONE_HOST,
            "::ffff:10.0.0.300               | " + NOT_ONE_HOST,
            "db1.example:3307                | must be a host without a port: write port = 3307 instead",
            "10.0.0.12:3307                  | must be a host without a port: write port = 3307 instead",
    })
    void hostsThatConnectorJWouldReadAsSeveralHostsOrProperties(String host, String message) {
        ConfigProblem p = problem(files().fail("query-sniper.databases {\n  orders {\n    host = \"" + host + "\"\n  }\n}\n"),
                DB + ".host");
        assertThat(p.message()).isEqualTo(message);
        assertThat(p.value()).isEqualTo(host);
        assertThat(p.line()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"db1", "db1.example.com", "db-1.example.com.", "mysql_primary", "10.0.0.12", "localhost",
            "::1", "[::1]", "fe80::1", "2001:db8::8a2e:370:7334", "[2001:db8:0:0:0:0:0:1]", "::ffff:10.0.0.12", "::"})
    void oneHostNameOrAddressIsFine(String host) {
        LoadedSettings loaded = files().load("query-sniper.databases.orders.host = \"" + host + "\"\n");
        assertThat(loaded.settings().databases().get("orders").target().host()).isEqualTo(host);
    }

    @Test
    void aRuleNeedsAThresholdAndAName() {
        ConfigException e = failRule("action = log");
        assertThat(problem(e, RULE0).message())
                .isEqualTo("a rule needs at least one threshold: busy-time, idle-time or transaction-time");
        assertThat(problem(e, RULE0 + ".name").message()).isEqualTo("is required");
    }

    @Test
    void transactionTimeWithKillQueryMustLeaveIdleSessionsOut() {
        ConfigException e = files().fail(orders("    rules = [ { name = t, transaction-time = 10s } ]"));
        assertThat(problem(e, "query-sniper.databases.orders.rules[0].action").message())
                .isEqualTo("KILL QUERY does nothing to an idle session; use kill-connection");
        for (String busyOnly : new String[] {"match { command = [Query, Execute] }", "ignore { command = Sleep }"}) {
            LoadedSettings loaded = files().load(orders("    rules = [ { name = t, transaction-time = 10s, " + busyOnly + " } ]"));
            assertThat(loaded.settings().databases().get("orders").watch().rules()).as(busyOnly).hasSize(1);
        }
    }

    @Test
    void nullWhereADefaultExists() {
        ConfigException e = files().fail("query-sniper { cluster.session-timeout = null, defaults.tls.mode = null }\n"
                + orders("    interval = null"));
        assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly("query-sniper.cluster.session-timeout",
                "query-sniper.defaults.tls.mode", DB + ".interval");
        assertThat(problem(e, DB + ".interval").message())
                .isEqualTo("must not be null (leave the key out to use the default)");
    }

    @Test
    void duplicateRuleNames() {
        ConfigException e = files().fail(orders("""
                    rules = [
                      { name = same, busy-time = 1s }
                      { name = other, busy-time = 1s }
                      { name = same, busy-time = 2s }
                    ]"""));
        ConfigProblem p = problem(e, DB + ".rules[2].name");
        assertThat(p.message()).isEqualTo("duplicate rule name (also rules[0])");
        assertThat(p.value()).isEqualTo("same");
        assertThat(p.line()).isEqualTo(6);
    }

    @Test
    void badDefaultsAreReportedOnceNotPerDatabase() {
        ConfigException e = files().fail("""
                query-sniper.defaults { interval = 0s, rules = [ { name = x } ] }
                query-sniper.databases { a { host = h }, b { host = h } }
                """);
        assertThat(e.problems()).extracting(ConfigProblem::key)
                .containsExactly("query-sniper.defaults.interval", "query-sniper.defaults.rules[0]");
    }

    @Test
    void missingHostAndBadDatabaseName() {
        ConfigException e = files().fail("query-sniper.databases { \"orders db\" { port = 3306 } }\n");
        assertThat(problem(e, "query-sniper.databases.\"orders db\"").message())
                .isEqualTo("database name must be a simple identifier ([A-Za-z0-9_.-]+)");
        assertThat(problem(e, "query-sniper.databases.\"orders db\".host").message()).isEqualTo("is required");
    }

    @Test
    void noDatabases() {
        ConfigException e = files().fail("query-sniper.dry-run = true\n");
        assertThat(e.getMessage()).isEqualTo(dir.resolve("query-sniper.conf")
                + ": query-sniper.databases: no databases configured");
    }

    @Test
    void credentialsEntryThatDoesNotExist() {
        String creds = "other { user = u, password = p }\n";
        ConfigException implicit = files().fail(orders(""), creds);
        assertThat(problem(implicit, DB + ".credentials").message())
                .isEqualTo("no entry in " + dir.resolve("credentials.conf") + " (tried: orders, default)");
        ConfigException explicit = files().fail(orders("    credentials = \"billing\""), creds);
        ConfigProblem p = problem(explicit, DB + ".credentials");
        assertThat(p.message()).isEqualTo("no entry in " + dir.resolve("credentials.conf") + " (tried: billing)");
        assertThat(p.value()).isEqualTo("billing");
        assertThat(p.line()).isEqualTo(3);
    }

    @Test
    void badCredentialsEntries() {
        ConfigException e = files().fail(orders(""), """
                default { password = "%1$s" }
                orders { user = u }
                both { user = u, password = "%1$s", password-file = pw }
                nofile { user = u, password-file = "missing.pw" }
                typo { user = u, pasword = "%1$s" }
                flat = "%1$s"
                wrongtype { user = u, password = ["%1$s"] }
                """.formatted(SECRET));
        assertThat(problem(e, "default.user").message()).isEqualTo("is required");
        assertThat(problem(e, "orders").message()).isEqualTo("needs password or password-file");
        assertThat(problem(e, "both.password-file").message()).isEqualTo("set either password or password-file, not both");
        assertThat(problem(e, "nofile.password-file").message())
                .isEqualTo("cannot read file: no such file (" + dir.resolve("missing.pw") + ")");
        assertThat(problem(e, "typo.pasword").message()).isEqualTo("unknown key (did you mean password?)");
        assertThat(problem(e, "flat").message()).isEqualTo("must be an object { user, password } or { user, password-file }");
        assertThat(problem(e, "wrongtype.password").message()).isEqualTo("must be a string");
        assertThat(e.problems()).noneMatch(p -> p.key() != null && p.key().startsWith(DB));
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.toString()).doesNotContain(SECRET));
        assertThat(problem(e, "flat").value()).isEqualTo("****");
        assertThat(problem(e, "wrongtype.password").value()).isEqualTo("****");
        assertThat(problem(e, "typo.pasword").value()).isNull();
    }

    @Test
    void unreadablePasswordFile() throws Exception {
        Path pw = ConfigFiles.writeSecret(dir.resolve("orders.pw"), SECRET);
        java.nio.file.Files.setPosixFilePermissions(pw, java.util.Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.isReadable(pw), "running as root");
        ConfigException e = files().fail(orders(""), "orders { user = u, password-file = orders.pw }\n");
        assertThat(problem(e, "orders.password-file").message())
                .isEqualTo("cannot read file: permission denied (" + pw + ")");
    }

    @Test
    void passwordFileThatIsADirectory() {
        ConfigException e = files().fail(orders(""), "orders { user = u, password-file = \".\" }\n");
        assertThat(problem(e, "orders.password-file").message())
                .isEqualTo("cannot read file: not a regular file (" + dir + ")");
    }

    @Test
    void tlsFilesThatCannotBeRead() {
        ConfigFiles.write(dir.resolve("client.pem"), "PEM");
        ConfigException e = files().fail(orders(
                "    tls { mode = verify-ca, ca = \"nope/ca.pem\", cert = \"client.pem\" }"));
        assertThat(problem(e, DB + ".tls.ca").message())
                .isEqualTo("cannot read file: no such file (" + dir.resolve("nope/ca.pem") + ")");
        assertThat(problem(e, DB + ".tls.cert").message()).isEqualTo("is set without tls.key (mutual TLS needs both)");
        ConfigException keyOnly = files().fail(orders("    tls { key = \"client.pem\" }"));
        assertThat(problem(keyOnly, DB + ".tls.key").message()).isEqualTo("is set without tls.cert (mutual TLS needs both)");
        ConfigException directory = files().fail(orders("    tls { mode = verify-ca, ca = \".\" }"));
        assertThat(problem(directory, DB + ".tls.ca").message()).isEqualTo("cannot read file: not a regular file (" + dir + ")");
    }

    /** Connector/J never looks at the CA in preferred or required mode: a ca there gives a false sense of safety. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tls { mode = preferred, ca = \"ca.pem\" } | tls.ca   | ca.pem    | preferred",
            "tls { mode = required, ca = \"ca.pem\" }  | tls.ca   | ca.pem    | required",
            "tls { ca = \"ca.pem\" }                   | tls.ca   | ca.pem    | preferred",
    })
    void aCaWithAModeThatDoesNotVerifyIsAnError(String setting, String key, String value, String mode) {
        ConfigFiles.write(dir.resolve("ca.pem"), "PEM");
        ConfigProblem p = problem(files().fail(orders("    " + setting)), DB + "." + key);
        assertThat(p.message()).isEqualTo("is not used to verify the server with tls.mode = " + mode
                + " (the server's certificate is not checked at all): set tls.mode = verify-ca or verify-identity");
        assertThat(p.value()).isEqualTo(value);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.file()).isEqualTo(dir.resolve("query-sniper.conf").toString());
    }

    @Test
    void aDatabaseThatTurnsDownTheDefaultsVerificationButKeepsItsCaIsAnError() {
        ConfigFiles.write(dir.resolve("ca.pem"), "PEM");
        ConfigException e = files().fail("query-sniper.defaults.tls { mode = verify-identity, ca = \"ca.pem\" }\n"
                + "query-sniper.databases.orders { host = h, tls.mode = required }\n");
        ConfigProblem p = problem(e, DB + ".tls.mode");
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.value()).isEqualTo("required");
        assertThat(p.message()).endsWith("set tls.mode = verify-ca or verify-identity");
        assertThat(e.problems()).hasSize(1);
    }

    @Test
    void connectTimeoutBelowWhatTheConnectionPoolTakes() {
        ConfigException e = files().fail(orders("    connect-timeout = 100ms"));
        ConfigProblem p = problem(e, "query-sniper.databases.orders.connect-timeout");
        assertThat(p.message()).isEqualTo("must be at least 250ms");
        assertThat(p.value()).isEqualTo("100ms");
    }

    @Test
    void sessionTimeoutOutsideWhatZooKeeperHonours() {
        for (String value : new String[] {"500ms", "61s"}) {
            ConfigException e = files().fail(orders("") + "query-sniper.cluster.session-timeout = " + value + "\n");
            ConfigProblem p = problem(e, "query-sniper.cluster.session-timeout");
            assertThat(p.message()).isEqualTo("must be between 1s and 60s");
            assertThat(p.value()).isEqualTo(value);
        }
    }

    @Test
    void clusterAndJournalProblems() {
        ConfigException e = files().fail(orders("") + """
                query-sniper.cluster { namespace = "a/b", on-coordination-loss = keep, auth = digest, embedded-port = -1 }
                query-sniper.journal { retention = 0d, max-records = 0, export { database = billing, table = "x; drop" } }
                query-sniper.journal.spool-max-size = 4k
                """);
        assertThat(problem(e, "query-sniper.cluster.namespace").message()).isEqualTo("must be a simple name ([A-Za-z0-9_.-]+)");
        assertThat(problem(e, "query-sniper.cluster.on-coordination-loss").message())
                .isEqualTo("must be one of: stop, keep-owned (did you mean keep-owned?)");
        assertThat(problem(e, "query-sniper.cluster.auth").message())
                .isEqualTo("needs a zookeeper { user, password } entry in " + dir.resolve("credentials.conf"));
        assertThat(problem(e, "query-sniper.cluster.embedded-port").message()).isEqualTo("must be between 1 and 65535");
        assertThat(problem(e, "query-sniper.journal.retention").message()).isEqualTo("must be greater than zero");
        assertThat(problem(e, "query-sniper.journal.max-records").message()).isEqualTo("must be greater than zero");
        assertThat(problem(e, "query-sniper.journal.spool-max-size").message()).isEqualTo("must be at least 65536 bytes");
        assertThat(problem(e, "query-sniper.journal.export.database").message())
                .isEqualTo("is not a configured database (configured: orders)");
        assertThat(problem(e, "query-sniper.journal.export.table").message())
                .isEqualTo("must be a table name: [A-Za-z0-9_$]+, optionally schema.table");
    }

    @Test
    void missingFilesAreProblems() {
        Path config = dir.resolve("absent.conf");
        Path creds = dir.resolve("absent-credentials.conf");
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> SettingsLoader.load(config, creds));
        assertThat(e.getMessage()).isEqualTo(
                config + ": cannot read file: no such file (" + config + ")\n"
                        + creds + ": cannot read file: no such file (" + creds + ")");
    }

    @Test
    void missingCredentialsFileStillReportsConfigProblems() {
        ConfigFiles f = files();
        ConfigFiles.write(f.config, orders("    port = 0"));
        Path creds = dir.resolve("none.conf");
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> SettingsLoader.load(f.config, creds));
        assertThat(e.problems()).extracting(ConfigProblem::message).containsExactly(
                "must be between 1 and 65535", "cannot read file: no such file (" + creds + ")");
    }

    @Test
    void syntaxErrorsCarryTheirLine() {
        ConfigException e = files().fail("query-sniper {\n  dry-run = true\n  databases { a { host = h }\n");
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.key()).isNull();
            assertThat(p.message()).contains("end of file");
        });
    }

    @Test
    void credentialsSyntaxErrorsWithholdTheParsersWords() {
        ConfigException e = files().fail(orders(""), "default {\n  user = u\n  password = " + SECRET + " }}\n");
        ConfigProblem p = problem(e, null);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.message()).isEqualTo("syntax error (details withheld: this file holds secrets)");
    }

    @Test
    void unresolvedSubstitutionIsAProblem() {
        ConfigException e = files().fail(orders("    interval = ${NO_SUCH_VARIABLE_FOR_QS}"));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).contains("NO_SUCH_VARIABLE_FOR_QS");
        });
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        ConfigException e = files().fail("""
                query-sniper {
                  defaults.interval = 0s
                  databases {
                    orders {
                      host = h
                      port = 0
                      rules = [ { name = a, busy-time = -1s }, { name = a, idle-time = 1s } ]
                    }
                    "bad name" { host = h }
                  }
                  journal.export.database = nowhere
                }
                """, "default { user = u }\n");
        assertThat(e.problems()).extracting(p -> p.line() + " " + p.key() + ": " + p.message()).containsExactly(
                "2 query-sniper.defaults.interval: must be greater than zero",
                "6 query-sniper.databases.orders.port: must be between 1 and 65535",
                "7 query-sniper.databases.orders.rules[0].busy-time: must be greater than zero",
                "7 query-sniper.databases.orders.rules[1].action: KILL QUERY does nothing to an idle session; use kill-connection",
                "7 query-sniper.databases.orders.rules[1].name: duplicate rule name (also rules[0])",
                "9 query-sniper.databases.\"bad name\": database name must be a simple identifier ([A-Za-z0-9_.-]+)",
                "11 query-sniper.journal.export.database: is not a configured database (configured: orders, bad name)",
                "1 default: needs password or password-file");
        assertThat(e.getMessage().lines()).hasSize(8);
    }

    @Test
    void secretsNeverAppearInMessages() {
        ConfigException e = files().fail("query-sniper.databases.orders { host = h, password = \"" + SECRET + "\" }\n",
                "default { user = u, password = \"" + SECRET + "\", passwd = \"" + SECRET + "\" }\n"
                        + "x { user = u, password = {p = \"" + SECRET + "\"} }\n");
        assertThat(e.getMessage()).doesNotContain(SECRET).contains("****");
        assertThat(e.problems()).allSatisfy(p -> assertThat(String.valueOf(p.value())).doesNotContain(SECRET));
        assertThat(CREDENTIALS).contains(SECRET);
    }

    @Test
    void clusterTlsAndReadOnlyIdsProblems() {
        ConfigFiles.write(dir.resolve("zk-ca.pem"), "PEM");
        ConfigFiles.write(dir.resolve("zk-client.pem"), "PEM");
        ConfigException e = files().fail("""
                query-sniper.cluster {
                  tls { ca = "zk-ca.pem", cert = "zk-client.pem" }
                  read-only-ids = ["digest:reader", "world:anyone"]
                }
                """ + orders(""));
        assertThat(problem(e, "query-sniper.cluster.tls.ca").message())
                .isEqualTo("needs cluster.zookeeper: the embedded ZooKeeper has no TLS port");
        assertThat(problem(e, "query-sniper.cluster.tls.cert").message())
                .isEqualTo("is set without cluster.tls.key (mutual TLS needs both)");
        assertThat(e.problems()).filteredOn(p -> "query-sniper.cluster.read-only-ids".equals(p.key()))
                .extracting(ConfigProblem::value, ConfigProblem::message, ConfigProblem::line).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("digest:reader", "must be digest:USER:HASH, HASH being what"
                                + " ZooKeeper's DigestAuthenticationProvider prints for USER:PASSWORD (never the password"
                                + " itself)", 3),
                        org.assertj.core.groups.Tuple.tuple("world:anyone", "must be digest:USER:HASH or sasl:PRINCIPAL", 3),
                        org.assertj.core.groups.Tuple.tuple("[\"digest:reader\",\"world:anyone\"]",
                                "needs cluster.auth: without it every znode is readable and writable by all", 3));
    }

    /** Found by ConfigLoaderFuzzTest: a value substituted from the environment had no line; now the line that wrote it. */
    @Test
    void aBadValueFromTheEnvironmentNamesTheLineThatSubstitutedIt() {
        ConfigException e = files().fail("\n" + orders("") + "query-sniper.node-id = ${?PATH}\n");
        ConfigProblem p = problem(e, "query-sniper.node-id");
        assertThat(p.message()).isEqualTo("must be a simple name ([A-Za-z0-9_.-]+)");
        assertThat(p.line()).isEqualTo(8);
    }

    /**
     * Found by ConfigLoaderFuzzTest: when the HOCON library itself fails to resolve a file (a key set twice from
     * ${?VAR} concatenations) its message dumps the whole resolved file, and the problem had no line.
     */
    @Test
    void aFileTheHoconLibraryCannotResolveIsReportedWithoutItsContent() throws java.io.IOException {
        String broken;
        try (var in = getClass().getResourceAsStream("ConfigLoaderFuzzTestInputs/loadsOrReportsEveryProblemWithFileAndLine/"
                + "crash-5b0c0209ae148d9446fe6c74bed089bb4b98ed92")) {
            byte[] input = in.readAllBytes();
            // The fuzz input's last byte chose the generated credentials; the rest is the file.
            broken = new String(input, 0, input.length - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        ConfigException e = files().fail(broken);
        assertThat(e.problems()).extracting(ConfigProblem::message).containsExactly(HoconFiles.UNRESOLVABLE);
        assertThat(e.getMessage()).doesNotContain("nope.conf").doesNotContain("ResolveSource");
    }
}
