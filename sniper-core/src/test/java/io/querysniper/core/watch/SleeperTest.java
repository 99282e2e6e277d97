package io.querysniper.core.watch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * How a watcher waits: a long wait really waits (until its time or a wake), a wake ends it, and the look ticker
 * runs each wake once. Waits here are an hour long and ended by a wake, so nothing depends on the machine's speed.
 */
class SleeperTest {
    private static final Duration LONG = Duration.ofHours(1);

    /** Runs {@code wait} on a thread, checks it is really waiting, wakes it, and checks it ends. */
    private static void waitsUntilWoken(Sleeper sleeper, SleepCall wait) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Thread t = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    wait.run(sleeper);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(30, TimeUnit.SECONDS).until(() -> t.getState() == Thread.State.WAITING
                    || t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.TERMINATED);
            assertThat(t.getState()).as("an hour's wait still waits").isNotEqualTo(Thread.State.TERMINATED);
            sleeper.wake();
            t.join();
            sleeper.wake(); // the lock is free again: a second wake does not block
        });
    }

    private interface SleepCall {
        void run(Sleeper s) throws InterruptedException;
    }

    @Test
    void aLongSleepWaitsUntilWoken() {
        waitsUntilWoken(Sleeper.create(), s -> s.sleep(LONG));
    }

    @Test
    void aLongLookWaitWaitsUntilWoken() {
        waitsUntilWoken(Sleeper.create(), s -> s.sleepForLook(LONG));
    }

    @Test
    void aWakeBeforeTheWaitEndsTheNextWaitAtOnce() {
        Sleeper sleeper = Sleeper.create();
        sleeper.wake();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> sleeper.sleep(LONG));
    }

    @Test
    void aSleeperWithoutItsOwnLookWaitSleepsForTheLook() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        Sleeper plain = new Sleeper() {
            @Override
            public void sleep(Duration duration) {
                slept.add(duration);
            }

            @Override
            public void wake() {
            }
        };
        plain.sleepForLook(Duration.ofMillis(250));
        assertThat(slept).containsExactly(Duration.ofMillis(250));
    }

    @Test
    void aTickerOfItsOwnRunsEveryWakeOnceAndNeverEarly() {
        // A fresh ticker, not the shared one: its thread starts with the code under test.
        LookTicker ticker = new LookTicker();
        int n = 30;
        CountDownLatch all = new CountDownLatch(n);
        AtomicInteger runs = new AtomicInteger();
        List<long[]> woke = new java.util.concurrent.CopyOnWriteArrayList<>(); // {due, woken}
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < n; i++) {
                Duration wait = Duration.ofMillis(2L * i);
                long due = System.nanoTime() + wait.toNanos();
                ticker.wakeAfter(wait, () -> {
                    woke.add(new long[] {due, System.nanoTime()});
                    runs.incrementAndGet();
                    all.countDown();
                });
            }
            all.await();
            await().pollDelay(Duration.ofMillis(100)).atMost(10, TimeUnit.SECONDS).until(() -> true);
        });
        assertThat(runs.get()).as("each wake ran once").isEqualTo(n);
        assertThat(woke).allSatisfy(w -> assertThat(w[1]).isGreaterThanOrEqualTo(w[0]));
    }

    @Test
    void aLaterWakeForAnEarlierMomentIsNotHeldUpByTheOneBefore() throws InterruptedException {
        LookTicker ticker = new LookTicker();
        CountDownLatch late = new CountDownLatch(1);
        CountDownLatch soon = new CountDownLatch(1);
        ticker.wakeAfter(LONG, late::countDown);
        await().pollDelay(Duration.ofMillis(100)).atMost(30, TimeUnit.SECONDS).until(() -> true); // the ticker waits
        ticker.wakeAfter(Duration.ofMillis(5), soon::countDown);
        assertThat(soon.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(late.getCount()).isEqualTo(1);
    }

    @Test
    void aWakeThatFailsDoesNotStopTheTicker() throws InterruptedException {
        LookTicker ticker = new LookTicker();
        CountDownLatch after = new CountDownLatch(1);
        ticker.wakeAfter(Duration.ZERO, () -> {
            throw new IllegalStateException("a watcher's wake failed");
        });
        ticker.wakeAfter(Duration.ofMillis(20), after::countDown);
        assertThat(after.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWakeAddedWhileTheTickerWaitsForNothingStillRuns() throws InterruptedException {
        LookTicker ticker = new LookTicker();
        CountDownLatch first = new CountDownLatch(1);
        ticker.wakeAfter(Duration.ZERO, first::countDown);
        assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch second = new CountDownLatch(1);
        ticker.wakeAfter(Duration.ofMillis(5), second::countDown); // the queue is empty, the thread waits
        assertThat(second.await(30, TimeUnit.SECONDS)).isTrue();
    }
}
