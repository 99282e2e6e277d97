package io.querysniper.daemon.e2e;

import io.querysniper.config.SettingsLoader;
import io.querysniper.daemon.CliRun;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The read-only identity: with {@code cluster.auth = digest} and {@code cluster.read-only-ids}, a reader whose
 * credentials file holds only its own {@code zookeeper} entry (no database login) runs {@code journal} and
 * {@code cluster status}; a digest user not in the list reads nothing.
 */
class ZooKeeperReadOnlyIT {
    private static final Duration WAIT = Timing.seconds(20);

    @TempDir
    Path dir;

    @Test
    void aReaderRunsJournalAndClusterStatusAStrangerCannot() throws Exception {
        MariaDbServer db = Servers.primary();
        int zkPort = FreePort.next();
        String readerId = DigestAuthenticationProvider.generateDigest("reader:reader-pw");
        Path config = Files.writeString(dir.resolve("sniper.conf"), "query-sniper {\n  node-id = ro\n  data-dir = \"data\"\n"
                + "  cluster { embedded-port = " + zkPort + ", auth = digest, read-only-ids = [\"digest:" + readerId + "\"] }\n"
                + "  databases.shop { host = \"" + db.host() + "\", port = " + db.port() + ", tls { mode = disabled },"
                + " rules = [ { name = victims, match { user = [victim] }, busy-time = 1s } ] }\n}\n");
        Path daemonCredentials = secret("credentials.conf", "default { user = \"" + Servers.SNIPER + "\", password = \""
                + Servers.SNIPER_PW + "\" }\nzookeeper { user = sniper, password = \"zk-writer-pw\" }\n");
        Path reader = secret("reader.conf", "zookeeper { user = reader, password = \"reader-pw\" }\n");
        Path stranger = secret("stranger.conf", "zookeeper { user = stranger, password = \"stranger-pw\" }\n");

        Daemon daemon = new Daemon(SettingsLoader.load(config, daemonCredentials), false, Clock.systemUTC(),
                DefaultPorts.mysql(), List.of());
        try {
            daemon.start();
            await().atMost(WAIT).until(() -> daemon.cluster().mayKill("shop"));
            try (Victim v = new Victim(db, "victim")) {
                KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            await().atMost(WAIT).until(() -> CliRun.of("journal", "--config", config.toString(), "--credentials",
                    reader.toString(), "--json").out().contains("\"outcome\":\"KILLED\""));

            CliRun status = CliRun.of("cluster", "status", "--config", config.toString(), "--credentials", reader.toString());
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains("shop").contains("ro");
            assertThat(status.err()).as("auth is set: no open-ACL warning").doesNotContain("SECURITY WARNING");

            CliRun denied = CliRun.of("journal", "--config", config.toString(), "--credentials", stranger.toString());
            assertThat(denied.code()).isEqualTo(1);
            assertThat(denied.err()).containsIgnoringCase("NoAuth");
            CliRun deniedStatus = CliRun.of("cluster", "status", "--config", config.toString(), "--credentials",
                    stranger.toString());
            assertThat(deniedStatus.code()).isEqualTo(1);
        } finally {
            daemon.close();
        }
    }

    private Path secret(String name, String text) throws Exception {
        Path p = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }
}
