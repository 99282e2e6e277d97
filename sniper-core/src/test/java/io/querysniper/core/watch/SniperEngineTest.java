package io.querysniper.core.watch;

import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Real threads, real (short) waits: the lifecycle and the isolation of watchers. */
class SniperEngineTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();
    private final Clock clock = Clock.systemUTC();
    private final RecordingListener listener = new RecordingListener();

    private static WatchedDatabase db(String name, Duration interval, FakePort port) {
        return new WatchedDatabase(new WatchSpec(name, interval, ms(10), List.of(BUSY_30S), Set.of(), 60, false,
                Set.of()), port);
    }

    @Test
    void aStuckWatcherDelaysNoOtherAndCloseStaysWithinBound() {
        CountDownLatch never = new CountDownLatch(1);
        FakePort stuck = new FakePort(clock);
        stuck.onSnapshot = () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServerUnavailableException("interrupted", e);
            }
        };
        FakePort healthy = new FakePort(clock).showing(session(9).secs(31).build());
        java.util.Set<String> pollThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        healthy.onSnapshot = () -> pollThreads.add(Thread.currentThread().getName());
        SniperEngine engine = new SniperEngine("n1", List.of(db("a", ms(50), stuck), db("b", ms(50), healthy)),
                KillGate.ALWAYS, listener, clock);
        engine.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> !healthy.kills.isEmpty() && healthy.snapshots.get() >= 3);
        assertThat(pollThreads).containsExactly("sniper-b-poll"); // a named virtual thread of its own
        assertThat(engine.status().get("b").kills()).isEqualTo(1);
        assertThat(engine.status().get("b").lastLook()).isNotNull();
        assertThat(engine.status().get("a").lastLook()).isNull();

        long start = System.nanoTime();
        engine.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(stuck.closes.get()).isEqualTo(1);
        assertThat(healthy.closes.get()).isEqualTo(1);
        assertThat(engine.state()).isEqualTo(SniperEngine.State.CLOSED);
    }

    @Test
    void closeGivesUpOnAWatcherThatIgnoresInterrupts() {
        FakePort deaf = new FakePort(clock);
        CountDownLatch entered = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        deaf.onSnapshot = () -> {
            entered.countDown();
            while (!release.get()) {
                LockSupport.parkNanos(5_000_000); // ignores interrupts, like a JDBC call without a timeout
            }
        };
        SniperEngine engine = new SniperEngine("n1", List.of(db("deaf", ms(50), deaf)), KillGate.ALWAYS, listener,
                clock, Sleeper::create, ms(200));
        try {
            engine.start();
            await().atMost(5, TimeUnit.SECONDS).until(() -> entered.getCount() == 0);
            long start = System.nanoTime();
            engine.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(deaf.closes.get()).isEqualTo(1);
        } finally {
            release.set(true);
        }
    }

    @Test
    void lifecycleIsExplicitAndCloseIsIdempotent() {
        FakePort port = new FakePort(clock);
        SniperEngine engine = new SniperEngine("n1", List.of(db("a", ms(50), port)), KillGate.ALWAYS, listener, clock);
        assertThat(engine.state()).isEqualTo(SniperEngine.State.LATENT);
        engine.start();
        assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class);
        engine.close();
        engine.close();
        assertThat(port.closes.get()).isEqualTo(1);
        assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class);

        FakePort unused = new FakePort(clock);
        new SniperEngine("n1", List.of(db("b", ms(50), unused)), KillGate.ALWAYS, listener, clock).close();
        assertThat(unused.closes.get()).isEqualTo(1);
    }

    @Test
    void aDatabaseConfiguredTwiceIsRejected() {
        assertThatThrownBy(() -> new SniperEngine("n1", List.of(db("a", ms(50), new FakePort(clock)),
                db("a", ms(50), new FakePort(clock))), KillGate.ALWAYS, listener, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }

    @Test
    void aGateChangeWakesAWatcherAtOnce() {
        SwitchGate gate = new SwitchGate();
        gate.answer = n -> false;
        FakePort port = new FakePort(clock);
        try (SniperEngine engine = new SniperEngine("n1", List.of(db("a", Duration.ofHours(1), port)), gate, listener,
                clock)) {
            engine.start();
            await().atMost(5, TimeUnit.SECONDS).until(() -> gate.calls.get() >= 1);
            assertThat(port.snapshots.get()).isZero();
            gate.answer = n -> true;
            gate.fire("a");
            await().atMost(5, TimeUnit.SECONDS).until(() -> port.snapshots.get() >= 1);
            assertThat(engine.status().get("a").owner()).isTrue();
        }
    }

    @Test
    void scanOnceJudgesWithoutKilling() {
        FakePort port = new FakePort(clock).showing(session(1).secs(31).build(), session(2).secs(3).build());
        List<Verdict> verdicts = SniperEngine.scanOnce(db("a", s(1), port).spec(), port);
        assertThat(verdicts).extracting(v -> v.session().threadId()).containsExactly(1L);
        assertThat(port.kills).isEmpty();
    }
}
