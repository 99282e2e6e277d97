package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.model.ThreadKind;
import io.querysniper.core.target.Credentials;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;

/** A real GTID replica: its threads and the primary's Binlog Dump thread are REPLICATION. */
class ReplicationIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension(MariaDbServer.builder().withReplica());

    @Test
    void replicaThreadsAreReplication() {
        MariaDbServer replica = DB.server().replica();
        try (MysqlServerPort port = new MysqlServerPort(Targets.plain(replica),
                new Credentials(replica.rootUser(), replica.rootPassword()), "n", Clock.systemUTC())) {
            ServerSnapshot snapshot = port.snapshot(new StatusNeeds(true, true));

            List<Session> replication = snapshot.sessions().stream()
                    .filter(s -> s.command().startsWith("Slave_")).toList();
            assertThat(replication).extracting(Session::command).contains("Slave_IO", "Slave_SQL");
            assertThat(replication).allMatch(s -> s.kind() == ThreadKind.REPLICATION);
            assertThat(snapshot.status().replicaLag()).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void thePrimarysBinlogDumpThreadIsReplication() {
        MariaDbServer primary = DB.server();
        try (MysqlServerPort port = new MysqlServerPort(Targets.plain(primary),
                new Credentials(primary.rootUser(), primary.rootPassword()), "n", Clock.systemUTC())) {
            ServerSnapshot snapshot = port.snapshot(new StatusNeeds(true, false));

            assertThat(snapshot.sessions()).filteredOn(s -> s.command().startsWith("Binlog Dump"))
                    .isNotEmpty().allMatch(s -> s.kind() == ThreadKind.REPLICATION);
            assertThat(snapshot.status().replicaLag()).as("not a replica").isNull();
        }
    }
}
