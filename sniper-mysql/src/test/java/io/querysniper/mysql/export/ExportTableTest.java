package io.querysniper.mysql.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;

/** Table names, the SQL made from them, value cutting and the coalescing queue; no server. */
class ExportTableTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "x; drop", "a.b.c", "`kills`", "kills table", "kills-1", ".kills", "kills.",
            "s.k'", "kïlls", "k\u0000"})
    void badTableNamesAreRejectedBeforeAnyConnection(String name) {
        assertThatThrownBy(() -> ExportTable.parse(name))
                .isInstanceOf(SniperException.class)
                .hasMessageContaining("is not a table name");
        DatabaseTarget nowhere = new DatabaseTarget("ghost", "127.0.0.1", 1, null, KillMethod.AUTO,
                Duration.ofMillis(300), Duration.ofSeconds(1));
        assertThatThrownBy(() -> new MysqlKillExporter(nowhere, new Credentials("u", "p"), name, "n", Clock.systemUTC()))
                .isInstanceOf(SniperException.class);
    }

    @Test
    void anUnqualifiedNameLivesInTheDefaultSchemaAndEveryNameIsQuoted() {
        ExportTable plain = ExportTable.parse("query_sniper_kills");
        assertThat(plain.quoted()).isEqualTo("`query_sniper`.`query_sniper_kills`");
        assertThat(plain.createsSchema()).isTrue();
        ExportTable qualified = ExportTable.parse("audit.kill$log_2");
        assertThat(qualified.quoted()).isEqualTo("`audit`.`kill$log_2`");
        assertThat(qualified.createsSchema()).isFalse();
        assertThat(qualified.createTable()).startsWith("CREATE TABLE IF NOT EXISTS `audit`.`kill$log_2` (")
                .contains("PRIMARY KEY (`id`)", "KEY `idx_time` (`time`)", "`id` VARCHAR(96) NOT NULL",
                        "`time` DATETIME(3) NOT NULL", "`tags` JSON NULL");
    }

    @Test
    void theUpsertHasOneParameterPerColumnPerRowAndAssignsOutcomeLast() {
        String sql = ExportTable.parse("k").upsert(3);
        assertThat(sql.chars().filter(c -> c == '?').count()).isEqualTo(3L * ExportTable.COLUMNS.size());
        assertThat(sql).contains("ON DUPLICATE KEY UPDATE").doesNotContain("`id` = IF");
        assertThat(sql).endsWith("`outcome` = IF(VALUES(`outcome`) = 'PENDING' AND `outcome` <> 'PENDING', "
                + "`outcome`, VALUES(`outcome`))");
    }

    @Test
    void valuesAreCutToTheirColumnAndTagsAreJson() {
        assertThat(ExportRow.cut("abcdef", 4)).isEqualTo("abc…");
        assertThat(ExportRow.cut("ab\uD83D\uDE00cd", 4)).isEqualTo("ab…");
        assertThat(ExportRow.cut(null, 4)).isNull();
        assertThat(ExportRow.json(Map.of("route", "/a\"b", "app", "shop\n"))).isEqualTo(
                "{\"app\":\"shop\\n\",\"route\":\"/a\\\"b\"}");
        assertThat(ExportRow.json(Map.of())).isEqualTo("{}");
    }

    @Test
    void aFinalRecordReplacesItsQueuedIntentAndAFullQueueRefusesNewIdsOnly() throws InterruptedException {
        ExportQueue q = new ExportQueue(2);
        assertThat(q.offer(record("1", KillOutcome.PENDING))).isTrue();
        assertThat(q.offer(record("2", KillOutcome.PENDING))).isTrue();
        assertThat(q.offer(record("3", KillOutcome.PENDING))).isFalse();
        assertThat(q.offer(record("1", KillOutcome.KILLED))).isTrue();
        assertThat(q.take(10, 0)).extracting(KillRecord::id, KillRecord::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1", KillOutcome.KILLED),
                        org.assertj.core.groups.Tuple.tuple("2", KillOutcome.PENDING));
        assertThat(q.take(10, 1_000_000)).isEmpty();
    }

    @Test
    void recordsThatCannotBeARowAreRecognised() {
        assertThat(ExportRow.fits(record("x".repeat(96), KillOutcome.KILLED))).isTrue();
        assertThat(ExportRow.fits(record("x".repeat(97), KillOutcome.KILLED))).isFalse();
        assertThat(ExportRow.fits(record("", KillOutcome.KILLED))).isFalse();
        assertThat(ExportRow.fits(record("1", null))).isFalse();
    }

    @Test
    void limitsRejectBadValues() {
        assertThatThrownBy(() -> new MysqlKillExporter.Limits(0, 10, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1))).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new MysqlKillExporter.Limits(1, 10, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1))).hasMessageContaining("max back-off");
    }

    static KillRecord record(String id, KillOutcome outcome) {
        return new KillRecord(id, Instant.parse("2024-05-01T10:00:00.123Z"), "node-1", "orders", 42, -1, "app",
                "10.0.0.7:5555", "shop", "Query", "Sending data", 12_345, -1, 0, "long-select", null, outcome, null,
                "select * from t where id = ?", "abc123", null, Map.of(), false);
    }
}
