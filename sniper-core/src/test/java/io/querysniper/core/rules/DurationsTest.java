package io.querysniper.core.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The spellings kill reasons carry ("busy 31.2s >= busy-time 30s"), at each unit's edges. */
class DurationsTest {

    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource({
            "0, 0ms",
            "450, 450ms",
            "999, 999ms",
            "1000, 1s",
            "1049, 1s",
            "1050, 1.1s",
            "31200, 31.2s",
            "59949, 59.9s",
            "60000, 1m",
            "61000, 1m1s",
            "125000, 2m5s",
            "3599000, 59m59s",
            "3600000, 1h",
            "3659000, 1h",
            "3660000, 1h1m",
            "7230000, 2h",
            "-450, -450ms",
            "-999, -999ms",
            "-1000, -1s",
            "-1500, -1.5s"})
    void humanSpellsEachRange(long ms, String expected) {
        assertThat(Durations.human(Duration.ofMillis(ms))).isEqualTo(expected);
    }

    @Test
    void noDurationIsADash() {
        assertThat(Durations.human(null)).isEqualTo("-");
    }
}
