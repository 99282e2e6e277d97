package io.querysniper.daemon.cli;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeArgTest {
    private final Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void agesCountBackFromNow() {
        assertThat(TimeArg.parse("90s", clock, "--since")).isEqualTo("2024-05-01T11:58:30Z");
        assertThat(TimeArg.parse("15m", clock, "--since")).isEqualTo("2024-05-01T11:45:00Z");
        assertThat(TimeArg.parse("1h", clock, "--since")).isEqualTo("2024-05-01T11:00:00Z");
        assertThat(TimeArg.parse("2d", clock, "--since")).isEqualTo("2024-04-29T12:00:00Z");
    }

    @Test
    void timesAreTakenAsWritten() {
        assertThat(TimeArg.parse("2024-04-30T08:15:00Z", clock, "--until")).isEqualTo("2024-04-30T08:15:00Z");
        assertThat(TimeArg.parse("2024-04-30T10:15:00+02:00", clock, "--until")).isEqualTo("2024-04-30T08:15:00Z");
        assertThat(TimeArg.parse("2024-04-30", clock, "--until")).isEqualTo("2024-04-30T00:00:00Z");
    }

    @Test
    void anythingElseIsBadUsage() {
        assertThatThrownBy(() -> TimeArg.parse("yesterday", clock, "--since"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--since: expected an age such as 90s, 15m, 1h, 2d, or a time such as "
                        + "2024-05-01T12:00:00Z or 2024-05-01, got 'yesterday'");
    }
}
