package io.querysniper.daemon.e2e;

import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The daemon in process, as `run` wires it: embedded ZooKeeper, journal, one database. */
class DaemonLifecycleIT {
    @TempDir
    Path dir;

    @Test
    void ownsItsDatabaseReportsNoConfigMismatchAndGivesTheDatabaseUpBeforeItStops() throws Exception {
        MariaDbServer db = Servers.primary();
        Path config = Files.writeString(dir.resolve("sniper.conf"), "query-sniper {\n  node-id = lifecycle\n"
                + "  data-dir = \"data\"\n  cluster.embedded-port = " + FreePort.next() + "\n"
                + "  databases { primary { host = \"" + db.host() + "\", port = " + db.port()
                + ", tls { mode = disabled }\n"
                + "    rules = [ { name = long, busy-time = 30s } ] } }\n}\n");
        Path credentials = Files.writeString(dir.resolve("credentials.conf"),
                "default { user = \"" + Servers.SNIPER + "\", password = \"" + Servers.SNIPER_PW + "\" }\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        LoadedSettings settings = SettingsLoader.load(config, credentials);

        Daemon daemon = new Daemon(settings, false, Clock.systemUTC(), DefaultPorts.mysql(), List.of());
        try {
            daemon.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> daemon.cluster().mayKill("primary"));
            assertThat(daemon.metrics().get("query_sniper_cluster_config_mismatch_nodes").gauge().value())
                    .isZero();
        } finally {
            daemon.close();
        }
        assertThat(daemon.state()).isEqualTo(Daemon.State.STOPPED);
        assertThat(daemon.cluster().mayKill("primary")).isFalse();
        assertThat(daemon.cluster().owned()).isEmpty();
        daemon.close(); // idempotent
    }
}
