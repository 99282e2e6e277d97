package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.testkit.Timing;

/**
 * The MySQL 8 path (and MariaDB 11) against real servers where Docker exists; skipped cleanly elsewhere.
 * The victim waits on a row lock, not in {@code SLEEP()}: MySQL ends a killed {@code SELECT SLEEP(n)}
 * without an error (it returns 1), so only a lock wait lets the test see what the victim saw.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersIT {
    /** ER_QUERY_INTERRUPTED, on MySQL and MariaDB alike. */
    private static final int QUERY_INTERRUPTED = 1317;
    private static final Duration WAIT = Timing.seconds(20);

    @Container
    static final MySQLContainer<?> MYSQL = new MySQLContainer<>("mysql:8.4");
    @Container
    static final MariaDBContainer<?> MARIADB = new MariaDBContainer<>("mariadb:11.4");

    @Test
    void mysql84ReadsSubSecondAgesAndKillsAQuery() throws Exception {
        check(MYSQL.getHost(), MYSQL.getFirstMappedPort(), "root", MYSQL.getPassword(), Flavor.MYSQL8);
    }

    @Test
    void mariadb11ReadsAndKillsByQueryId() throws Exception {
        check(MARIADB.getHost(), MARIADB.getFirstMappedPort(), "root", MARIADB.getPassword(), Flavor.MARIADB);
    }

    private static void check(String host, int port, String user, String password, Flavor flavor) throws Exception {
        DatabaseTarget target = new DatabaseTarget("tc", host, port, new TlsSettings(TlsMode.PREFERRED, null, null, null),
                KillMethod.AUTO, Timing.seconds(5), Timing.seconds(5));
        String url = "jdbc:mysql://" + host + ":" + port + "/?allowPublicKeyRetrieval=true&sslMode=PREFERRED";
        try (MysqlServerPort sniper = new MysqlServerPort(target, new Credentials(user, password), "tc", Clock.systemUTC());
             Connection holder = DriverManager.getConnection(url, user, password);
             Connection victim = DriverManager.getConnection(url, user, password)) {
            try (Statement s = holder.createStatement()) {
                s.execute("CREATE DATABASE IF NOT EXISTS qs_tc");
                s.execute("CREATE TABLE IF NOT EXISTS qs_tc.locks (id INT PRIMARY KEY) ENGINE=InnoDB");
                s.execute("INSERT IGNORE INTO qs_tc.locks VALUES (1)");
            }
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeQuery("SELECT id FROM qs_tc.locks WHERE id = 1 FOR UPDATE").close();
            }
            long id;
            try (Statement s = victim.createStatement(); var rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
                s.execute("SET SESSION innodb_lock_wait_timeout = 600");
            }
            String waiting = "SELECT id FROM qs_tc.locks WHERE id = 1 FOR UPDATE";
            CompletableFuture<SQLException> seenByVictim = new CompletableFuture<>();
            Thread.ofPlatform().name("tc-victim").daemon().start(() -> {
                try (Statement s = victim.createStatement()) {
                    s.executeQuery(waiting).close();
                    seenByVictim.complete(null);
                } catch (SQLException e) {
                    seenByVictim.complete(e);
                }
            });
            Session seen = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen == null && System.nanoTime() < deadline) {
                seen = sniper.snapshot(StatusNeeds.NONE).sessions().stream()
                        .filter(s -> s.threadId() == id && "Query".equals(s.command()) && s.time().toMillis() > 200)
                        .findFirst().orElse(null);
                Thread.sleep(120);
            }
            assertThat(seen).as("the victim's lock wait in the process list").isNotNull();
            assertThat(seen.info()).isEqualTo(waiting);
            assertThat(sniper.serverInfo().flavor()).isEqualTo(flavor);
            assertThat(seen.time().toNanos() % 1_000_000_000L).as("sub-second age").isNotZero();

            KillResult result = sniper.kill(new KillRequest(id, seen.queryId(), KillAction.KILL_QUERY, seen.info()));

            assertThat(result.outcome()).as(result.detail()).isEqualTo(KillOutcome.KILLED);
            // What the victim saw: its statement ended, by the kill, with the kill's error.
            SQLException error = seenByVictim.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat((Throwable) error).as("the victim's statement ended with an error").isNotNull();
            assertThat(error.getErrorCode()).as(error.getMessage()).isEqualTo(QUERY_INTERRUPTED);
            try (Statement s = victim.createStatement(); var rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).as("KILL QUERY leaves the victim's connection").isTrue();
            }
            holder.rollback();
        }
    }
}
