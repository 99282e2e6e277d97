package io.querysniper.daemon;

import org.junit.jupiter.api.Test;

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
}
