package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Looks wake on a shared grid: never before they are due, at most one step after, together when due within
 * one step; a wake() ends a look wait at once, and the grid's tick for that wait does not end the next one.
 */
class LookTickerTest {
    private static final long STEP = LookTicker.STEP.toNanos();

    @Test
    void theGridPointIsTheFirstAtOrAfterTheDueInstant() {
        assertThat(LookTicker.gridPoint(0, Duration.ZERO)).isZero();
        assertThat(LookTicker.gridPoint(0, Duration.ofNanos(1))).isEqualTo(STEP);
        assertThat(LookTicker.gridPoint(STEP, Duration.ZERO)).isEqualTo(STEP);
        assertThat(LookTicker.gridPoint(STEP + 1, Duration.ofMillis(1000))).isEqualTo(STEP * 2 + 1_000_000_000L);
        assertThat(LookTicker.gridPoint(-STEP - 1, Duration.ZERO)).isEqualTo(-STEP); // nanoTime may be negative
        assertThat(LookTicker.gridPoint(5, Duration.ofMillis(-3))).isEqualTo(STEP); // a wait in the past: now
    }

    @Test
    void looksDueWithinOneStepWakeTogetherNeverEarlyAndAtMostAStepLate() throws InterruptedException {
        List<Long> woke = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(5);
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            LookTicker.shared().wakeAfter(Duration.ofMillis(30).plusNanos(i * 1000L), () -> {
                woke.add(System.nanoTime());
                all.countDown();
            });
        }
        assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
        long due = start + Duration.ofMillis(30).toNanos();
        assertThat(woke).hasSize(5).allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(due));
        // One grid point for all five: the ticker woke once and ran them back to back.
        assertThat(woke.stream().mapToLong(Long::longValue).max().getAsLong()
                - woke.stream().mapToLong(Long::longValue).min().getAsLong()).isLessThan(STEP);
    }

    @Test
    void aWakeEndsALookWaitAtOnceAndItsTickDoesNotEndTheNext() throws InterruptedException {
        Sleeper sleeper = Sleeper.create();
        long start = System.nanoTime();
        Thread waker = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sleeper.wake();
        });
        sleeper.sleepForLook(Duration.ofMillis(200)); // ended by the wake after ~20 ms
        long first = System.nanoTime() - start;
        waker.join();
        assertThat(Duration.ofNanos(first)).isLessThan(Duration.ofMillis(200));

        long second = System.nanoTime();
        sleeper.sleepForLook(Duration.ofMillis(400)); // the first wait's tick (at ~200 ms) must not end this one
        assertThat(System.nanoTime() - second).isGreaterThanOrEqualTo(Duration.ofMillis(400).toNanos());
    }

    @Test
    void aZeroWaitReturnsAtOnce() throws InterruptedException {
        long start = System.nanoTime();
        Sleeper.create().sleepForLook(Duration.ZERO);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1)); // no grid wait
    }
}
