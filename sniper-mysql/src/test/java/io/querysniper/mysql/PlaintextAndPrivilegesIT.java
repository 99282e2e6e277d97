package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;

/**
 * A server without TLS: {@code preferred} ends up in plaintext, which the port warns about once and the check
 * flags; and the least privileges the check prints are enough, run as they are, for a check that passes.
 */
class PlaintextAndPrivilegesIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension();

    private static final TlsSettings PREFERRED = new TlsSettings(TlsMode.PREFERRED, null, null, null);

    @BeforeAll
    static void users() {
        MariaDbServer db = DB.server();
        db.createUser("super", "super-pw", "PROCESS ON *.*", "SUPER ON *.*");
        db.createUser("bare", "bare-pw");
    }

    @Test
    void preferredAgainstAServerWithoutTlsWarnsOnceThatQueryTextCrossesInClear() {
        MariaDbServer db = DB.server();
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TrackingDataSource.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (MysqlServerPort port = new MysqlServerPort(Targets.with(db, PREFERRED),
                new Credentials(db.rootUser(), db.rootPassword()), "node-1", Clock.systemUTC())) {
            port.snapshot(StatusNeeds.NONE);
            port.snapshot(StatusNeeds.NONE);
            port.expectKills(); // opens a second connection: still one warning
            assertThat(port.encrypted()).isFalse();
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("SECURITY WARNING: database 'test-" + db.port() + "' at 127.0.0.1:" + db.port()
                        + ": the connection is not encrypted (tls.mode = preferred and the server offers no TLS):"
                        + " query text crosses the network in clear; set tls { mode = verify-identity, ca = ... }");
    }

    @Test
    void theCheckFlagsPlaintextAndAllPrivileges() {
        MariaDbServer db = DB.server();
        CheckReport report = ServerCheck.run(Targets.with(db, PREFERRED), new Credentials(db.rootUser(), db.rootPassword()), "n");
        assertThat(report.ok()).as("a warning is no failure").isTrue();
        assertThat(report.tlsCipher()).isNull();
        assertThat(report.warnings()).containsExactly(
                "query text crosses the network in clear: the server offers no TLS (tls.mode = preferred);"
                        + " set tls { mode = verify-identity, ca = ... }",
                "the login has ALL PRIVILEGES: it needs only the grants check prints; a stolen password could read,"
                        + " change or drop every table");
    }

    @Test
    void theCheckWarnsAboutSuperWhereConnectionAdminSuffices() {
        MariaDbServer db = DB.server();
        CheckReport report = ServerCheck.run(Targets.plain(db), new Credentials("super", "super-pw"), "n");
        assertThat(report.ok()).as(report.problems().toString()).isTrue();
        assertThat(report.warnings()).contains("the login has SUPER: CONNECTION ADMIN is all it needs to kill;"
                + " SUPER also lets it change global settings, replication and read_only");
    }

    /** The printed grants, run as they are, are all a bare login needs: the check then passes with no warning about them. */
    @Test
    void thePrintedGrantsAreEnoughAndNoMore() throws Exception {
        MariaDbServer db = DB.server();
        Credentials bare = new Credentials("bare", "bare-pw");
        CheckReport before = ServerCheck.run(Targets.plain(db), bare, "n");
        assertThat(before.ok()).isFalse();
        assertThat(before.leastGrants()).containsExactly(
                "GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'bare'@'%';",
                "-- only for rules with when { replica-lag-over }: GRANT SLAVE MONITOR ON *.* TO 'bare'@'%';");

        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String grant : before.leastGrants()) {
                if (!grant.startsWith("--")) {
                    s.execute(grant.substring(0, grant.length() - 1));
                }
            }
        }
        CheckReport after = ServerCheck.run(Targets.plain(db), bare, "n");
        assertThat(after.problems()).isEmpty();
        assertThat(after.privilegesPresent()).containsExactlyInAnyOrder("PROCESS", "CONNECTION_ADMIN");
        assertThat(after.warnings()).singleElement().asString().startsWith("query text crosses the network in clear");
    }

    @Test
    void grantsPerFlavourAndManagedServer() {
        assertThat(LeastPrivileges.grants(Flavor.MYSQL8, "8.4.3", io.querysniper.core.target.KillMethod.AUTO, "qs@10.0.0.%"))
                .containsExactly(
                        "GRANT PROCESS, CONNECTION_ADMIN ON *.* TO 'qs'@'10.0.0.%';",
                        "GRANT SELECT ON performance_schema.processlist TO 'qs'@'10.0.0.%';",
                        "GRANT SELECT ON performance_schema.threads TO 'qs'@'10.0.0.%';",
                        "GRANT SELECT ON performance_schema.events_statements_current TO 'qs'@'10.0.0.%';",
                        "-- only for rules with when { replica-lag-over }: GRANT REPLICATION CLIENT ON *.* TO 'qs'@'10.0.0.%';");
        assertThat(LeastPrivileges.grants(Flavor.MYSQL57, "5.7.44-log", io.querysniper.core.target.KillMethod.RDS, "qs@%"))
                .startsWith("GRANT PROCESS ON *.* TO 'qs'@'%';",
                        "GRANT EXECUTE ON PROCEDURE mysql.rds_kill_query TO 'qs'@'%';",
                        "GRANT EXECUTE ON PROCEDURE mysql.rds_kill TO 'qs'@'%';");
        assertThat(LeastPrivileges.grants(Flavor.MYSQL8, "8.0.36", io.querysniper.core.target.KillMethod.AZURE, "qs@%"))
                .contains("GRANT EXECUTE ON PROCEDURE mysql.az_kill_query TO 'qs'@'%';",
                        "GRANT EXECUTE ON PROCEDURE mysql.az_kill TO 'qs'@'%';");
        assertThat(LeastPrivileges.killPrivilege(Flavor.MARIADB, "10.4.32-MariaDB")).isEqualTo("SUPER");
        assertThat(LeastPrivileges.killPrivilege(Flavor.MYSQL57, "5.7.44")).isEqualTo("SUPER");
        assertThat(LeastPrivileges.killPrivilege(Flavor.MYSQL57, "8.0.21")).isEqualTo("CONNECTION_ADMIN");
        assertThat(LeastPrivileges.excess(java.util.Set.of("SUPER", "PROCESS"), Flavor.MYSQL57, "5.7.44",
                io.querysniper.core.target.KillMethod.KILL)).as("SUPER is the only way to kill on 5.7").isEmpty();
        assertThat(LeastPrivileges.quoted("o'brien@%")).isEqualTo("'o''brien'@'%'");
    }
}
