package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.target.KillMethod;

/** Flavour detection, time limits, kill statements, error sorting, grants parsing (PEM keys: core PemFilesTest). */
class PureLogicTest {
    private static final ServerInfo MARIA = new ServerInfo(Flavor.MARIADB, "10.11.6-MariaDB", Set.of());
    private static final ServerInfo MYSQL = new ServerInfo(Flavor.MYSQL8, "8.0.36", Set.of());
    private static final ServerInfo RDS = new ServerInfo(Flavor.MYSQL8, "8.0.36",
            Set.of("rds_kill", "rds_kill_query"));
    private static final ServerInfo RDS_MARIA = new ServerInfo(Flavor.MARIADB, "10.11.6-MariaDB-log",
            Set.of("rds_kill", "rds_kill_query", "rds_kill_query_id"));
    private static final ServerInfo AZURE = new ServerInfo(Flavor.MYSQL8, "8.0.21", Set.of("az_kill", "az_kill_query"));

    @Test
    void flavours() {
        assertThat(Flavor.detect("10.11.6-MariaDB-0+deb12u1", "Debian 12")).isEqualTo(Flavor.MARIADB);
        assertThat(Flavor.detect("5.5.5-10.6.14-MariaDB", "")).isEqualTo(Flavor.MARIADB);
        assertThat(Flavor.detect("8.4.3", "MySQL Community Server - GPL")).isEqualTo(Flavor.MYSQL8);
        assertThat(Flavor.detect("8.0.22", "")).isEqualTo(Flavor.MYSQL8);
        assertThat(Flavor.detect("8.0.21", "")).isEqualTo(Flavor.MYSQL57);
        assertThat(Flavor.detect("8.0.mysql_aurora.3.05.2", "")).isEqualTo(Flavor.MYSQL57);
        assertThat(Flavor.detect("5.7.44-log", "")).isEqualTo(Flavor.MYSQL57);
        assertThat(Flavor.detect("9.1.0", "")).isEqualTo(Flavor.MYSQL8);
    }

    @Test
    void theTransactionListIsJoinedOnlyWhenTheFilterOrTheReCheckNeedsIt() {
        Duration limit = Duration.ofSeconds(2);
        SessionFilter busy = new SessionFilter(Duration.ofSeconds(1), null, null, true, false);
        SessionFilter guarded = new SessionFilter(Duration.ofSeconds(1), null, null, true, true);
        for (Flavor f : Flavor.values()) {
            assertThat(SessionQueries.sessions(f, limit, busy, Set.of())).doesNotContain("INNODB_TRX")
                    .doesNotContain("TRX_AGE_US").contains(" WHERE p.ID <> CONNECTION_ID()");
            assertThat(SessionQueries.sessions(f, limit, guarded, Set.of())).contains("INNODB_TRX", "TRX_ROWS_MODIFIED");
            assertThat(SessionQueries.thread(f, limit, 7, false)).doesNotContain("INNODB_TRX").endsWith(" WHERE p.ID = 7");
            assertThat(SessionQueries.thread(f, limit, 7, true)).contains("INNODB_TRX").endsWith(" WHERE p.ID = 7");
        }
        assertThat(SessionQueries.sessions(Flavor.MYSQL8, limit, busy, Set.of()))
                .contains("performance_schema.threads", "events_statements_current");
    }

    @Test
    void everyPollingStatementIsTimeLimited() {
        Duration limit = Duration.ofMillis(2500);
        assertThat(SessionQueries.sessions(Flavor.MARIADB, limit))
                .startsWith("SET STATEMENT max_statement_time=2.500 FOR SELECT p.ID");
        assertThat(SessionQueries.sessions(Flavor.MYSQL8, limit))
                .startsWith("SELECT /*+ MAX_EXECUTION_TIME(2500) */ p.ID").contains("performance_schema.processlist");
        assertThat(SessionQueries.sessions(Flavor.MYSQL57, limit))
                .startsWith("SELECT /*+ MAX_EXECUTION_TIME(2500) */ p.ID").contains("information_schema.PROCESSLIST");
        assertThat(SessionQueries.infoOf(Flavor.MYSQL8, limit))
                .isEqualTo("SELECT /*+ MAX_EXECUTION_TIME(2500) */ INFO FROM performance_schema.processlist WHERE ID = ?");
    }

    @Test
    void killStatements() {
        KillRequest query = new KillRequest(42, 9001, KillAction.KILL_QUERY, "x");
        KillRequest queryNoId = new KillRequest(42, -1, KillAction.KILL_QUERY, "x");
        KillRequest conn = new KillRequest(42, 9001, KillAction.KILL_CONNECTION, null);

        assertThat(KillSql.of(query, KillMethod.KILL, MARIA)).isEqualTo(new KillSql("KILL QUERY ID 9001", true));
        assertThat(KillSql.of(queryNoId, KillMethod.KILL, MARIA)).isEqualTo(new KillSql("KILL QUERY 42", false));
        assertThat(KillSql.of(conn, KillMethod.KILL, MARIA).sql()).isEqualTo("KILL CONNECTION 42");
        assertThat(KillSql.of(query, KillMethod.KILL, MYSQL)).isEqualTo(new KillSql("KILL QUERY 42", false));

        assertThat(KillSql.effective(KillMethod.AUTO, MYSQL)).isEqualTo(KillMethod.KILL);
        assertThat(KillSql.effective(KillMethod.AUTO, RDS)).isEqualTo(KillMethod.RDS);
        assertThat(KillSql.effective(KillMethod.AUTO, AZURE)).isEqualTo(KillMethod.AZURE);
        assertThat(KillSql.effective(KillMethod.KILL, RDS)).isEqualTo(KillMethod.KILL);
        assertThat(KillSql.effective(KillMethod.RDS, MYSQL)).isEqualTo(KillMethod.RDS);

        assertThat(KillSql.of(query, KillMethod.RDS, RDS).sql()).isEqualTo("CALL mysql.rds_kill_query(42)");
        assertThat(KillSql.of(conn, KillMethod.RDS, RDS).sql()).isEqualTo("CALL mysql.rds_kill(42)");
        assertThat(KillSql.of(query, KillMethod.RDS, RDS_MARIA)).isEqualTo(new KillSql("CALL mysql.rds_kill_query_id(9001)", true));
        assertThat(KillSql.of(query, KillMethod.AZURE, AZURE).sql()).isEqualTo("CALL mysql.az_kill_query(42)");
        assertThat(KillSql.of(conn, KillMethod.AZURE, AZURE).sql()).isEqualTo("CALL mysql.az_kill(42)");
    }

    @Test
    void killErrors() {
        assertThat(KillErrors.outcome(1094)).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(KillErrors.outcome(1957)).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(KillErrors.outcome(1095)).isEqualTo(KillOutcome.NOT_PERMITTED);
        assertThat(KillErrors.outcome(1979)).as("KILL QUERY ID of another user's statement").isEqualTo(KillOutcome.NOT_PERMITTED);
        assertThat(KillErrors.outcome(1227)).isEqualTo(KillOutcome.NOT_PERMITTED);
        assertThat(KillErrors.outcome(1370)).isEqualTo(KillOutcome.NOT_PERMITTED);
        assertThat(KillErrors.outcome(2013)).isEqualTo(KillOutcome.ERROR);
        assertThat(KillErrors.detail(new java.sql.SQLException("You are not owner of thread 5", "HY000", 1095)))
                .isEqualTo("error 1095 (HY000): You are not owner of thread 5");
    }

    @Test
    void globalGrants() {
        assertThat(ServerCheck.parseGlobalGrant("GRANT PROCESS, CONNECTION ADMIN ON *.* TO `sniper`@`%` IDENTIFIED BY PASSWORD '*AB'"))
                .containsExactly("PROCESS", "CONNECTION ADMIN");
        assertThat(ServerCheck.parseGlobalGrant("GRANT ALL PRIVILEGES ON *.* TO `root`@`%` WITH GRANT OPTION"))
                .containsExactly("ALL PRIVILEGES");
        assertThat(ServerCheck.parseGlobalGrant("GRANT CONNECTION_ADMIN,SYSTEM_USER ON *.* TO `s`@`%`"))
                .containsExactly("CONNECTION_ADMIN", "SYSTEM_USER");
        assertThat(ServerCheck.parseGlobalGrant("GRANT SELECT ON `shop`.* TO `app`@`%`")).isEmpty();
    }
}
