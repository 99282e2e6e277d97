package io.querysniper.core.watch;

import io.querysniper.core.port.KillGate;
import io.querysniper.core.rules.Rule;
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
 * The engine after close and under an interrupted caller: ports it is handed are closed, interrupts are kept,
 * and a KILL in flight gets the stop timeout before its port is closed under it.
 */
class SniperEngineClosedTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();
    private final Clock clock = Clock.systemUTC();
    private final RecordingListener listener = new RecordingListener();

    private static WatchedDatabase db(String name, FakePort port) {
        return new WatchedDatabase(new WatchSpec(name, ms(20), ms(10), List.of(BUSY_30S), Set.of(), 60, false,
                Set.of()), port);
    }

    private SniperEngine engine(FakePort port) {
        return new SniperEngine("n1", List.of(db("a", port)), KillGate.ALWAYS, listener, clock, Sleeper::create,
                Duration.ofSeconds(60));
    }

    @Test
    void aDatabaseAddedOrReplacedAfterCloseHasItsPortClosed() {
        FakePort a = new FakePort(clock);
        SniperEngine engine = engine(a);
        engine.start();
        engine.close();
        FakePort added = new FakePort(clock);
        engine.add(db("b", added));
        assertThat(added.closes.get()).isEqualTo(1);
        assertThat(engine.status()).containsOnlyKeys("a");
        FakePort replacement = new FakePort(clock);
        engine.replace(db("a", replacement));
        assertThat(replacement.closes.get()).isEqualTo(1);
        assertThat(replacement.snapshots.get()).isZero();
    }

    @Test
    void anInterruptedCallerKeepsItsInterruptThroughRemoveAndClose() {
        FakePort a = new FakePort(clock);
        FakePort b = new FakePort(clock);
        SniperEngine engine = engine(a);
        engine.start();
        engine.add(db("b", b));
        Thread.currentThread().interrupt();
        try {
            assertThat(engine.remove("a")).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).as("after remove").isTrue();
            assertThat(a.closes.get()).isEqualTo(1);
            engine.close();
            assertThat(Thread.currentThread().isInterrupted()).as("after close").isTrue();
            assertThat(b.closes.get()).isEqualTo(1);
        } finally {
            Thread.interrupted();
            engine.close();
        }
    }

    @Test
    void closeWaitsForAKillInFlightBeforeClosingItsPort() throws InterruptedException {
        CountDownLatch answer = new CountDownLatch(1);
        FakePort port = new FakePort(clock).showing(session(1).secs(31).build());
        port.killer = r -> {
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return io.querysniper.core.kill.KillResult.killed();
        };
        SniperEngine engine = engine(port);
        engine.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !port.kills.isEmpty());
        Thread closer = Thread.ofVirtual().start(engine::close);
        await().pollDelay(Duration.ofMillis(300)).atMost(10, TimeUnit.SECONDS).until(() -> true);
        assertThat(port.closes.get()).as("the KILL has not answered: its connection stays open").isZero();
        answer.countDown();
        closer.join();
        assertThat(port.closes.get()).isEqualTo(1);
        assertThat(listener.records).extracting(io.querysniper.core.kill.KillRecord::outcome)
                .contains(io.querysniper.core.kill.KillOutcome.KILLED);
    }
}
