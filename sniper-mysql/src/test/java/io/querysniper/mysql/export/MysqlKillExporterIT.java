package io.querysniper.mysql.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/** The export against a real mariadbd: one server for the class, one table per test. */
class MysqlKillExporterIT {
    private static final Duration WAIT = Timing.seconds(15);
    /** Short back-off so a server that comes back is seen quickly. */
    private static final MysqlKillExporter.Limits FAST = new MysqlKillExporter.Limits(1_000, 200,
            Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofSeconds(5), Timing.seconds(5));

    private static MariaDbServer db;

    @BeforeAll
    static void startServer() {
        db = MariaDbServer.builder().build().start();
        db.execute("CREATE DATABASE audit");
    }

    @AfterAll
    static void stopServer() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void theTableAndTheDefaultSchemaAreCreatedAtStartWithoutAnyRecord() {
        try (MysqlKillExporter export = exporter("kills_created")) {
            export.start();
            await().atMost(WAIT).until(() -> tableExists("query_sniper", "kills_created"));
        }
        assertThat(db.queryString("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
                + "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'query_sniper' AND TABLE_NAME = 'kills_created'"))
                .isEqualTo(String.join(",", ExportTable.COLUMNS));
        assertThat(db.queryString("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                + "'query_sniper' AND TABLE_NAME = 'kills_created' AND INDEX_NAME = 'idx_time'")).isEqualTo("time");
        assertThat(db.queryString("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                + "'query_sniper' AND TABLE_NAME = 'kills_created' AND INDEX_NAME = 'PRIMARY'")).isEqualTo("id");

        // A second start finds the table there and writes into it.
        try (MysqlKillExporter export = exporter("kills_created")) {
            export.start();
            export.onRecord(record("r1", KillOutcome.KILLED));
            await().atMost(WAIT).until(() -> count("query_sniper.kills_created") == 1);
        }
    }

    @Test
    void anIntentThenItsFinalRecordIsOneRowWithTheFinalOutcomeAndALateIntentChangesNothing() {
        try (MysqlKillExporter export = exporter("audit.kills_intent")) {
            export.start();
            KillRecord intent = record("i1", KillOutcome.PENDING);
            export.beforeKill(intent);
            await().atMost(WAIT).until(() -> "PENDING".equals(db.queryString(
                    "SELECT outcome FROM audit.kills_intent WHERE id = 'i1'")));

            export.onRecord(intent.complete(KillOutcome.KILLED, null, intent.time().plusMillis(7)));
            await().atMost(WAIT).until(() -> "KILLED".equals(db.queryString(
                    "SELECT outcome FROM audit.kills_intent WHERE id = 'i1'")));

            export.beforeKill(intent);  // e.g. a replay: must not turn the final row back into an intent
            export.onRecord(record("i2", KillOutcome.GONE_ALREADY));
            await().atMost(WAIT).until(() -> count("audit.kills_intent") == 2);
        }
        assertThat(db.queryString("SELECT CONCAT(outcome, ' ', time) FROM audit.kills_intent WHERE id = 'i1'"))
                .isEqualTo("KILLED 2024-05-01 10:00:00.130");
    }

    @Test
    void everyFieldRoundTrips() throws SQLException {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("application", "shop");
        tags.put("route", "/cart/\"checkout\"");
        KillRecord full = new KillRecord("1714557600123-node-1-000001", Instant.parse("2024-05-01T10:00:00.123Z"),
                "node-1", "orders", 4242, 77, "app_rw", "10.0.0.7:5555", "shop", "Query", "Sending data", 12_345,
                67_890, 1_234, "long-select", KillAction.KILL_QUERY, KillOutcome.NOT_PERMITTED,
                "Access denied; you need the CONNECTION ADMIN privilege", "select * from t where id = ? …",
                "9f86d081884c7d65", "ABCDEF0123", tags, true);
        KillRecord guard = new KillRecord("1714557600124-node-1-000002", Instant.parse("2024-05-01T10:00:00.124Z"),
                "node-1", "orders", 0, -1, null, null, null, null, null, 0, -1, 0, null, null,
                KillOutcome.GUARD_TRIPPED, "kill rate above 60 per minute", null, null, null, Map.of(), false);
        try (MysqlKillExporter export = exporter("audit.kills_fields")) {
            export.start();
            export.onRecord(full);
            export.onRecord(guard);
            await().atMost(WAIT).until(() -> count("audit.kills_fields") == 2);
        }
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, DATE_FORMAT(time, '%Y-%m-%d %H:%i:%s.%f'), node, database_name,"
                     + " thread_id, query_id, user, host, schema_name, command, state, age_ms, transaction_age_ms,"
                     + " rows_modified, rule, action, outcome, error, fingerprint, digest, server_digest,"
                     + " JSON_VALUE(tags, '$.application'), JSON_VALUE(tags, '$.route'), JSON_LENGTH(tags), dry_run"
                     + " FROM audit.kills_fields ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            int i = 1;
            assertThat(rs.getString(i++)).isEqualTo(full.id());
            assertThat(rs.getString(i++)).isEqualTo("2024-05-01 10:00:00.123000");
            assertThat(rs.getString(i++)).isEqualTo("node-1");
            assertThat(rs.getString(i++)).isEqualTo("orders");
            assertThat(rs.getLong(i++)).isEqualTo(4242);
            assertThat(rs.getLong(i++)).isEqualTo(77);
            assertThat(rs.getString(i++)).isEqualTo("app_rw");
            assertThat(rs.getString(i++)).isEqualTo("10.0.0.7:5555");
            assertThat(rs.getString(i++)).isEqualTo("shop");
            assertThat(rs.getString(i++)).isEqualTo("Query");
            assertThat(rs.getString(i++)).isEqualTo("Sending data");
            assertThat(rs.getLong(i++)).isEqualTo(12_345);
            assertThat(rs.getLong(i++)).isEqualTo(67_890);
            assertThat(rs.getLong(i++)).isEqualTo(1_234);
            assertThat(rs.getString(i++)).isEqualTo("long-select");
            assertThat(rs.getString(i++)).isEqualTo("kill-query");
            assertThat(rs.getString(i++)).isEqualTo("NOT_PERMITTED");
            assertThat(rs.getString(i++)).isEqualTo(full.error());
            assertThat(rs.getString(i++)).isEqualTo(full.fingerprint());
            assertThat(rs.getString(i++)).isEqualTo("9f86d081884c7d65");
            assertThat(rs.getString(i++)).isEqualTo("ABCDEF0123");
            assertThat(rs.getString(i++)).isEqualTo("shop");
            assertThat(rs.getString(i++)).isEqualTo("/cart/\"checkout\"");
            assertThat(rs.getInt(i++)).isEqualTo(2);
            assertThat(rs.getBoolean(i)).isTrue();

            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(guard.id());
            assertThat(rs.getString("user")).isNull();
            assertThat(rs.getString("rule")).isNull();
            assertThat(rs.getString("action")).isNull();
            assertThat(rs.getString("outcome")).isEqualTo("GUARD_TRIPPED");
            assertThat(rs.getString("fingerprint")).isNull();
            assertThat(rs.getLong("query_id")).isEqualTo(-1);
            assertThat(rs.getBoolean("dry_run")).isFalse();
            assertThat(rs.next()).isFalse();
        }
    }

    /**
     * The caller is the kill path: it must never wait on the export's I/O. Shown where waiting would cost
     * the most, a server that hangs (frozen: connections accepted, nothing answered), where the writer is
     * stuck for at least the connect timeout: every call must return well before that. Then a server that
     * is down. Both get their records once back.
     */
    @Test
    void aServerThatHangsOrIsDownNeverBlocksTheCallerAndGetsTheRecordsOnceBack() {
        int n = 500;
        // Half the connect timeout: a call that waited on a connect attempt, or on a statement the frozen
        // server never answers, would take at least the whole of it.
        Duration bound = target().connectTimeout().dividedBy(2);
        try (MysqlKillExporter export = exporter("audit.kills_down")) {
            export.start();
            await().atMost(WAIT).until(() -> tableExists("audit", "kills_down"));
            db.freeze();
            try {
                assertThat(offer(export, 0, n / 2)).as("slowest call while the server hangs").isLessThan(bound);
                assertThat(export.queued()).isGreaterThan(0);
            } finally {
                db.thaw();
            }
            db.stop();
            try {
                assertThat(offer(export, n / 2, n)).as("slowest call while the server is down").isLessThan(bound);
                assertThat(export.queued()).isGreaterThan(0);
            } finally {
                db.start();
            }
            await().atMost(WAIT).until(() -> count("audit.kills_down") == n);
            assertThat(export.exported()).isEqualTo(n);
            assertThat(export.notExported()).isZero();
        }
    }

    /** Offers records {@code from} .. {@code to - 1}; returns the slowest call. */
    private static Duration offer(MysqlKillExporter export, int from, int to) {
        long slowest = 0;
        for (int i = from; i < to; i++) {
            long t = System.nanoTime();
            export.onRecord(record(String.format("d%04d", i), KillOutcome.KILLED));
            slowest = Math.max(slowest, System.nanoTime() - t);
        }
        return Duration.ofNanos(slowest);
    }

    @Test
    void aFullQueueRefusesNewRecordsCountsThemAndCloseIsBoundedWhenTheServerNeverAnswers() {
        DatabaseTarget nowhere = new DatabaseTarget("ghost", "127.0.0.1", FreePort.next(),
                new TlsSettings(TlsMode.DISABLED, null, null, null), KillMethod.AUTO, Duration.ofMillis(300),
                Duration.ofSeconds(1));
        MysqlKillExporter.Limits small = new MysqlKillExporter.Limits(10, 5, Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(500));
        MysqlKillExporter export = new MysqlKillExporter(nowhere, new Credentials("u", "p"), "kills", "node-1",
                Clock.systemUTC(), small);
        // Offered before start, so the writer cannot take any yet: exact counts.
        for (int i = 0; i < 25; i++) {
            export.onRecord(record("f" + i, KillOutcome.KILLED));
        }
        assertThat(export.queued()).isEqualTo(10);
        assertThat(export.notExported()).isEqualTo(15);
        export.start();
        await().atMost(WAIT).until(() -> export.queued() < 10);  // the writer holds a batch it cannot write
        long start = System.nanoTime();
        export.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as(Timing.describe()).isLessThan(Timing.seconds(4));
        assertThat(export.notExported()).isEqualTo(25);
        export.close();  // idempotent
        export.onRecord(record("late", KillOutcome.KILLED));
        assertThat(export.notExported()).isEqualTo(26);
    }

    @Test
    void closeFlushesWhatIsQueued() {
        int n = 450;
        MysqlKillExporter export = exporter("audit.kills_flush");
        export.start();
        for (int i = 0; i < n; i++) {
            export.onRecord(record(String.format("c%04d", i), KillOutcome.KILLED));
        }
        export.close();
        assertThat(count("audit.kills_flush")).isEqualTo(n);
        assertThat(export.exported()).isEqualTo(n);
        export.close();
    }

    @Test
    void anIdleConnectionIsClosedSoNoIdleRuleOnTheWatchedServerFindsIt() {
        MysqlKillExporter.Limits quickIdle = new MysqlKillExporter.Limits(1_000, 200, Duration.ofMillis(50),
                Duration.ofMillis(300), Duration.ofMillis(200), Timing.seconds(5));
        try (MysqlKillExporter export = exporter("audit.kills_idle", quickIdle)) {
            export.start();
            export.onRecord(record("x1", KillOutcome.KILLED));
            await().atMost(WAIT).until(() -> count("audit.kills_idle") == 1);
            await().atMost(WAIT).until(() -> "0".equals(db.queryString("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                    + " WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Daemon', 'Binlog Dump')"
                    + " AND USER NOT IN ('system user', 'event_scheduler')")));
            export.onRecord(record("x2", KillOutcome.KILLED));
            await().atMost(WAIT).until(() -> count("audit.kills_idle") == 2);
        }
    }

    @Test
    void aLoginWithoutCreateUsesATableThatExists() {
        try (MysqlKillExporter export = exporter("audit.kills_grants")) {
            export.start();
            await().atMost(WAIT).until(() -> tableExists("audit", "kills_grants"));
        }
        db.createUser("exporter", "export-pw", "INSERT, UPDATE, SELECT ON audit.kills_grants");
        try (MysqlKillExporter export = new MysqlKillExporter(target(), new Credentials("exporter", "export-pw"),
                "audit.kills_grants", "node-1", Clock.systemUTC(), FAST)) {
            export.start();
            KillRecord intent = record("g1", KillOutcome.PENDING);
            export.beforeKill(intent);
            await().atMost(WAIT).until(() -> count("audit.kills_grants") == 1);
            export.onRecord(intent.complete(KillOutcome.KILLED, null, intent.time()));
            await().atMost(WAIT).until(() -> "KILLED".equals(db.queryString(
                    "SELECT outcome FROM audit.kills_grants WHERE id = 'g1'")));
        }
    }

    private static DatabaseTarget target() {
        return new DatabaseTarget("export-" + db.port(), db.host(), db.port(),
                new TlsSettings(TlsMode.DISABLED, null, null, null), KillMethod.AUTO, Timing.seconds(1),
                Timing.seconds(2));
    }

    private static MysqlKillExporter exporter(String table) {
        return exporter(table, FAST);
    }

    private static MysqlKillExporter exporter(String table, MysqlKillExporter.Limits limits) {
        return new MysqlKillExporter(target(), new Credentials(db.rootUser(), db.rootPassword()), table, "node-1",
                Clock.systemUTC(), limits);
    }

    private static KillRecord record(String id, KillOutcome outcome) {
        return ExportTableTest.record(id, outcome);
    }

    private static boolean tableExists(String schema, String table) {
        return "1".equals(db.queryString("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                + schema + "' AND TABLE_NAME = '" + table + "'"));
    }

    private static long count(String table) {
        try {
            return Long.parseLong(db.queryString("SELECT COUNT(*) FROM " + table));
        } catch (IllegalStateException e) {
            return -1;  // the table is not there yet
        }
    }
}
