package io.querysniper.core.watch;

import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.port.ServerUnavailableException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;

/** The backoff of a run of failed looks: it doubles while the failure stays the same kind, and restarts when not. */
class FailureStreakTest {
    private final FailureStreak streak = new FailureStreak(
            new WatchSpec("orders", s(1), ms(50), List.of(), Set.of(), 60, false, Set.of()));

    private static ServerUnavailableException down() {
        return new ServerUnavailableException("connection refused", null);
    }

    @Test
    void anotherKindOfFailureStartsTheBackoffAgain() {
        assertThat(streak.failed(down(), T0)).isEqualTo(s(1));
        assertThat(streak.failed(down(), T0)).isEqualTo(s(2));
        assertThat(streak.failed(new IllegalStateException("driver bug"), T0)).isEqualTo(s(1));
        assertThat(streak.health()).as("an adapter bug says nothing about the server").isEqualTo(WatcherStatus.Health.DOWN);
        assertThat(streak.failed(new IllegalStateException("driver bug"), T0)).isEqualTo(s(2));
        assertThat(streak.failed(down(), T0)).isEqualTo(s(1));
        assertThat(streak.failed(new ServerSlowException("statement timeout", null), T0)).isEqualTo(s(1));
        assertThat(streak.health()).isEqualTo(WatcherStatus.Health.SLOW);
        assertThat(streak.failed(down(), T0)).isEqualTo(s(1));
    }

    @Test
    void aFailureWithoutMessageIsNamedByItsClass() {
        streak.failed(new IllegalStateException(), T0);
        assertThat(streak.lastError()).isEqualTo("IllegalStateException");
        streak.recovered(T0);
        assertThat(streak.lastError()).isNull();
        assertThat(streak.health()).isEqualTo(WatcherStatus.Health.UP);
    }
}
