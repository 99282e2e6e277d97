package io.querysniper.journal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer: the journal's readers on arbitrary bytes. The record codec decodes a record or refuses with a
 * {@link SniperException}, and what it decodes survives a round trip. The spool, opened on a file of arbitrary
 * bytes (a crash mid-append, a disk error, a hand edit), never fails its replay, and a record appended after
 * such garbage is read back intact. Regression inputs: {@code JournalFuzzTestInputs/}.
 */
class JournalFuzzTest {
    private static final Path DIR = tempDir();
    private static final KillRecord KNOWN = Records.intent(new RecordIds("fuzz"), Instant.parse("2026-01-01T00:00:00Z"),
            "fuzz", "shop", "rule");

    @FuzzTest(maxDuration = "60s")
    void codecDecodesOrRefusesAndRoundTrips(byte[] json) {
        KillRecord r;
        try {
            r = KillRecordCodec.decode(json);
        } catch (SniperException refused) {
            return;
        }
        byte[] again = KillRecordCodec.encode(r);
        assertThat(again.length).isLessThanOrEqualTo(KillRecordCodec.MAX_BYTES);
        if (!KillRecordCodec.isTruncated(again)) {
            assertThat(KillRecordCodec.decode(again)).isEqualTo(r);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void spoolReplaysWhateverItFindsAndKeepsWhatComesAfter(byte[] onDisk) throws IOException {
        for (Path p : Files.list(DIR).toList()) {
            Files.delete(p);
        }
        Spool first = new Spool(DIR, "fuzz");
        Files.write(first.file(), onDisk);
        Spool spool = new Spool(DIR, "fuzz");
        spool.append(List.of(KNOWN));
        List<KillRecord> replayed = spool.takeForReplay();
        assertThat(replayed).isNotEmpty();
        assertThat(replayed.getLast()).isEqualTo(KNOWN);
        spool.replayDone();
        spool.close();
        first.close();
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("qs-journal-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
