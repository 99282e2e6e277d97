package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.rules.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A watcher whose thread is stuck in a look (held by a latch, deaf to interrupts) and a batch whose KILLs answer
 * at different times: real threads, but every assertion waits for an event, never for a duration.
 */
class DatabaseWatcherStuckTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();
    private final Clock clock = Clock.systemUTC();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseEverything() {
        release.countDown();
    }

    /** A port whose next snapshots hold the calling thread until {@link #release}, whatever interrupts it. */
    private FakePort stuckPort() {
        FakePort port = new FakePort(clock);
        port.onSnapshot = () -> {
            boolean interrupted = false;
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        };
        return port;
    }

    private static WatchedDatabase db(String name, FakePort port) {
        return new WatchedDatabase(new WatchSpec(name, ms(20), ms(10), List.of(BUSY_30S), Set.of(), 60, false,
                Set.of()), port);
    }

    @Test
    void joinSaysNoWhileTheThreadIsStillInItsLook() throws InterruptedException {
        FakePort port = stuckPort();
        DatabaseWatcher w = new DatabaseWatcher("n1", db("a", port), KillGate.ALWAYS, new RecordingListener(), clock,
                Sleeper.create());
        w.start();
        await().atMost(30, TimeUnit.SECONDS).until(() -> port.snapshots.get() >= 1);
        w.stop();
        assertThat(w.join(ms(50))).as("the thread cannot have ended: it is held in its look").isFalse();
        release.countDown();
        assertThat(w.join(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void removeByAnInterruptedCallerKeepsTheInterruptWhileTheWatcherIsStuck() {
        FakePort port = stuckPort();
        SniperEngine engine = new SniperEngine("n1", List.of(db("a", port)), KillGate.ALWAYS, new RecordingListener(),
                clock, Sleeper::create, Duration.ofSeconds(30));
        engine.start();
        await().atMost(30, TimeUnit.SECONDS).until(() -> port.snapshots.get() >= 1);
        Thread.currentThread().interrupt();
        try {
            assertThat(engine.remove("a")).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
            release.countDown();
            engine.close();
        }
    }

    @Test
    void theRecordsOfFastKillsAreNotHeldBackByASlowOne() {
        FakePort port = new FakePort(clock).showing(session(1).secs(40).build(), session(2).secs(31).build());
        port.killer = r -> {
            if (r.threadId() == 2) { // the second KILL of the batch sticks in the server
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return KillResult.killed();
        };
        RecordingListener listener = new RecordingListener();
        // An interval long enough that no KILL goes stale on a loaded machine.
        WatchedDatabase slowLooks = new WatchedDatabase(new WatchSpec("a", s(30), ms(10), List.of(BUSY_30S), Set.of(),
                60, false, Set.of()), port);
        DatabaseWatcher w = new DatabaseWatcher("n1", slowLooks, KillGate.ALWAYS, listener, clock, Sleeper.create(), 2);
        try {
            w.lookOnce();
            await().atMost(30, TimeUnit.SECONDS).until(() -> listener.records.stream().anyMatch(r -> r.threadId() == 1));
            release.countDown();
            await().atMost(30, TimeUnit.SECONDS).until(() -> listener.records.size() == 2);
            assertThat(listener.records).extracting(KillRecord::threadId).containsExactlyInAnyOrder(1L, 2L);
            assertThat(listener.records).extracting(KillRecord::outcome).containsOnly(KillOutcome.KILLED);
        } finally {
            release.countDown();
            w.close();
        }
    }
}
