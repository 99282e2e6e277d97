package io.querysniper.config;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.GroupBy;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.Victims;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static io.querysniper.config.ConfigFiles.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    private static final String FULL = """
            query-sniper {
              node-id = "node-a"
              data-dir = "state"
              protected-users = ["repl"]
              defaults {
                interval = 2s
                max-kills-per-minute = 10
                max-kill-connections = 4
                protected-users = ["backup"]
                rules = [ { name = "inherited", busy-time = 1m } ]
              }
              databases {
                orders {
                  host = "db1.example"
                  port = 3307
                  credentials = "orders-login"
                  tls { mode = verify-ca, ca = "certs/ca.pem", cert = "certs/client.pem", key = "certs/client.key" }
                  interval = 500ms
                  min-interval = 150ms
                  max-kill-connections = 16
                  kill-method = rds
                  connect-timeout = 3s
                  statement-timeout = 1s
                  tag-allow-list = [application]
                  rules = [
                    { name = "long-reports", match { user = ["report", "/^bi_/"], info = "(?i)^\\\\s*select" },
                      ignore { host = "10.0.0.9" }, busy-time = 30s }
                    { name = "idle-in-trx", match { command = "Sleep" }, transaction-time = 60s, action = kill-connection,
                      max-rows-modified = 5000 }
                    { name = "pile-up", group-by = fingerprint, busy-time = 10s, victims = all-but-oldest, allow-skip = true,
                      when { replica-lag-over = 30s, history-list-over = 1000000 } }
                  ]
                }
                analytics { host = "db2.example", dry-run = true }
              }
              cluster { zookeeper = "zk1:2181,zk2:2181", on-coordination-loss = keep-owned, auth = digest }
              journal { retention = 7d, spool-dir = "/var/spool/qs", spool-max-size = 512M, export { database = orders } }
            }
            """;

    private static final String FULL_CREDENTIALS = """
            default { user = "sniper", password = "%s" }
            orders-login { user = "orders_sniper", password-file = "secrets/orders.pw" }
            zookeeper { user = "zk", password = "zk-%s" }
            """.formatted(SECRET, SECRET);

    private LoadedSettings loadFull() {
        ConfigFiles f = files();
        for (String p : new String[] {"certs/ca.pem", "certs/client.pem"}) {
            ConfigFiles.write(dir.resolve(p), "PEM");
        }
        ConfigFiles.writeSecret(dir.resolve("certs/client.key"), "PEM");
        ConfigFiles.writeSecret(dir.resolve("secrets/orders.pw"), "orders-" + SECRET + "\n");
        return f.load(FULL, FULL_CREDENTIALS);
    }

    @Test
    void readsAFullValidConfig() {
        LoadedSettings loaded = loadFull();
        SniperSettings s = loaded.settings();
        assertThat(s.nodeId()).isEqualTo("node-a");
        assertThat(s.dataDir()).isEqualTo(dir.resolve("state"));
        assertThat(s.dryRun()).isFalse();
        assertThat(s.databases()).containsOnlyKeys("orders", "analytics");
        assertThat(s.databases().keySet()).containsExactly("orders", "analytics");

        DatabaseSettings orders = s.databases().get("orders");
        assertThat(orders.credentialsName()).isEqualTo("orders-login");
        assertThat(orders.target().host()).isEqualTo("db1.example");
        assertThat(orders.target().port()).isEqualTo(3307);
        assertThat(orders.target().killMethod()).isEqualTo(KillMethod.RDS);
        assertThat(orders.target().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(orders.target().statementTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(orders.target().tls().mode()).isEqualTo(TlsMode.VERIFY_CA);
        assertThat(orders.target().tls().ca()).isEqualTo(dir.resolve("certs/ca.pem"));
        assertThat(orders.target().tls().key()).isEqualTo(dir.resolve("certs/client.key"));
        assertThat(orders.watch().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(orders.watch().minSpacing()).isEqualTo(Duration.ofMillis(150));
        assertThat(orders.watch().maxKillConnections()).isEqualTo(16);
        assertThat(orders.target().maxKillConnections()).isEqualTo(16);
        assertThat(orders.watch().tagAllowList()).containsExactly("application");
        assertThat(orders.watch().protectedUsers()).containsExactlyInAnyOrder("repl", "backup");
        assertThat(orders.watch().rules()).extracting(Rule::name).containsExactly("long-reports", "idle-in-trx", "pile-up");

        Rule reports = orders.watch().rules().get(0);
        assertThat(reports.busyTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(reports.action()).isEqualTo(KillAction.KILL_QUERY);
        assertThat(reports.match().user().matches("report")).isTrue();
        assertThat(reports.match().user().matches("bi_daily")).isTrue();
        assertThat(reports.match().user().matches("reporting")).isFalse();
        assertThat(reports.match().info().matcher("  SELECT 1").find()).isTrue();
        assertThat(reports.ignore().host().matches("10.0.0.9")).isTrue();
        assertThat(reports.groupBy()).isNull();
        assertThat(reports.queryCount()).isEqualTo(1);
        assertThat(reports.maxRowsModified()).isEqualTo(-1);
        assertThat(reports.when()).isEqualTo(Conditions.NONE);

        Rule idle = orders.watch().rules().get(1);
        assertThat(idle.transactionTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(idle.action()).isEqualTo(KillAction.KILL_CONNECTION);
        assertThat(idle.maxRowsModified()).isEqualTo(5000);

        Rule pileUp = orders.watch().rules().get(2);
        assertThat(pileUp.groupBy()).isEqualTo(GroupBy.FINGERPRINT);
        assertThat(pileUp.queryCount()).isEqualTo(2);
        assertThat(pileUp.victims()).isEqualTo(Victims.ALL_BUT_OLDEST);
        assertThat(pileUp.allowSkip()).isTrue();
        assertThat(pileUp.when()).isEqualTo(new Conditions(Duration.ofSeconds(30), 1_000_000));

        ClusterSettings c = s.cluster();
        assertThat(c.zookeeper()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(c.embedded()).isFalse();
        assertThat(c.onCoordinationLoss()).isEqualTo(CoordinationLossPolicy.KEEP_OWNED);
        assertThat(c.authScheme()).isEqualTo("digest");

        JournalSettings j = s.journal();
        assertThat(j.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(j.spoolDir()).isEqualTo(Path.of("/var/spool/qs"));
        assertThat(j.spoolMaxSize()).isEqualTo(512L << 20);
        assertThat(j.exportDatabase()).isEqualTo("orders");
        assertThat(j.exportTable()).isEqualTo("query_sniper_kills");

        assertThat(loaded.credentials().get("orders")).isEqualTo(new Credentials("orders_sniper", "orders-" + SECRET));
        assertThat(loaded.credentials().get("analytics")).isEqualTo(new Credentials("sniper", SECRET));
        assertThat(loaded.zookeeperCredentials()).isEqualTo(new Credentials("zk", "zk-" + SECRET));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void databasesInheritDefaultsUnlessTheySetTheirOwn() {
        LoadedSettings loaded = loadFull();
        DatabaseSettings analytics = loaded.settings().databases().get("analytics");
        assertThat(analytics.credentialsName()).isEqualTo("default");
        assertThat(analytics.target().port()).isEqualTo(3306);
        assertThat(analytics.target().tls().mode()).isEqualTo(TlsMode.PREFERRED);
        assertThat(analytics.target().killMethod()).isEqualTo(KillMethod.AUTO);
        assertThat(analytics.target().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(analytics.watch().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(analytics.watch().minSpacing()).isEqualTo(Duration.ofMillis(100));
        assertThat(analytics.watch().maxKillsPerMinute()).isEqualTo(10);
        assertThat(analytics.watch().maxKillConnections()).isEqualTo(4);
        assertThat(analytics.target().maxKillConnections()).isEqualTo(4);
        assertThat(analytics.watch().dryRun()).isTrue();
        assertThat(analytics.watch().rules()).extracting(Rule::name).containsExactly("inherited");
        assertThat(analytics.watch().tagAllowList())
                .containsExactlyInAnyOrder("application", "controller", "action", "route", "framework", "job");
        assertThat(loaded.settings().databases().get("orders").watch().dryRun()).isFalse();
    }

    @Test
    void minimalConfigTakesEveryDefaultFromReferenceConf() {
        LoadedSettings loaded = files().load(ConfigFiles.orders(""));
        SniperSettings s = loaded.settings();
        assertThat(s.nodeId()).isNotBlank();
        assertThat(s.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(s.cluster()).isEqualTo(new ClusterSettings(null, "query-sniper", Duration.ofSeconds(10),
                Duration.ofSeconds(5), CoordinationLossPolicy.STOP, Duration.ofSeconds(60), null, 2181));
        assertThat(s.journal()).isEqualTo(new JournalSettings(true, Duration.ofDays(30), 50_000,
                Duration.ofMillis(200), dir.resolve("data/journal-spool"), null, "query_sniper_kills", 1L << 30));
        DatabaseSettings orders = s.databases().get("orders");
        assertThat(orders.watch().rules()).isEmpty();
        assertThat(orders.watch().maxKillsPerMinute()).isEqualTo(60);
        assertThat(orders.watch().maxKillConnections()).isEqualTo(8);
        assertThat(orders.target().maxKillConnections()).isEqualTo(8);
        assertThat(orders.watch().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(orders.watch().minSpacing()).isEqualTo(Duration.ofMillis(100));
        assertThat(orders.target().statementTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(loaded.zookeeperCredentials()).isNull();
    }

    @Test
    void globalDryRunIsAMasterSwitch() {
        LoadedSettings loaded = files().load("query-sniper.dry-run = true\n" + ConfigFiles.orders("    dry-run = false"));
        assertThat(loaded.settings().dryRun()).isTrue();
        assertThat(loaded.settings().databases().get("orders").watch().dryRun()).isTrue();
    }

    @Test
    void relativePathsResolveAgainstTheFileThatNamesThem() {
        Path confDir = dir.resolve("etc");
        Path secretDir = dir.resolve("secrets");
        ConfigFiles.write(confDir.resolve("tls/ca.pem"), "PEM");
        ConfigFiles.writeSecret(secretDir.resolve("pw/orders"), SECRET + "\r\n");
        Path config = ConfigFiles.write(confDir.resolve("qs.conf"), """
                query-sniper { data-dir = "../var/qs", journal.spool-dir = "spool" }
                """ + ConfigFiles.orders("    tls { mode = verify-identity, ca = \"tls/ca.pem\" }"));
        Path creds = ConfigFiles.writeSecret(secretDir.resolve("creds.conf"),
                "orders { user = u, password-file = \"pw/orders\" }\n");
        LoadedSettings loaded = SettingsLoader.load(config, creds);
        assertThat(loaded.settings().dataDir()).isEqualTo(dir.resolve("var/qs"));
        assertThat(loaded.settings().journal().spoolDir()).isEqualTo(confDir.resolve("spool"));
        assertThat(loaded.settings().databases().get("orders").target().tls().ca()).isEqualTo(confDir.resolve("tls/ca.pem"));
        assertThat(loaded.credentials().get("orders").password()).isEqualTo(SECRET);
    }

    @Test
    void warnsLoudlyWhenTheCredentialsFileIsReadableByOthers() throws Exception {
        ConfigFiles f = files();
        f.load(ConfigFiles.orders(""));
        Files.setPosixFilePermissions(f.credentials, PosixFilePermissions.fromString("rw-r--r--"));
        LoadedSettings loaded = SettingsLoader.load(f.config, f.credentials);
        assertThat(loaded.warnings()).containsExactly("SECURITY WARNING: the credentials file " + f.credentials
                + " holds passwords and is open to its group and every user on this host"
                + " (rw-r--r--); restrict it: chmod 600 " + f.credentials);
        assertThat(loaded.exposedSecretFiles()).singleElement()
                .satisfies(e -> assertThat(e.fix()).isEqualTo("chmod 600 " + f.credentials));
    }

    /** Every file that holds a secret is checked, each once, and any group or other access counts. */
    @Test
    void warnsAboutEverySecretFileOthersCanAccess() throws Exception {
        ConfigFiles f = files();
        Path pw = ConfigFiles.write(dir.resolve("pw"), "secret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw--w----"));
        Path key = ConfigFiles.write(dir.resolve("client.key"), "KEY");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw----r--"));
        ConfigFiles.write(dir.resolve("ca.pem"), "PEM");
        Path ownerOnly = ConfigFiles.write(dir.resolve("other.key"), "KEY");
        Files.setPosixFilePermissions(ownerOnly, PosixFilePermissions.fromString("r--------"));
        ConfigFiles.write(dir.resolve("client.pem"), "PEM");
        LoadedSettings loaded = f.load("""
                query-sniper.defaults.tls { mode = verify-ca, ca = "ca.pem", cert = "client.pem", key = "client.key" }
                query-sniper.databases {
                  orders { host = h1 }
                  billing { host = h2 }
                  audit { host = h3, tls.key = "other.key" }
                }
                """, "default { user = u, password-file = \"pw\" }\n");
        assertThat(loaded.exposedSecretFiles()).extracting(SecretFile::file, SecretFile::what, SecretFile::permissions)
                .containsExactly(
                        tuple(pw, "password file (default.password-file)", "rw--w----"),
                        tuple(key, "TLS private key (tls.key of orders)", "rw----r--"));
        assertThat(loaded.warnings()).containsExactly(
                "SECURITY WARNING: the password file (default.password-file) " + pw + " holds a password and is open"
                        + " to its group on this host (rw--w----); restrict it: chmod 600 " + pw,
                "SECURITY WARNING: the TLS private key (tls.key of orders) " + key + " holds the key of the daemon's"
                        + " client certificate and is open to every user on this host (rw----r--); restrict it:"
                        + " chmod 600 " + key);
    }


    @Test
    void noSecretInToStringOrEffectiveConfig() {
        LoadedSettings loaded = loadFull();
        assertThat(loaded.toString()).doesNotContain(SECRET).contains("password=****");
        assertThat(loaded.settings().effectiveConfigMasked()).doesNotContain(SECRET)
                .contains("node-id=node-a").contains("long-reports");
    }

    @Test
    void configHashIsStableAndIgnoresNodeLocalKeys() {
        String hash = loadFull().settings().configHash();
        assertThat(hash).hasSize(64).isEqualTo(loadFull().settings().configHash());
        String other = files().load(FULL.replace("node-a", "node-b").replace("\"state\"", "\"elsewhere\""),
                FULL_CREDENTIALS).settings().configHash();
        assertThat(other).isEqualTo(hash);
        String changed = files().load(FULL.replace("busy-time = 30s", "busy-time = 31s"), FULL_CREDENTIALS)
                .settings().configHash();
        assertThat(changed).isNotEqualTo(hash);
    }

    @Test
    void loadsWithoutACredentialsFileForCommandsThatDoNotLogIn() {
        ConfigFiles f = files();
        ConfigFiles.write(f.config, ConfigFiles.orders("") + "query-sniper.cluster.auth = digest\n");
        LoadedSettings loaded = SettingsLoader.load(f.config, null);
        assertThat(loaded.credentials()).isEmpty();
        assertThat(loaded.zookeeperCredentials()).isNull();
        assertThat(loaded.settings().databases().get("orders").credentialsName()).isNull();
    }

    @Test
    void ruleDefaultsCanBeChangedForAllRules() {
        LoadedSettings loaded = files().load("query-sniper.defaults.rule-defaults { action = log, group-query-count = 4 }\n"
                + ConfigFiles.orders("    rules = [ { name = a, busy-time = 1s }, { name = b, busy-time = 1s, group-by = user } ]"));
        var rules = loaded.settings().databases().get("orders").watch().rules();
        assertThat(rules).extracting(Rule::action).containsExactly(KillAction.LOG, KillAction.LOG);
        assertThat(rules).extracting(Rule::queryCount).containsExactly(1, 4);
    }

    @Test
    void parseRulesReadsAListOfRules() {
        var rules = SettingsLoader.parseRules("[ { name = a, idle-time = 5m, action = kill-connection } ]");
        assertThat(rules).singleElement().satisfies(r -> {
            assertThat(r.idleTime()).isEqualTo(Duration.ofMinutes(5));
            assertThat(r.victims()).isEqualTo(Victims.ALL);
        });
    }

    @Test
    void clusterTlsAndReadOnlyIds() throws Exception {
        ConfigFiles f = files();
        ConfigFiles.write(dir.resolve("zk/ca.pem"), "PEM");
        ConfigFiles.write(dir.resolve("zk/client.pem"), "PEM");
        Path key = ConfigFiles.write(dir.resolve("zk/client.key"), "KEY");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        LoadedSettings loaded = f.load("query-sniper.cluster { zookeeper = \"zk1:2281\", auth = sasl,\n"
                + "  tls { ca = \"zk/ca.pem\", cert = \"zk/client.pem\", key = \"zk/client.key\" },\n"
                + "  read-only-ids = [\"sasl:auditor\", \"digest:reader:abc=\"] }\n" + ConfigFiles.orders(""));
        ClusterSettings c = loaded.settings().cluster();
        assertThat(c.tls()).isTrue();
        assertThat(c.tlsCa()).isEqualTo(dir.resolve("zk/ca.pem"));
        assertThat(c.tlsKey()).isEqualTo(dir.resolve("zk/client.key"));
        assertThat(c.readOnlyIds()).containsExactly("sasl:auditor", "digest:reader:abc=");
        assertThat(loaded.exposedSecretFiles()).extracting(SecretFile::what).containsExactly("TLS private key (cluster.tls.key)");
    }
}
