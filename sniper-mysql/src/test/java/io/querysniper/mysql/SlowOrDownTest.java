package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;

/** A poll that hits its statement timeout is a slow server (no backoff), not a dead one. */
class SlowOrDownTest {
    private static final DatabaseTarget TARGET = new DatabaseTarget("orders", "db1", 3306, null, KillMethod.AUTO,
            Duration.ofSeconds(5), Duration.ofSeconds(2));

    @Test
    void mariadbAndMysqlStatementTimeoutsAreSlow() {
        for (int code : new int[] {1969, 3024}) {
            ServerUnavailableException e = MysqlServerPort.unavailable(TARGET, "db1:3306",
                    new SQLException("Query execution was interrupted (max_statement_time exceeded)", "70100", code));
            assertThat(e).isInstanceOf(ServerSlowException.class);
            assertThat(e.getMessage()).contains("is slow").contains("statement-timeout 2s").contains("orders");
        }
    }

    @Test
    void aRefusedConnectionIsDown() {
        ServerUnavailableException e = MysqlServerPort.unavailable(TARGET, "db1:3306",
                new SQLException("Communications link failure", "08S01", 0));
        assertThat(e).isNotInstanceOf(ServerSlowException.class);
        assertThat(e.getMessage()).contains("is unavailable");
    }
}
