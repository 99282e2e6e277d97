package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.KillMethod;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/**
 * The managed-server kill procedures for real: stand-ins for AWS RDS's {@code mysql.rds_kill_query},
 * {@code mysql.rds_kill}, {@code mysql.rds_kill_query_id} and Azure's {@code mysql.az_kill_query},
 * {@code mysql.az_kill} on a throwaway mariadbd, made as the managed services make theirs: SQL SECURITY
 * DEFINER, defined by an admin account that may KILL, and called by a daemon login that has PROCESS and
 * EXECUTE on them but neither SUPER nor CONNECTION ADMIN. So a kill that lands can only have gone through
 * the CALL. Each stand-in also notes its call in {@code qs_audit.calls}, so the test sees which procedure
 * was called with which id.
 */
class ManagedKillProceduresIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension();

    private static final Duration WAIT = Timing.seconds(10);
    private static final List<String> PROCEDURES =
            List.of("rds_kill", "rds_kill_query", "rds_kill_query_id", "az_kill", "az_kill_query");

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void accounts() {
        MariaDbServer db = DB.server();
        db.execute("CREATE DATABASE qs_audit",
                "CREATE TABLE qs_audit.calls (seq INT AUTO_INCREMENT PRIMARY KEY, proc VARCHAR(64), arg BIGINT)");
        // The managed service's own admin: may kill anyone, owns the procedures (and needs EXECUTE on them:
        // a DEFINER routine runs with its definer's rights, the routine itself included).
        db.createUser("rdsadmin", "rdsadmin-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*", "EXECUTE ON mysql.*",
                "INSERT ON qs_audit.*");
        db.createUser("app", "app-pw", "SELECT, UPDATE ON qs_victims.*");
    }

    @AfterEach
    void dropProcedures() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        for (String p : PROCEDURES) {
            DB.server().execute("DROP PROCEDURE IF EXISTS mysql." + p);
        }
        DB.server().execute("DELETE FROM qs_audit.calls");
    }

    @Test
    void autoFindsTheRdsProceduresAndKillsThroughThemWithoutTheKillPrivilege() throws Exception {
        MariaDbServer db = DB.server();
        createProcedures("rds_kill_query", "rds_kill");
        Credentials sniper = daemonLogin("sniper_rds", "rds_kill_query", "rds_kill");
        MysqlServerPort port = port(KillMethod.AUTO, sniper);
        LockWait query = victim();
        LockWait connection = victim();
        Session busy = awaitBusy(port, query);
        assertKillStatementIsRefused(db, sniper, query.threadId());

        ServerInfo info = port.serverInfo();
        assertThat(info.killProcedures()).containsExactlyInAnyOrder("rds_kill_query", "rds_kill");
        assertThat(KillSql.effective(KillMethod.AUTO, info)).isEqualTo(KillMethod.RDS);
        CheckReport check = ServerCheck.run(Targets.plain(db), sniper, "node-1");
        assertThat(check.killMethod()).isEqualTo("CALL mysql.rds_kill_query / mysql.rds_kill");
        assertThat(check.privilegesPresent()).contains("PROCESS", "mysql.rds_kill_query", "mysql.rds_kill");
        assertThat(check.ok()).as(check.problems().toString()).isTrue();

        KillResult killedQuery = port.kill(new KillRequest(busy.threadId(), busy.queryId(), KillAction.KILL_QUERY,
                busy.info()));

        assertThat(killedQuery.outcome()).as(killedQuery.detail()).isEqualTo(KillOutcome.KILLED);
        assertThat(query.error(WAIT).getErrorCode()).isEqualTo(LockWait.QUERY_INTERRUPTED);
        assertThat(query.connectionAlive()).as("KILL QUERY leaves the connection").isTrue();

        Session other = awaitBusy(port, connection);
        KillResult killedConnection = port.kill(new KillRequest(other.threadId(), -1, KillAction.KILL_CONNECTION,
                null));

        assertThat(killedConnection.outcome()).as(killedConnection.detail()).isEqualTo(KillOutcome.KILLED);
        assertThat(connection.error(WAIT).getSQLState()).as("connection exception").startsWith("08");
        assertThat(connection.connectionAlive()).isFalse();
        assertThat(calls()).containsExactly("rds_kill_query(" + query.threadId() + ")",
                "rds_kill(" + connection.threadId() + ")");
    }

    @Test
    void onMariaDbTheRdsQueryIdProcedureKillsTheStatementByItsQueryId() throws Exception {
        createProcedures("rds_kill_query", "rds_kill", "rds_kill_query_id");
        Credentials sniper = daemonLogin("sniper_rdsq", "rds_kill_query", "rds_kill", "rds_kill_query_id");
        MysqlServerPort port = port(KillMethod.AUTO, sniper);
        LockWait victim = victim();
        Session busy = awaitBusy(port, victim);
        assertThat(busy.queryId()).isPositive();
        assertThat(KillSql.effective(KillMethod.AUTO, port.serverInfo())).isEqualTo(KillMethod.RDS);

        // A statement that has ended (query id 1 was the server's first): unknown to the server, through the
        // procedure as well, so the victim's running statement is not touched.
        KillResult stale = port.kill(new KillRequest(busy.threadId(), 1, KillAction.KILL_QUERY, busy.info()));
        assertThat(stale.outcome()).as(stale.detail()).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(stale.detail()).startsWith("error 1957");
        assertThat(victim.ended()).isFalse();

        KillResult killed = port.kill(new KillRequest(busy.threadId(), busy.queryId(), KillAction.KILL_QUERY,
                busy.info()));

        assertThat(killed.outcome()).as(killed.detail()).isEqualTo(KillOutcome.KILLED);
        assertThat(victim.error(WAIT).getErrorCode()).isEqualTo(LockWait.QUERY_INTERRUPTED);
        assertThat(calls()).containsExactly("rds_kill_query_id(1)",
                "rds_kill_query_id(" + busy.queryId() + ")");
    }

    @Test
    void autoFindsTheAzureProceduresAndKillsThroughThem() throws Exception {
        MariaDbServer db = DB.server();
        createProcedures("az_kill_query", "az_kill");
        Credentials sniper = daemonLogin("sniper_az", "az_kill_query", "az_kill");
        MysqlServerPort port = port(KillMethod.AUTO, sniper);
        LockWait query = victim();
        LockWait connection = victim();
        Session busy = awaitBusy(port, query);
        assertKillStatementIsRefused(db, sniper, query.threadId());

        assertThat(port.serverInfo().killProcedures()).containsExactlyInAnyOrder("az_kill_query", "az_kill");
        assertThat(KillSql.effective(KillMethod.AUTO, port.serverInfo())).isEqualTo(KillMethod.AZURE);
        CheckReport check = ServerCheck.run(Targets.plain(db), sniper, "node-1");
        assertThat(check.killMethod()).isEqualTo("CALL mysql.az_kill_query / mysql.az_kill");
        assertThat(check.ok()).as(check.problems().toString()).isTrue();

        KillResult killedQuery = port.kill(new KillRequest(busy.threadId(), busy.queryId(), KillAction.KILL_QUERY,
                busy.info()));

        assertThat(killedQuery.outcome()).as(killedQuery.detail()).isEqualTo(KillOutcome.KILLED);
        assertThat(query.error(WAIT).getErrorCode()).isEqualTo(LockWait.QUERY_INTERRUPTED);

        Session other = awaitBusy(port, connection);
        KillResult killedConnection = port.kill(new KillRequest(other.threadId(), -1, KillAction.KILL_CONNECTION,
                null));

        assertThat(killedConnection.outcome()).as(killedConnection.detail()).isEqualTo(KillOutcome.KILLED);
        assertThat(connection.error(WAIT).getSQLState()).as("connection exception").startsWith("08");
        assertThat(connection.connectionAlive()).isFalse();
        assertThat(calls()).containsExactly("az_kill_query(" + query.threadId() + ")",
                "az_kill(" + connection.threadId() + ")");
    }

    @Test
    void withoutExecuteTheProceduresAreNotSeenAndTheKillIsNotPermitted() {
        createProcedures("rds_kill_query", "rds_kill", "az_kill_query", "az_kill");
        Credentials sniper = daemonLogin("sniper_noexec");
        MysqlServerPort auto = port(KillMethod.AUTO, sniper);
        LockWait victim = victim();
        Session busy = awaitBusy(auto, victim);

        // information_schema.ROUTINES shows a login only the routines it may run: auto falls back to KILL.
        assertThat(auto.serverInfo().killProcedures()).isEmpty();
        assertThat(KillSql.effective(KillMethod.AUTO, auto.serverInfo())).isEqualTo(KillMethod.KILL);
        KillResult byKill = auto.kill(new KillRequest(busy.threadId(), busy.queryId(), KillAction.KILL_QUERY,
                busy.info()));
        // MariaDB kills by query id here and refuses with 1979 (not owner of query), not 1095.
        assertThat(byKill.outcome()).as(byKill.detail()).isEqualTo(KillOutcome.NOT_PERMITTED);
        assertThat(byKill.detail()).startsWith("error 1979");

        // Configured to call them anyway: the server refuses the CALL.
        for (KillMethod method : List.of(KillMethod.RDS, KillMethod.AZURE)) {
            MysqlServerPort configured = port(method, sniper);
            for (KillAction action : List.of(KillAction.KILL_QUERY, KillAction.KILL_CONNECTION)) {
                KillResult byCall = configured.kill(new KillRequest(busy.threadId(), busy.queryId(), action,
                        busy.info()));
                assertThat(byCall.outcome()).as(method + " " + action + ": " + byCall.detail())
                        .isEqualTo(KillOutcome.NOT_PERMITTED);
                assertThat(byCall.detail()).startsWith("error 1370");
            }
        }

        assertThat(victim.ended()).as("nothing reached the victim").isFalse();
        assertThat(calls()).isEmpty();
        assertThat(victim.releaseAndEndsNormally(WAIT)).isTrue();
    }

    // ---- helpers

    /** Creates the stand-ins, as the managed service has them: definer rights, its admin as definer. */
    private static void createProcedures(String... names) {
        for (String name : names) {
            String kill = switch (name) {
                case "rds_kill", "az_kill" -> "KILL CONNECTION id";
                case "rds_kill_query", "az_kill_query" -> "KILL QUERY id";
                case "rds_kill_query_id" -> "KILL QUERY ID id";
                default -> throw new IllegalArgumentException(name);
            };
            DB.server().execute("CREATE DEFINER = 'rdsadmin'@'%' PROCEDURE mysql." + name + "(IN id BIGINT)"
                    + " SQL SECURITY DEFINER BEGIN INSERT INTO qs_audit.calls (proc, arg) VALUES ('" + name + "', id); "
                    + kill + "; END");
        }
    }

    /** The daemon's login: PROCESS to see every session, EXECUTE on the given procedures, no kill privilege. */
    private static Credentials daemonLogin(String user, String... executable) {
        List<String> grants = new ArrayList<>(List.of("PROCESS ON *.*"));
        for (String p : executable) {
            grants.add("EXECUTE ON PROCEDURE mysql." + p);
        }
        DB.server().createUser(user, user + "-pw", grants.toArray(String[]::new));
        return new Credentials(user, user + "-pw");
    }

    private MysqlServerPort port(KillMethod method, Credentials credentials) {
        MysqlServerPort port = new MysqlServerPort(Targets.killingWith(DB.server(), method), credentials, "node-1",
                Clock.systemUTC());
        open.add(port);
        return port;
    }

    private LockWait victim() {
        LockWait v = LockWait.start(DB.server(), "app", "app-pw");
        open.add(v);
        return v;
    }

    /** A plain KILL by the daemon's login is refused: whatever kills the victim went through a procedure. */
    private static void assertKillStatementIsRefused(MariaDbServer db, Credentials sniper, long threadId) {
        try (Connection c = db.connection(sniper.user(), sniper.password()); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("KILL QUERY " + threadId))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1095));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The victim's lock wait as the port sees it. */
    private static Session awaitBusy(MysqlServerPort port, LockWait victim) {
        AtomicReference<Session> found = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(120)).until(() -> {
            Optional<Session> s = port.snapshot(StatusNeeds.NONE).sessions().stream()
                    .filter(x -> x.threadId() == victim.threadId() && "Query".equals(x.command())
                            && victim.sql().equals(x.info()))
                    .findFirst();
            s.ifPresent(found::set);
            return s.isPresent();
        });
        return found.get();
    }

    private static List<String> calls() {
        List<String> calls = new ArrayList<>();
        try (Connection c = DB.server().connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT proc, arg FROM qs_audit.calls ORDER BY seq")) {
            while (rs.next()) {
                calls.add(rs.getString(1) + "(" + rs.getLong(2) + ")");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return calls;
    }
}
