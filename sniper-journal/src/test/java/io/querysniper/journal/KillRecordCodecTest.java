package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KillRecordCodecTest {

    private static final Instant T = Instant.parse("2025-03-04T05:06:07.089Z");

    @Test
    void roundTripKeepsEveryField() {
        KillRecord r = Records.killed(Records.intent(new RecordIds("n1"), T, "n1", "shop", "long-select"))
                .complete(KillOutcome.NOT_PERMITTED, "1095 You are not owner of thread", T.plusMillis(5));
        assertThat(KillRecordCodec.decode(KillRecordCodec.encode(r))).isEqualTo(r);
    }

    @Test
    void nullsAreLeftOutAndComeBackNull() {
        KillRecord guard = new KillRecord("0000000000001-n1-000001", T, "n1", "shop", -1, -1, null, null, null,
                null, null, -1, -1, -1, null, null, KillOutcome.GUARD_TRIPPED, "10 kills in a minute", null, null,
                null, Map.of(), true);
        String json = KillRecordCodec.encodeToString(guard);
        assertThat(json).doesNotContain("\"rule\"").doesNotContain("\"action\"").doesNotContain("null");
        assertThat(KillRecordCodec.decode(json)).isEqualTo(guard);
    }

    @Test
    void fieldNamesAreSnakeCase() {
        String json = KillRecordCodec.encodeToString(Records.intent(new RecordIds("n1"), T, "n1", "shop", "r"));
        assertThat(json).contains("\"id\":", "\"time\":\"2025-03-04T05:06:07.089Z\"", "\"node\":\"n1\"",
                "\"database\":\"shop\"", "\"thread_id\":42", "\"query_id\":7", "\"user\":\"app\"", "\"host\":",
                "\"schema\":\"shop\"", "\"command\":\"Query\"", "\"state\":", "\"age_ms\":12000",
                "\"transaction_age_ms\":30000", "\"rule\":\"r\"", "\"action\":\"kill-query\"",
                "\"outcome\":\"PENDING\"", "\"fingerprint\":", "\"digest\":\"ab12cd34\"",
                "\"tags\":{\"application\":\"web\"}", "\"dry_run\":false");
        assertThat(json).doesNotContain("\n").doesNotContain("truncated");
    }

    @Test
    void longFingerprintAndErrorAreCutWithMarkerAndFlag() {
        KillRecord r = withText("select " + "col, ".repeat(5000) + "x from t", "E".repeat(10_000), Map.of());
        byte[] bytes = KillRecordCodec.encode(r);
        assertThat(bytes.length).isLessThanOrEqualTo(KillRecordCodec.MAX_BYTES);
        assertThat(KillRecordCodec.isTruncated(bytes)).isTrue();
        KillRecord back = KillRecordCodec.decode(bytes);
        assertThat(back.fingerprint()).startsWith("select col, ").endsWith(KillRecordCodec.CUT_MARKER);
        assertThat(back.error()).endsWith(KillRecordCodec.CUT_MARKER);
        assertThat(back.id()).isEqualTo(r.id());
    }

    @Test
    void everythingHugeStillFits() {
        Map<String, String> tags = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            tags.put("tag" + i, "\u0001𝄞".repeat(300));
        }
        String huge = "\u0000𝄞".repeat(20_000);
        KillRecord r = new KillRecord("0000000000001-n1-000001", T, huge, huge, 1, 1, huge, huge, huge, huge, huge,
                1, 1, 1, huge, KillAction.KILL_CONNECTION, KillOutcome.ERROR, huge, huge, huge, huge, tags, false);
        byte[] bytes = KillRecordCodec.encode(r);
        assertThat(bytes.length).isLessThanOrEqualTo(KillRecordCodec.MAX_BYTES);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\uFFFD"); // no split surrogates
        assertThat(KillRecordCodec.decode(bytes).outcome()).isEqualTo(KillOutcome.ERROR);
    }

    @Test
    void garbageIsRejectedWithSniperException() {
        assertThatThrownBy(() -> KillRecordCodec.decode("{\"id\":\"x\",\"ti")).isInstanceOf(SniperException.class);
        assertThatThrownBy(() -> KillRecordCodec.decode("{}")).isInstanceOf(SniperException.class);
    }

    @Test
    void pathsBucketByIdTimeSoIntentAndFinalShareAPath() {
        KillRecord intent = Records.intent(new RecordIds("n1"), T, "n1", "shop", "r");
        KillRecord fin = intent.complete(KillOutcome.KILLED, null, T.plus(Duration.ofHours(2)));
        assertThat(JournalPaths.recordPath(fin.id(), fin.time()))
                .isEqualTo(JournalPaths.recordPath(intent.id(), intent.time()))
                .isEqualTo(JournalPaths.bucketPath(T) + "/" + intent.id())
                .startsWith("/journal/records/2025-03-04/05/");
        assertThat(JournalPaths.idTime("not-a-time", T)).isEqualTo(T);
    }

    @Test
    void tableShowsPendingAsOutcomeUnknownAndCutsFingerprint() {
        KillRecord intent = withText("select " + "a, ".repeat(100) + "b from t", null, Map.of());
        String row = JournalFormat.tableRow(intent, 20);
        assertThat(row).contains(JournalFormat.OUTCOME_UNKNOWN).contains("12.0s").contains("kill-query")
                .endsWith("select a, a, a, a, " + KillRecordCodec.CUT_MARKER);
        assertThat(JournalFormat.tableHeader()).startsWith("TIME (UTC)").contains("FINGERPRINT");
        assertThat(JournalFormat.jsonLine(intent)).startsWith("{").endsWith("}");
        assertThat(JournalFormat.tableRow(Records.killed(intent), 20)).contains("KILLED");
    }

    @Test
    void optionsReportEveryProblem() {
        assertThatThrownBy(() -> new JournalOptions("a/b", Duration.ZERO, 0, Duration.ofMillis(-1), null))
                .isInstanceOf(SniperException.class)
                .hasMessageContaining("nodeId").hasMessageContaining("retention")
                .hasMessageContaining("maxRecords").hasMessageContaining("writeTimeout")
                .hasMessageContaining("spoolDir");
        assertThat(JournalOptions.defaults("n1", Path.of("spool")).maxRecords()).isEqualTo(50_000L);
    }

    /** ZooKeeper keeps every record in its heap: the defaults stay small, a long retention is warned about. */
    @Test
    void retentionThatWouldFillZooKeepersHeapIsWarnedAbout() {
        JournalOptions defaults = JournalOptions.defaults("n1", Path.of("spool"));
        assertThat(defaults.zkHeapWarning()).isNull();
        assertThat(defaults.maxRecords() * JournalOptions.ZK_HEAP_BYTES_PER_RECORD).isLessThan(64L << 20);
        JournalOptions big = new JournalOptions("n1", Duration.ofDays(30), 1_000_000, Duration.ofMillis(200),
                Path.of("spool"));
        assertThat(big.zkHeapWarning()).contains("journal.max-records = 1000000").contains("1049 MB")
                .contains("journal.export");
    }

    private static KillRecord withText(String fingerprint, String error, Map<String, String> tags) {
        return new KillRecord("1741064767089-n1-000001", T, "n1", "shop", 42, 7, "app", "h", "shop", "Query",
                "Sending data", 12_000, -1, 0, "r", KillAction.KILL_QUERY, KillOutcome.PENDING, error, fingerprint,
                "ab", null, tags, false);
    }
}
