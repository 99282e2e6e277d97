package io.querysniper.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StagesTest {

    @Test
    void closesInReverseOrderOnceAndGoesOnAfterAFailure() {
        List<String> closed = new ArrayList<>();
        Stages stages = new Stages();
        stages.add("zookeeper", () -> closed.add("zookeeper"));
        stages.add("journal", () -> {
            closed.add("journal");
            throw new IllegalStateException("stuck");
        });
        stages.add("engine", () -> closed.add("engine"));

        stages.closeAll();
        stages.closeAll();

        assertThat(closed).containsExactly("engine", "journal", "zookeeper");
        assertThat(stages.size()).isZero();
    }

    /** The stop watchdog is given the stages' bounds added up: what has started, each with its own bound. */
    @Test
    void theBoundIsTheSumOfWhatIsLeftToClose() {
        Stages stages = new Stages();
        assertThat(stages.bound()).isZero();
        stages.add("cluster node", Duration.ofSeconds(6), () -> { });
        stages.add("journal", Duration.ofSeconds(4), () -> { });
        stages.add("ports", () -> { });
        assertThat(stages.bound()).isEqualTo(Duration.ofSeconds(11));
        stages.closeAll();
        assertThat(stages.bound()).isZero();
    }
}
