package io.querysniper.core.watch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kill lanes: KILLs that answer go one after the other on one lane (side by side they make MariaDB's
 * KILLs of one pile-up sleep); a KILL stuck in the server lets the next go on another lane after the slow
 * bound, never more lanes than the cap; lanes are gone once nothing waits.
 */
class KillLanesTest {
    private static final ThreadFactory LANES = Thread.ofPlatform().daemon(true).name("test-kill-", 1).factory();
    private static final ThreadFactory WATCH = Thread.ofVirtual().name("test-lanes-", 1).factory();

    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseStuckKills() {
        release.countDown();
    }

    /** A job that records how many jobs run at once, and blocks until {@link #release} when told to. */
    private final class Probe implements KillLanes.Job {
        final AtomicInteger running;
        final AtomicInteger mostAtOnce;
        final List<String> order;
        final String name;
        final boolean stuck;

        Probe(String name, boolean stuck, AtomicInteger running, AtomicInteger mostAtOnce, List<String> order) {
            this.name = name;
            this.stuck = stuck;
            this.running = running;
            this.mostAtOnce = mostAtOnce;
            this.order = order;
        }

        @Override
        public void awaitTurn() {
        }

        @Override
        public void send() {
            int now = running.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            order.add(name);
            try {
                if (stuck) {
                    release.await();
                } else {
                    Thread.sleep(1); // a KILL's round trip
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
        }
    }

    @Test
    void killsThatAnswerGoOneAfterTheOtherInOrderOnOneLane() {
        // A slow bound no 1 ms KILL reaches even on a loaded machine: what opens a lane here is a bug.
        KillLanes lanes = new KillLanes("orders", 8, Duration.ofSeconds(5), LANES, WATCH);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        List<Probe> jobs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            jobs.add(new Probe("k" + i, false, running, most, order));
        }
        lanes.submit(jobs);

        await().atMost(10, TimeUnit.SECONDS).until(() -> order.size() == 50 && lanes.laneCount() == 0);
        assertThat(most.get()).as("KILLs side by side").isEqualTo(1);
        assertThat(order).containsExactlyElementsOf(jobs.stream().map(j -> j.name).toList());
        assertThat(lanes.waiting()).isZero();
    }

    @Test
    void aStuckKillLetsTheNextGoOnAnotherLaneAfterTheSlowBoundAndLanesAreCapped() {
        KillLanes lanes = new KillLanes("orders", 2, Duration.ofMillis(15), LANES, WATCH);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        lanes.submit(List.of(new Probe("stuck-1", true, running, most, order),
                new Probe("stuck-2", true, running, most, order),
                new Probe("fast", false, running, most, order)));

        // The first sticks; after 15 ms the second goes on a second lane and sticks too; the cap is 2.
        await().atMost(5, TimeUnit.SECONDS).until(() -> order.size() == 2);
        assertThat(order).containsExactly("stuck-1", "stuck-2");
        assertThat(lanes.laneCount()).isEqualTo(2);
        await().pollDelay(Duration.ofMillis(100)).atMost(5, TimeUnit.SECONDS).until(() -> true);
        assertThat(order).as("no third lane while two are stuck").hasSize(2);
        assertThat(lanes.waiting()).isEqualTo(1);

        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> order.size() == 3 && lanes.laneCount() == 0);
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void aLaneThatFinishedIsReplacedWhenKillsArriveLater() {
        KillLanes lanes = new KillLanes("orders", 1, Duration.ofMillis(15), LANES, WATCH);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 20; round++) {
            lanes.submit(List.of(new Probe("r" + round, false, running, most, order)));
            int done = round + 1;
            await().atMost(5, TimeUnit.SECONDS).until(() -> order.size() == done);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> lanes.laneCount() == 0);
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void awaitIdleReturnsOnceTheLastKillIsOutOrAtItsDeadline() throws InterruptedException {
        KillLanes lanes = new KillLanes("orders", 1, Duration.ofSeconds(5), LANES, WATCH);
        assertThat(lanes.awaitIdle(System.nanoTime())).as("no lane at all").isTrue();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        lanes.submit(List.of(new Probe("stuck", true, running, most, order)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> order.size() == 1);

        long start = System.nanoTime();
        assertThat(lanes.awaitIdle(start + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        assertThat(lanes.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
        assertThat(lanes.laneCount()).isZero();
    }
}
