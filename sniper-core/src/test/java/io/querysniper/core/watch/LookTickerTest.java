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
    void looksDueWithinOneGridCellShareItsPoint() {
        long cellEnd = 7 * STEP;
        for (long due = 6 * STEP + 1; due <= cellEnd; due += STEP / 7) {
            assertThat(LookTicker.gridPoint(due - 1_000_000, Duration.ofMillis(1))).isEqualTo(cellEnd);
        }
        assertThat(LookTicker.gridPoint(cellEnd, Duration.ofNanos(1))).isEqualTo(cellEnd + STEP);
    }

    @Test
    void everyLookWakesAndNeverBeforeItIsDue() throws InterruptedException {
        List<long[]> woke = new CopyOnWriteArrayList<>(); // {due, woken}
        CountDownLatch all = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            Duration wait = Duration.ofMillis(5 + 3L * i);
            long due = System.nanoTime() + wait.toNanos();
            LookTicker.shared().wakeAfter(wait, () -> {
                woke.add(new long[] {due, System.nanoTime()});
                all.countDown();
            });
        }
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(woke).hasSize(20).allSatisfy(w -> assertThat(w[1]).isGreaterThanOrEqualTo(w[0]));
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
        sleeper.sleepForLook(Duration.ofSeconds(1)); // ended by the wake after ~20 ms
        long first = System.nanoTime() - start;
        waker.join();
        assertThat(Duration.ofNanos(first)).isLessThan(Duration.ofSeconds(1));

        long second = System.nanoTime();
        sleeper.sleepForLook(Duration.ofSeconds(2)); // the first wait's tick (at ~1 s) must not end this one
        assertThat(System.nanoTime() - second).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void aZeroWaitReturnsAtOnce() throws InterruptedException {
        long start = System.nanoTime();
        Sleeper.create().sleepForLook(Duration.ZERO);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1)); // no grid wait
    }
}
