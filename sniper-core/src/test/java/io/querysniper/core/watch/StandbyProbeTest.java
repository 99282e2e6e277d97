package io.querysniper.core.watch;

import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The standby probe and its merge into a watcher's status, with a fake port, a hand-moved clock and pings run by hand. */
class StandbyProbeTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PingPort port = new PingPort();
    private final HandRunner runner = new HandRunner();
    private final StandbyProbe probe = new StandbyProbe(port, clock, INTERVAL, TIMEOUT, runner);

    @Test
    void aReachableServerIsReachableAndAskedOncePerInterval() {
        assertThat(probe.latest()).as("nothing known before the first answer").isNull();
        probe.tick();
        assertThat(runner.runAll()).isEqualTo(1);
        assertThat(probe.latest().reachable()).isTrue();
        assertThat(probe.latest().checkedAt()).isEqualTo(clock.instant());

        for (int s = 1; s < 10; s++) {
            clock.advance(Duration.ofSeconds(1));
            probe.tick();
        }
        assertThat(runner.runAll()).as("not due before the interval").isZero();
        clock.advance(Duration.ofSeconds(1));
        probe.tick();
        assertThat(runner.runAll()).isEqualTo(1);
        assertThat(port.pings).isEqualTo(2);
    }

    @Test
    void anUnreachableServerIsUnreachableWithItsReason() {
        port.down = true;
        probe.tick();
        runner.runAll();
        assertThat(probe.latest().reachable()).isFalse();
        assertThat(probe.latest().error()).contains("Connection refused");
    }

    @Test
    void aFlappingServerIsWhatItsLastAnswerSays() {
        List<Boolean> downs = List.of(false, true, false, true, true, false);
        for (boolean down : downs) {
            port.down = down;
            probe.tick();
            runner.runAll();
            assertThat(probe.latest().reachable()).as("down=%s", down).isEqualTo(!down);
            clock.advance(INTERVAL);
        }
        assertThat(port.pings).isEqualTo(downs.size());
    }

    @Test
    void aPingWithoutAnswerTimesOutIsNeverRepeatedWhileItHangsAndItsLateAnswerIsIgnored() {
        probe.tick(); // started, but the server does not answer: the ping stays with the runner
        clock.advance(TIMEOUT.minusMillis(1));
        probe.tick();
        assertThat(probe.latest()).as("still within the time-out").isNull();
        clock.advance(Duration.ofMillis(1));
        probe.tick();
        assertThat(probe.latest().reachable()).isFalse();
        assertThat(probe.latest().error()).isEqualTo("no answer within 5s");

        clock.advance(INTERVAL.multipliedBy(3));
        probe.tick();
        assertThat(runner.pending()).as("one ping at a time: a hanging server is not asked again").isEqualTo(1);

        runner.runAll(); // the late answer (reachable) does not count
        assertThat(probe.latest().reachable()).isFalse();
        probe.tick(); // due long ago: asked again at once
        runner.runAll();
        assertThat(probe.latest().reachable()).isTrue();
        assertThat(port.pings).isEqualTo(2);
    }

    @Test
    void forgetDropsTheAnswerAndAsksAgainAtTheNextTick() {
        probe.tick();
        runner.runAll();
        probe.forget();
        assertThat(probe.latest()).isNull();
        probe.tick();
        assertThat(runner.runAll()).isEqualTo(1);
        assertThat(probe.latest().reachable()).isTrue();
    }

    @Test
    void probesPingOnlyTheDatabasesThisNodeDoesNotOwnAndMergeTheAnswer() {
        Map<String, WatcherStatus> watchers = new HashMap<>();
        watchers.put("owned", status("owned", true, WatcherStatus.Health.UP, null));
        watchers.put("standby", status("standby", false, WatcherStatus.Health.UP, null));
        PingPort owned = new PingPort();
        Map<String, ServerPort> ports = Map.of("owned", owned, "standby", port);
        Collection<String> dbs = List.of("owned", "standby");
        StandbyProbes probes = new StandbyProbes(() -> dbs, watchers::get, ports::get, clock, Sleeper.create(),
                INTERVAL, TIMEOUT, runner);

        // Before the first answer a standby that never looked is not known to be reachable.
        assertThat(probes.status("standby").up()).isFalse();
        assertThat(probes.status("standby").lastError()).isEqualTo(StandbyProbes.NOT_CHECKED);
        probes.tickAll();
        runner.runAll();
        assertThat(owned.pings).as("an owned database is its watcher's business").isZero();
        assertThat(port.pings).isEqualTo(1);
        assertThat(probes.status("standby").up()).isTrue();
        assertThat(probes.status("owned")).isSameAs(watchers.get("owned"));

        port.down = true;
        clock.advance(INTERVAL);
        probes.tickAll();
        runner.runAll();
        WatcherStatus s = probes.status("standby");
        assertThat(s.up()).isFalse();
        assertThat(s.health()).isEqualTo(WatcherStatus.Health.DOWN);
        assertThat(s.owner()).isFalse();

        // It becomes the owner: the watcher's own status again, and the old answer is forgotten.
        watchers.put("standby", status("standby", true, WatcherStatus.Health.UP, Instant.EPOCH));
        probes.tickAll();
        assertThat(probes.status("standby").up()).isTrue();
        watchers.put("standby", status("standby", false, WatcherStatus.Health.UP, Instant.EPOCH));
        assertThat(probes.status("standby").up()).as("its last look as owner, until the next ping").isTrue();
    }

    @Test
    void forgetWhileAPingIsInFlightLeavesItsLateAnswerUncounted() {
        probe.tick();
        probe.forget(); // it became the owner while the ping was out
        assertThat(runner.runAll()).isEqualTo(1);
        assertThat(probe.latest()).as("an answer asked for as a standby says nothing now").isNull();
        probe.tick();
        assertThat(runner.runAll()).as("the next tick asks again").isEqualTo(1);
        assertThat(probe.latest().reachable()).isTrue();
    }

    @Test
    void aPingThatCannotStartIsAnUnreachableAnswerNotAnException() {
        StandbyProbe refused = new StandbyProbe(port, clock, INTERVAL, TIMEOUT, command -> {
            throw new RejectedExecutionException("no thread");
        });
        refused.tick();
        assertThat(refused.latest().reachable()).isFalse();
        assertThat(refused.latest().error()).contains("cannot start a check").contains("no thread");
        clock.advance(INTERVAL);
        refused.tick();
        assertThat(refused.latest().checkedAt()).as("not stuck in flight: tried again").isEqualTo(clock.instant());
    }

    @Test
    void aProbeKeepsItsAnswerWhileItsPortStaysAndStartsOverWithANewPortOrNone() {
        Map<String, WatcherStatus> watchers = Map.of("standby", status("standby", false, WatcherStatus.Health.UP, null));
        Map<String, ServerPort> ports = new HashMap<>(Map.of("standby", port));
        StandbyProbes probes = new StandbyProbes(() -> List.of("standby"), watchers::get, ports::get, clock,
                Sleeper.create(), INTERVAL, TIMEOUT, runner);
        probes.tickAll();
        runner.runAll();
        clock.advance(Duration.ofSeconds(1));
        probes.tickAll();
        assertThat(runner.pending()).as("not due again within the interval").isZero();
        assertThat(probes.status("standby").up()).as("the same port: the same probe, its answer kept").isTrue();

        ports.put("standby", new PingPort()); // a reload gave it a new login
        probes.tickAll();
        assertThat(probes.status("standby").lastError()).as("a new port's probe knows nothing yet")
                .isEqualTo(StandbyProbes.NOT_CHECKED);
        assertThat(runner.runAll()).as("and asks at once").isEqualTo(1);
        assertThat(probes.status("standby").up()).isTrue();

        ports.remove("standby"); // no port (being replaced): no probe, no stale answer
        probes.tickAll();
        assertThat(probes.status("standby").lastError()).isEqualTo(StandbyProbes.NOT_CHECKED);
    }

    @Test
    void aDatabaseNoLongerConfiguredLosesItsProbe() {
        Map<String, WatcherStatus> watchers = Map.of("standby", status("standby", false, WatcherStatus.Health.UP, null));
        List<String> configured = new ArrayList<>(List.of("standby"));
        StandbyProbes probes = new StandbyProbes(() -> List.copyOf(configured), watchers::get, Map.of("standby", port)::get,
                clock, Sleeper.create(), INTERVAL, TIMEOUT, runner);
        probes.tickAll();
        runner.runAll();
        assertThat(probes.status("standby").up()).isTrue();
        configured.clear(); // removed by a reload (its watcher may linger a moment)
        probes.tickAll();
        assertThat(probes.status("standby").up()).isFalse();
        assertThat(probes.status("standby").lastError()).isEqualTo(StandbyProbes.NOT_CHECKED);
    }

    @Test
    void startedProbesTickOnTheirOwnThreadUntilClosed() {
        Map<String, WatcherStatus> watchers = Map.of("standby", status("standby", false, WatcherStatus.Health.UP, null));
        StandbyProbes probes = new StandbyProbes(() -> List.of("standby"), watchers::get, Map.of("standby", port)::get,
                Clock.systemUTC(), Sleeper.create(), Duration.ZERO, TIMEOUT, Runnable::run);
        probes.start();
        try {
            await().atMost(30, TimeUnit.SECONDS).until(() -> port.pings >= 2);
            assertThat(probes.status("standby").up()).isTrue();
        } finally {
            probes.close();
        }
        int after = port.pings;
        await().pollDelay(Duration.ofMillis(1500)).atMost(30, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(port.pings).as("no tick after close").isLessThanOrEqualTo(after + 1));
    }

    private static WatcherStatus status(String db, boolean owner, WatcherStatus.Health health, Instant lastLook) {
        return new WatcherStatus(db, lastLook, health != WatcherStatus.Health.DOWN, owner, null, 0, false, health);
    }

    /** Runs the pings when the test says so (a ping not run is a server that has not answered yet). */
    private static final class HandRunner implements Executor {
        private final Deque<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            queue.add(command);
        }

        int pending() {
            return queue.size();
        }

        int runAll() {
            int n = 0;
            for (Runnable r; (r = queue.poll()) != null; n++) {
                r.run();
            }
            return n;
        }
    }

    /** A port that only answers pings: up, or refusing connections. */
    private static final class PingPort implements ServerPort {
        volatile boolean down;
        volatile int pings;

        @Override
        public void ping() {
            pings++;
            if (down) {
                throw new ServerUnavailableException("database 'shop' is unavailable: Connection refused", null);
            }
        }

        @Override
        public ServerSnapshot snapshot(StatusNeeds needs) {
            throw new AssertionError("a probe never looks");
        }

        @Override
        public KillResult kill(KillRequest request) {
            throw new AssertionError("a probe never kills");
        }

        @Override
        public void close() {
        }
    }
}
