package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WatchSpecTest {

    private static WatchSpec withKillConnections(int n) {
        return new WatchSpec("orders", s(1), ms(50), List.of(), Set.of(), 60, false, Set.of(), n);
    }

    @Test
    void oneKillConnectionIsEnoughAndNoneIsRejected() {
        assertThat(withKillConnections(1).maxKillConnections()).isEqualTo(1);
        assertThatThrownBy(() -> withKillConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxKillConnections must be >= 1: 0");
    }
}
