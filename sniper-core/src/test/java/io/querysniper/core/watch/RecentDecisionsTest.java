package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** What is remembered about a (thread, query, rule), until when, and when it is forgotten. */
class RecentDecisionsTest {
    private static final RecentDecisions.Key A = new RecentDecisions.Key(1, 5, "r");
    private static final RecentDecisions.Key B = new RecentDecisions.Key(2, 6, "r");

    @Test
    void rememberedUntilItsInstantExclusive() {
        RecentDecisions recent = new RecentDecisions();
        recent.remember(A, T0.plusSeconds(5));
        assertThat(recent.remembers(A, T0.plusSeconds(4))).isTrue();
        assertThat(recent.remembers(A, T0.plusSeconds(5))).isFalse();
        assertThat(recent.remembers(B, T0)).isFalse();
    }

    @Test
    void aLookKeepsOnlyWhatItSawAndWhatHasNotExpired() {
        RecentDecisions recent = new RecentDecisions();
        recent.remember(A, Instant.MAX);
        recent.remember(B, T0.plusSeconds(5));
        recent.retainOnly(Set.of(A, B), T0.plusSeconds(5));
        assertThat(recent.size()).isEqualTo(1);
        recent.retainOnly(Set.of(B), T0);
        assertThat(recent.size()).isZero();
        recent.remember(A, Instant.MAX);
        recent.forget(A);
        assertThat(recent.size()).isZero();
        assertThat(recent.remembers(A, T0)).isFalse();
    }
}
