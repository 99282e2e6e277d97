package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A lane that dies of an Error hands the KILLs still waiting to a new lane: none is left unsent. */
class KillLanesFailureTest {
    private static final ThreadFactory LANES = Thread.ofPlatform().daemon(true).name("test-kill-", 1)
            .uncaughtExceptionHandler((t, e) -> { }).factory();
    private static final ThreadFactory WATCH = Thread.ofVirtual().name("test-lanes-", 1).factory();

    private static KillLanes.Job job(String name, List<String> sent, boolean dies) {
        return new KillLanes.Job() {
            @Override
            public void awaitTurn() {
            }

            @Override
            public void send() {
                sent.add(name);
                if (dies) {
                    throw new AssertionError("a lane's thread dies");
                }
            }
        };
    }

    @Test
    void theKillsBehindALaneThatDiedAreStillSent() {
        KillLanes lanes = new KillLanes("orders", 1, Duration.ofSeconds(5), LANES, WATCH);
        List<String> sent = new CopyOnWriteArrayList<>();
        lanes.submit(List.of(job("dies", sent, true), job("next", sent, false), job("last", sent, false)));
        await().atMost(30, TimeUnit.SECONDS).until(() -> sent.size() == 3 && lanes.laneCount() == 0);
        assertThat(sent).containsExactly("dies", "next", "last");
        assertThat(lanes.waiting()).isZero();
    }

    @Test
    void aLaneThatCannotStartFailsTheSubmitAndLeavesNoLane() {
        ThreadFactory none = r -> {
            throw new IllegalStateException("no thread");
        };
        KillLanes lanes = new KillLanes("orders", 1, Duration.ofSeconds(5), none, WATCH);
        List<String> sent = new CopyOnWriteArrayList<>();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lanes.submit(List.of(job("a", sent, false))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(lanes.laneCount()).isZero();
    }
}
