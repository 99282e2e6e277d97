package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.JdbcConnection;

import io.querysniper.core.target.Credentials;
import io.querysniper.testkit.MariaDbExtension;

/**
 * What a look costs the node in Connector/J: a watcher sends the same polling statement every second on
 * the same connection, a thousand watchers a thousand times a second (bench/fleet).
 */
class PollConnectionIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension();

    @BeforeAll
    static void users() {
        DB.server().createUser("sniper", "sniper-pw", "PROCESS ON *.*");
    }

    @Test
    void thePollsColumnDefinitionsAreParsedOnceAndNoClockOrSocketQueueIsReadPerPacket() throws Exception {
        try (MysqlConnector connector = new MysqlConnector(Targets.plain(DB.server()),
                new Credentials("sniper", "sniper-pw"), "node-1");
             Connection c = connector.connect()) {
            JdbcConnection jdbc = c.unwrap(JdbcConnection.class);
            String sql = SessionQueries.sessions(Flavor.MARIADB, Targets.STATEMENT_TIMEOUT);
            try (Statement s = c.createStatement(); ResultSet rs = SessionQueries.query(s, sql)) {
                assertThat(rs.next()).isTrue(); // the test's own connection at least
            }
            assertThat(jdbc.getCachedMetaData(sql)).as("column definitions kept for the next look").isNotNull();
            try (Statement s = c.createStatement(); ResultSet rs = SessionQueries.query(s, sql)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong("ID")).as("columns found by label from the kept definitions").isPositive();
            }
            assertThat(jdbc.getPropertySet().getBooleanProperty(PropertyKey.maintainTimeStats).getValue()).isFalse();
            assertThat(jdbc.getPropertySet().getBooleanProperty(PropertyKey.useReadAheadInput).getValue())
                    .as("no FIONREAD before every read").isFalse();
            assertThat(jdbc.getPropertySet().getBooleanProperty(PropertyKey.useUnbufferedInput).getValue())
                    .as("a plain buffer instead").isFalse();
            assertThat(jdbc.getPropertySet().getIntegerProperty(PropertyKey.metadataCacheSize).getValue())
                    .as("a small cache: the re-check before a KILL names its thread, a new statement each time")
                    .isEqualTo(ConnectionSettings.METADATA_CACHE_SIZE);
        }
    }
}
