package io.querysniper.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TimingTest {

    @Test
    void theSystemPropertyWinsOverTheEnvironmentAndNeitherMeansTheDefault() {
        assertThat(Timing.parse("3", "5")).isEqualTo(3.0);
        assertThat(Timing.parse(null, "5")).isEqualTo(5.0);
        assertThat(Timing.parse(" ", "1.5")).isEqualTo(1.5);
        assertThat(Timing.parse(null, null)).isEqualTo(Timing.DEFAULT_FACTOR);
        assertThat(Timing.parse("", "")).isEqualTo(Timing.DEFAULT_FACTOR);
    }

    @Test
    void aFactorBelowOneOrNotANumberIsRefusedWithItsSource() {
        assertThatThrownBy(() -> Timing.parse("0.5", null)).hasMessage("qs.timing.factor must be a number >= 1, was 0.5");
        assertThatThrownBy(() -> Timing.parse(null, "fast")).hasMessage("QS_TIMING_FACTOR is not a number: fast");
        assertThatThrownBy(() -> Timing.parse("NaN", null)).hasMessageContaining("must be a number >= 1");
    }

    @Test
    void boundsAreScaledByTheFactorInUse() {
        assertThat(Timing.millis(100)).isEqualTo(Duration.ofNanos((long) (100_000_000L * Timing.factor())));
        assertThat(Timing.seconds(2)).isEqualTo(Timing.scaled(Duration.ofSeconds(2)));
        assertThat(Timing.factor()).isEqualTo(Timing.parse(System.getProperty(Timing.PROPERTY), System.getenv(Timing.ENV)));
        assertThat(Timing.describe()).contains(Timing.PROPERTY).contains(Timing.ENV);
    }
}
