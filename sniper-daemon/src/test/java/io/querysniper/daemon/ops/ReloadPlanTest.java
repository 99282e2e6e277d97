package io.querysniper.daemon.ops;

import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a reload would change, from two real loads of the files. */
class ReloadPlanTest {
    private static final String CREDENTIALS = "default { user = sniper, password = \"pw-123456\" }\n";

    @TempDir
    Path dir;

    private LoadedSettings load(String body, String credentials) throws IOException {
        Path config = Files.writeString(dir.resolve("c.conf"), "query-sniper {\n" + body + "\n}\n");
        Path creds = Files.writeString(dir.resolve("cred.conf"), credentials);
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        return SettingsLoader.load(config, creds);
    }

    private static String dbs(String... entries) {
        return "databases {\n" + String.join("\n", entries) + "\n}";
    }

    private static final String A = "a { host = \"127.0.0.1\", port = 3307, rules = [ { name = slow, busy-time = 10s } ] }";
    private static final String A_NEW_RULES = "a { host = \"127.0.0.1\", port = 3307, rules = [ { name = slow, busy-time = 5s } ] }";
    private static final String A_NEW_PORT = "a { host = \"127.0.0.1\", port = 3308, rules = [ { name = slow, busy-time = 10s } ] }";
    private static final String A_REGEX = "a { host = \"127.0.0.1\", port = 3307, rules = [ { name = r, match { info = \"(?i)^select\" }, busy-time = 10s } ] }";
    private static final String B = "b { host = \"127.0.0.1\", port = 3309 }";

    private ReloadPlan plan(LoadedSettings a, LoadedSettings b) {
        Map<String, String> tls = ConfigReloader.tlsDigests(a);
        Map<String, String> next = ConfigReloader.tlsDigests(b);
        return ReloadPlan.of(a, tls, b, db -> next.get(db.name()));
    }

    @Test
    void theSameFilesChangeNothingEvenWithRegexRules() throws IOException {
        LoadedSettings a = load(dbs(A_REGEX, B), CREDENTIALS);
        ReloadPlan p = plan(a, load(dbs(A_REGEX, B), CREDENTIALS));
        assertThat(p.changesNothing()).isTrue();
        assertThat(p.restartNeeded()).isEmpty();
    }

    @Test
    void rulesServerAndLoginChanges() throws IOException {
        LoadedSettings a = load(dbs(A, B), CREDENTIALS);
        ReloadPlan rules = plan(a, load(dbs(A_NEW_RULES, B), CREDENTIALS));
        assertThat(rules.changed()).containsExactly("a");
        assertThat(rules.reconnect()).isEmpty();
        ReloadPlan port = plan(a, load(dbs(A_NEW_PORT, B), CREDENTIALS));
        assertThat(port.reconnect()).containsExactly("a");
        ReloadPlan login = plan(a, load(dbs(A, B), "default { user = sniper, password = \"other-pw-1\" }\n"));
        assertThat(login.changed()).containsExactlyInAnyOrder("a", "b");
        assertThat(login.reconnect()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void addedAndRemovedDatabases() throws IOException {
        LoadedSettings a = load(dbs(A), CREDENTIALS);
        ReloadPlan added = plan(a, load(dbs(A, B), CREDENTIALS));
        assertThat(added.added()).containsExactly("b");
        assertThat(added.removed()).isEmpty();
        ReloadPlan removed = plan(load(dbs(A, B), CREDENTIALS), a);
        assertThat(removed.removed()).containsExactly("b");
        assertThat(DatabaseSetChange.RESTART_NEEDED.refusal(added.added(), added.removed()))
                .contains("added b").contains("restart is needed");
        assertThat(DatabaseSetChange.RESTART_NEEDED.refusal(removed.added(), removed.removed())).contains("removed b");
        assertThat(DatabaseSetChange.RESTART_NEEDED.refusal(java.util.Set.of(), java.util.Set.of())).isNull();
    }

    @Test
    void keysThatCannotChangeLiveNeedARestart() throws IOException {
        LoadedSettings a = load("node-id = n1\n" + dbs(A), CREDENTIALS);
        assertThat(plan(a, load("node-id = n2\n" + dbs(A), CREDENTIALS)).restartNeeded())
                .containsExactly("query-sniper.node-id changed: a restart is needed");
        assertThat(plan(a, load("node-id = n1\ndata-dir = other\n" + dbs(A), CREDENTIALS)).restartNeeded())
                .contains("query-sniper.data-dir changed: a restart is needed"); // and the spool under it
        assertThat(plan(a, load("node-id = n1\ncluster.zookeeper = \"zk1:2181\"\n" + dbs(A), CREDENTIALS)).restartNeeded())
                .containsExactly("query-sniper.cluster.zookeeper changed: a restart is needed");
        assertThat(plan(a, load("node-id = n1\nhttp.listen = \"127.0.0.1:9743\"\n" + dbs(A), CREDENTIALS)).restartNeeded())
                .containsExactly("query-sniper.http.listen changed: a restart is needed");
        assertThat(plan(a, load("node-id = n1\njournal.retention = 1d\n" + dbs(A), CREDENTIALS)).restartNeeded())
                .containsExactly("query-sniper.journal changed: a restart is needed");
        // A new token is live: the server reads it per request.
        assertThat(plan(a, load("node-id = n1\n" + dbs(A), CREDENTIALS + "http { token = \"0123456789abcdef0\" }\n"))
                .restartNeeded()).isEmpty();
    }

    @Test
    void renewedTlsFilesAtTheSamePathsReconnect() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "first");
        String withTls = "a { host = \"127.0.0.1\", port = 3307, tls { mode = verify-ca, ca = \"" + ca + "\" } }";
        LoadedSettings a = load(dbs(withTls), CREDENTIALS);
        Map<String, String> atStart = ConfigReloader.tlsDigests(a);
        assertThat(plan(a, load(dbs(withTls), CREDENTIALS)).changesNothing()).isTrue();
        Files.writeString(ca, "renewed");
        LoadedSettings b = load(dbs(withTls), CREDENTIALS);
        Map<String, String> now = ConfigReloader.tlsDigests(b);
        ReloadPlan p = ReloadPlan.of(a, atStart, b, db -> now.get(db.name()));
        assertThat(p.reconnect()).containsExactly("a");
    }
}
