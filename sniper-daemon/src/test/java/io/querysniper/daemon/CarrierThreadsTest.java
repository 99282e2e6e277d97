package io.querysniper.daemon;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Half the cores carry the virtual threads, at least one; an operator's own setting is never replaced. */
class CarrierThreadsTest {
    @Test
    void halfTheCoresAtLeastOne() {
        assertThat(CarrierThreads.carriers(1)).isEqualTo(1);
        assertThat(CarrierThreads.carriers(2)).isEqualTo(1);
        assertThat(CarrierThreads.carriers(3)).isEqualTo(1);
        assertThat(CarrierThreads.carriers(8)).isEqualTo(4);
        assertThat(CarrierThreads.carriers(64)).isEqualTo(32);
    }

    @Test
    void anOperatorsSettingWins() {
        String before = System.getProperty(CarrierThreads.PARALLELISM);
        try {
            System.setProperty(CarrierThreads.PARALLELISM, "3");
            assertThat(CarrierThreads.configure()).isEqualTo("3");
            assertThat(System.getProperty(CarrierThreads.PARALLELISM)).isEqualTo("3");
        } finally {
            if (before == null) {
                System.clearProperty(CarrierThreads.PARALLELISM);
            } else {
                System.setProperty(CarrierThreads.PARALLELISM, before);
            }
        }
    }
}
