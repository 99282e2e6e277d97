package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;

/** The MySQL 8 path (and MariaDB 11) against real servers where Docker exists; skipped cleanly elsewhere. */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersIT {
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
                KillMethod.AUTO, Duration.ofSeconds(5), Duration.ofSeconds(5));
        try (MysqlServerPort sniper = new MysqlServerPort(target, new Credentials(user, password), "tc", Clock.systemUTC());
             Connection victim = DriverManager.getConnection("jdbc:mysql://" + host + ":" + port
                     + "/?allowPublicKeyRetrieval=true&sslMode=PREFERRED", user, password)) {
            long id;
            try (Statement s = victim.createStatement(); var rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try (Statement s = victim.createStatement()) {
                    s.execute("SELECT SLEEP(20)");
                } catch (Exception e) {
                    // interrupted by the kill
                }
            });
            Session seen = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seen == null && System.nanoTime() < deadline) {
                seen = sniper.snapshot(StatusNeeds.NONE).sessions().stream()
                        .filter(s -> s.threadId() == id && "Query".equals(s.command()) && s.time().toMillis() > 200)
                        .findFirst().orElse(null);
            }
            assertThat(seen).isNotNull();
            assertThat(sniper.serverInfo().flavor()).isEqualTo(flavor);
            assertThat(seen.time().toNanos() % 1_000_000_000L).as("sub-second age").isNotZero();
            assertThat(sniper.kill(new KillRequest(id, seen.queryId(), KillAction.KILL_QUERY, seen.info())).outcome())
                    .isEqualTo(KillOutcome.KILLED);
            running.get();
        }
    }
}
