package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;

/**
 * Rows as Connector/J returns them for each flavour's session query (types included: BIGINT UNSIGNED
 * comes back as BigInteger, DECIMAL as BigDecimal), recorded from MySQL 8.0.36, 5.7.44 and MariaDB 10.11.
 */
class ProcesslistRowsTest {

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void mysql8RunningStatementUsesTheTimerForSubSecondAge() {
        Session s = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(812), "USER", "report", "HOST", "10.0.3.7:51544",
                "DB", "shop", "COMMAND", "Query", "STATE", "User sleep", "INFO", "SELECT SLEEP(10)", "TIME", 3L,
                "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/one_connection",
                "STMT_TIMER_WAIT", BigInteger.valueOf(3_456_789_000_000L), "STMT_DIGEST", null,
                "TRX_AGE_US", null, "TRX_ROWS_MODIFIED", null));

        assertThat(s.threadId()).isEqualTo(812);
        assertThat(s.queryId()).isEqualTo(-1);
        assertThat(s.time()).isEqualTo(Duration.ofNanos(3_456_789_000L));
        assertThat(s.kind()).isEqualTo(ThreadKind.FOREGROUND);
        assertThat(s.hasTransaction()).isFalse();
        assertThat(s.serverDigest()).isNull();
    }

    @Test
    void mysql8IdleInTransactionFallsBackToWholeSeconds() {
        Session s = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(900), "USER", "app", "HOST", "10.0.3.8:40000",
                "DB", null, "COMMAND", "Sleep", "STATE", null, "INFO", null, "TIME", 42L,
                "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/one_connection",
                "STMT_TIMER_WAIT", null, "STMT_DIGEST", null,
                "TRX_AGE_US", 61_250_000L, "TRX_ROWS_MODIFIED", BigInteger.valueOf(17)));

        assertThat(s.time()).isEqualTo(Duration.ofSeconds(42));
        assertThat(s.transactionAge()).as("lower bound of a whole-second trx_started").isEqualTo(Duration.ofMillis(60_251));
        assertThat(s.rowsModified()).isEqualTo(17);
        assertThat(s.isSleeping()).isTrue();
    }

    @Test
    void mysql8ReplicaApplierShowsCommandQueryButIsReplication() {
        Session applier = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(14), "USER", "system user", "HOST", "",
                "DB", "shop", "COMMAND", "Query", "STATE", "Waiting for an event from Coordinator",
                "INFO", "UPDATE orders SET state = 'paid' WHERE id = 5", "TIME", 0L,
                "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/replica_worker",
                "STMT_TIMER_WAIT", BigInteger.valueOf(1_000_000L), "STMT_DIGEST", null,
                "TRX_AGE_US", 2_000_000L, "TRX_ROWS_MODIFIED", BigInteger.ONE));
        Session io = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(12), "USER", "system user", "HOST", "",
                "DB", null, "COMMAND", "Connect", "STATE", "Waiting for source to send event", "INFO", null,
                "TIME", 8123L, "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/replica_io"));
        Session dump = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(31), "USER", "repl", "HOST", "10.0.3.9:3306",
                "DB", null, "COMMAND", "Binlog Dump GTID", "STATE", "Source has sent all binlog to replica",
                "INFO", null, "TIME", 9000L, "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/one_connection"));
        Session scheduler = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(5), "USER", "event_scheduler",
                "HOST", "localhost", "COMMAND", "Daemon", "STATE", "Waiting on empty queue", "TIME", 9000L,
                "THREAD_TYPE", "FOREGROUND", "THREAD_NAME", "thread/sql/event_scheduler"));

        assertThat(applier.kind()).isEqualTo(ThreadKind.REPLICATION);
        assertThat(io.kind()).isEqualTo(ThreadKind.REPLICATION);
        assertThat(dump.kind()).isEqualTo(ThreadKind.REPLICATION);
        assertThat(scheduler.kind()).isEqualTo(ThreadKind.BACKGROUND);
    }

    @Test
    void mysql57WholeSecondsAreRefinedAcrossLooksButNeverOverstated() {
        AgeTracker ages = new AgeTracker();
        Instant t0 = Instant.parse("2026-01-01T00:00:10.300Z");
        Map<String, Object> at3 = row("ID", BigInteger.valueOf(77), "USER", "report", "HOST", "10.0.3.7:1",
                "DB", "shop", "COMMAND", "Query", "STATE", "Sending data", "INFO", "SELECT * FROM big", "TIME", 3L,
                "TRX_AGE_US", null, "TRX_ROWS_MODIFIED", null);
        // True start: 00:00:07.000. At 10.300 the server says 3 s; at 10.900 still 3; at 11.050 says 4.
        assertThat(ProcesslistRows.mysql57(at3, ages, t0).time()).isEqualTo(Duration.ofSeconds(3));
        assertThat(ProcesslistRows.mysql57(at3, ages, t0.plusMillis(600)).time()).isEqualTo(Duration.ofMillis(3600));
        Map<String, Object> at4 = new HashMap<>(at3);
        at4.put("TIME", 4L);
        assertThat(ProcesslistRows.mysql57(at4, ages, t0.plusMillis(750)).time()).isEqualTo(Duration.ofSeconds(4));
        // The tick from 3 to 4 pinned the start to (06.900, 07.050]: at 11.500 (true age 4.5 s) the
        // estimate is 4.45 s where whole seconds say 4.
        assertThat(ProcesslistRows.mysql57(at4, ages, t0.plusMillis(1200)).time()).isEqualTo(Duration.ofMillis(4450));

        // A new statement on the same thread starts over.
        Map<String, Object> next = new HashMap<>(at3);
        next.put("INFO", "SELECT 1");
        next.put("TIME", 0L);
        assertThat(ProcesslistRows.mysql57(next, ages, t0.plusMillis(1300)).time()).isZero();
    }

    @Test
    void mysql57ReplicaThreadsRunAsSystemUser() {
        AgeTracker ages = new AgeTracker();
        Session sql = ProcesslistRows.mysql57(row("ID", BigInteger.valueOf(3), "USER", "system user", "HOST", "",
                "COMMAND", "Connect", "STATE", "Slave has read all relay log; waiting for more updates", "TIME", 120L),
                ages, Instant.EPOCH);
        assertThat(sql.kind()).isEqualTo(ThreadKind.REPLICATION);
    }

    @Test
    void mariadbRowHasMillisecondsAndQueryId() {
        Session s = ProcesslistRows.mariadb(row("ID", 41L, "USER", "app", "HOST", "127.0.0.1:5000", "DB", "shop",
                "COMMAND", "Execute", "STATE", "Sending data", "INFO", "SELECT * FROM t WHERE id = ?",
                "TIME_MS", new BigDecimal("2503.417"), "QUERY_ID", 9001L,
                "TRX_AGE_US", BigInteger.valueOf(3_100_000), "TRX_ROWS_MODIFIED", BigInteger.ZERO));
        Session slave = ProcesslistRows.mariadb(row("ID", 6L, "USER", "system user", "HOST", "", "COMMAND", "Slave_SQL",
                "TIME_MS", new BigDecimal("10.000"), "QUERY_ID", 0L));

        assertThat(s.time()).isEqualTo(Duration.ofNanos(2_503_417_000L));
        assertThat(s.queryId()).isEqualTo(9001);
        assertThat(s.transactionAge()).isEqualTo(Duration.ofMillis(2101));
        assertThat(s.state()).isEqualTo("Sending data");
        assertThat(slave.kind()).isEqualTo(ThreadKind.REPLICATION);
        assertThat(slave.info()).isNull();
    }

    @Test
    void mariadbDelayedInsertHandlerIsAServerThread() {
        // As MariaDB 10.11 shows it after INSERT DELAYED into a MyISAM table (user "delayed", no host).
        Session handler = ProcesslistRows.mariadb(row("ID", 14L, "USER", "delayed", "HOST", "", "DB", "t",
                "COMMAND", "Delayed insert", "STATE", "Waiting for table level lock", "INFO", "m",
                "TIME_MS", new BigDecimal("0.000"), "QUERY_ID", 0L));
        // The client that asked for it is an ordinary session.
        Session client = ProcesslistRows.mariadb(row("ID", 15L, "USER", "app", "HOST", "127.0.0.1:5001", "DB", "t",
                "COMMAND", "Query", "STATE", "waiting for handler insert", "INFO", "INSERT DELAYED INTO m VALUES (1)",
                "TIME_MS", new BigDecimal("2500.000"), "QUERY_ID", 77L));
        assertThat(handler.kind()).isEqualTo(ThreadKind.BACKGROUND);
        assertThat(client.kind()).isEqualTo(ThreadKind.FOREGROUND);
    }

    @Test
    void mysql8CloneGroupReplicationAndOldReplicationCommandsAreReplication() {
        for (String command : new String[] {"clone", "Group Replication Data Stream subscription", "Register Replica",
                "Register Slave", "Table Dump", "Connect Out", "Binlog Dump"}) {
            Session s = ProcesslistRows.mysql8(row("ID", BigInteger.valueOf(40), "USER", "repl", "HOST", "10.0.3.9:3306",
                    "COMMAND", command, "TIME", 600L, "THREAD_TYPE", "FOREGROUND",
                    "THREAD_NAME", "thread/sql/one_connection"));
            assertThat(s.kind()).as(command).isEqualTo(ThreadKind.REPLICATION);
        }
        Session delayed = ProcesslistRows.mysql57(row("ID", BigInteger.valueOf(41), "USER", "DELAYED", "HOST", "localhost",
                "COMMAND", "Delayed insert", "STATE", "insert", "TIME", 30L), new AgeTracker(), Instant.EPOCH);
        assertThat(delayed.kind()).isEqualTo(ThreadKind.BACKGROUND);
    }
}
