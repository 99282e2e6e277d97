package io.querysniper.core.watch;

import io.querysniper.core.port.KillGate;
import io.querysniper.core.rules.Rule;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a config reload does to the engine: new rules from the next look, databases added and removed. */
class SniperEngineReloadTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();
    private static final Rule BUSY_5S = rule("shorter").busy(s(5)).build();
    private final Clock clock = Clock.systemUTC();
    private final RecordingListener listener = new RecordingListener();

    private static WatchedDatabase db(String name, Rule rule, FakePort port) {
        return new WatchedDatabase(new WatchSpec(name, ms(20), ms(10), List.of(rule), Set.of(), 60, false, Set.of()),
                port);
    }

    @Test
    void replacedRulesApplyFromTheNextLookOnTheSamePort() {
        FakePort port = new FakePort(clock).showing(session(7).secs(10).build());
        try (SniperEngine engine = new SniperEngine("n1", List.of(db("a", BUSY_30S, port)), KillGate.ALWAYS, listener,
                clock)) {
            engine.start();
            await().atMost(5, TimeUnit.SECONDS).until(() -> port.snapshots.get() >= 3);
            assertThat(port.kills).as("10 s is under the 30 s limit").isEmpty();

            engine.replace(db("a", BUSY_5S, port));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !port.kills.isEmpty());
            assertThat(port.kills.get(0).threadId()).isEqualTo(7);
            assertThat(port.closes.get()).as("the same port goes on: no reconnect for a rule change").isZero();
        }
        assertThat(port.closes.get()).isEqualTo(1);
    }

    @Test
    void aReplacedPortIsClosedAndTheNewOneLooks() {
        FakePort old = new FakePort(clock);
        FakePort fresh = new FakePort(clock);
        try (SniperEngine engine = new SniperEngine("n1", List.of(db("a", BUSY_30S, old)), KillGate.ALWAYS, listener,
                clock)) {
            engine.start();
            await().atMost(5, TimeUnit.SECONDS).until(() -> old.snapshots.get() >= 1);
            engine.replace(db("a", BUSY_30S, fresh));
            assertThat(old.closes.get()).isEqualTo(1);
            int before = old.snapshots.get();
            await().atMost(5, TimeUnit.SECONDS).until(() -> fresh.snapshots.get() >= 2);
            assertThat(old.snapshots.get()).as("the old watcher stopped before the new one started").isEqualTo(before);
        }
    }

    @Test
    void addedDatabasesAreWatchedAndRemovedOnesStopAndCloseTheirPort() {
        FakePort a = new FakePort(clock);
        FakePort b = new FakePort(clock).showing(session(9).secs(31).build());
        try (SniperEngine engine = new SniperEngine("n1", List.of(db("a", BUSY_30S, a)), KillGate.ALWAYS, listener,
                clock)) {
            engine.start();
            engine.add(db("b", BUSY_30S, b));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !b.kills.isEmpty());
            assertThat(engine.status()).containsOnlyKeys("a", "b");
            assertThat(engine.status("b").kills()).isEqualTo(1);

            assertThat(engine.remove("a")).isTrue();
            assertThat(a.closes.get()).isEqualTo(1);
            int before = a.snapshots.get();
            await().pollDelay(Duration.ofMillis(100)).atMost(5, TimeUnit.SECONDS).until(() -> true);
            assertThat(a.snapshots.get()).isEqualTo(before);
            assertThat(engine.status()).containsOnlyKeys("b");
            assertThat(engine.status("a")).isNull();
            assertThat(engine.remove("a")).isFalse();
        }
        assertThat(b.closes.get()).isEqualTo(1);
        assertThat(a.closes.get()).as("closed once, by the removal").isEqualTo(1);
    }
}
