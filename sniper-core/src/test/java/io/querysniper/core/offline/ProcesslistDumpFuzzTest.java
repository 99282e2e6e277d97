package io.querysniper.core.offline;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.querysniper.core.SniperException;
import io.querysniper.core.model.ServerSnapshot;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer: the {@code scan --from} dump reader on arbitrary text. It reads a dump or refuses it with a
 * {@link SniperException} (one line for the operator); nothing else escapes, and no session comes back
 * without a thread id it could be judged by. Regression inputs: {@code ProcesslistDumpFuzzTestInputs/}.
 */
class ProcesslistDumpFuzzTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @FuzzTest(maxDuration = "60s")
    void readsOrRefusesCleanly(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        ServerSnapshot snapshot;
        try {
            snapshot = ProcesslistDump.parse(text, "fuzz.txt", T);
        } catch (SniperException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(snapshot.sessions()).allSatisfy(s -> assertThat(s.threadId()).isNotNegative());
    }
}
