package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;

/** The policy "which outcome is remembered for how long", one row per outcome and case. */
class OutcomeMemoryTest {
    private static final Duration FOREVER = Duration.ofDays(365 * 1000);

    /** outcome, by query id, errors in a row, expected memory (null: forgotten, FOREVER: while shown). */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(KillOutcome.KILLED, true, 0, s(60)),
                Arguments.of(KillOutcome.KILLED, false, 0, s(5)),
                Arguments.of(KillOutcome.GONE_ALREADY, true, 0, s(60)),
                Arguments.of(KillOutcome.GONE_ALREADY, false, 0, s(5)),
                Arguments.of(KillOutcome.NOT_PERMITTED, true, 0, FOREVER),
                Arguments.of(KillOutcome.LOGGED, false, 0, FOREVER),
                Arguments.of(KillOutcome.WOULD_KILL, false, 0, FOREVER),
                Arguments.of(KillOutcome.REFUSED_ROLLBACK_GUARD, false, 0, FOREVER),
                Arguments.of(KillOutcome.REFUSED_IDLE_SESSION, false, 0, FOREVER),
                // An error is tried again at the next look, then with a backoff, then left alone a minute.
                Arguments.of(KillOutcome.ERROR, true, 1, null),
                Arguments.of(KillOutcome.ERROR, true, 2, s(1)),
                Arguments.of(KillOutcome.ERROR, true, 3, s(2)),
                Arguments.of(KillOutcome.ERROR, true, 4, s(4)),
                Arguments.of(KillOutcome.ERROR, true, 5, s(8)),
                Arguments.of(KillOutcome.ERROR, true, 6, s(60)),
                Arguments.of(KillOutcome.ERROR, false, 9, s(60)),
                // Ownership lost at the kill, or a decision too old to send: the next look (or owner) decides.
                Arguments.of(KillOutcome.NOT_OWNER, true, 0, null),
                Arguments.of(KillOutcome.STALE, true, 0, null));
    }

    @ParameterizedTest(name = "{0} byQueryId={1} errors={2}")
    @MethodSource("table")
    void remembersEachOutcomeForItsTime(KillOutcome outcome, boolean byQueryId, int errors, Duration expected) {
        Instant until = OutcomeMemory.rememberUntil(outcome, byQueryId, errors, T0);
        if (expected == null) {
            assertThat(until).isNull();
        } else if (expected == FOREVER) {
            assertThat(until).isEqualTo(Instant.MAX);
        } else {
            assertThat(until).isEqualTo(T0.plus(expected));
        }
    }
}
