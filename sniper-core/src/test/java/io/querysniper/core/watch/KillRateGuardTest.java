package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.watch.KillRateGuard.Decision.ALLOW;
import static io.querysniper.core.watch.KillRateGuard.Decision.PAUSED;
import static io.querysniper.core.watch.KillRateGuard.Decision.TRIP;
import static org.assertj.core.api.Assertions.assertThat;

class KillRateGuardTest {

    @Test
    void slidingMinuteAllowsTheLimitAndTripsAbove() {
        KillRateGuard g = new KillRateGuard(3);
        assertThat(g.acquire(T0)).isEqualTo(ALLOW);
        assertThat(g.acquire(T0.plusSeconds(20))).isEqualTo(ALLOW);
        assertThat(g.acquire(T0.plusSeconds(40))).isEqualTo(ALLOW);
        // the first kill left the window: room for one more
        assertThat(g.acquire(T0.plusSeconds(60))).isEqualTo(ALLOW);
        assertThat(g.acquire(T0.plusSeconds(61))).isEqualTo(TRIP);
        assertThat(g.isTripped(T0.plusSeconds(61))).isTrue();
        assertThat(g.acquire(T0.plusSeconds(120))).isEqualTo(PAUSED);
        Instant quiet = T0.plusSeconds(61).plus(KillRateGuard.WINDOW);
        assertThat(g.isTripped(quiet)).isFalse();
        assertThat(g.acquire(quiet)).isEqualTo(ALLOW);
    }

    @Test
    void zeroDisablesTheGuard() {
        KillRateGuard g = new KillRateGuard(0);
        for (int i = 0; i < 1000; i++) {
            assertThat(g.acquire(T0.plus(Duration.ofMillis(i)))).isEqualTo(ALLOW);
        }
    }
}
