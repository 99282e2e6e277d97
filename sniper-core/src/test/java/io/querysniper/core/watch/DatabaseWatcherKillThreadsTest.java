package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.rules.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * KILLs on kill threads: a KILL that blocks inside the server (a latch here) delays neither the next
 * look nor the other victims, is never sent twice, is fenced on its own thread, and close stays bounded.
 */
class DatabaseWatcherKillThreadsTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();

    private final RecordingListener listener = new RecordingListener();
    private final SwitchGate gate = new SwitchGate();
    /** Released at the end of every test so no kill thread stays parked. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<DatabaseWatcher> watchers = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        for (DatabaseWatcher w : watchers) {
            w.stop();
            w.join(Duration.ofSeconds(5));
        }
    }

    private DatabaseWatcher watcher(FakePort port, Clock clock, Duration interval, int killThreads) {
        return watcher(port, clock, interval, killThreads, KillDispatcher.FINAL_HOLD);
    }

    private DatabaseWatcher watcher(FakePort port, Clock clock, Duration interval, int killThreads, Duration hold) {
        WatchSpec spec = new WatchSpec("orders", interval, ms(10), List.of(BUSY_30S), Set.of(), 60, false, Set.of());
        DatabaseWatcher w = new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, listener, clock,
                Sleeper.create(), killThreads, hold);
        watchers.add(w);
        return w;
    }

    /** Blocks the kill of {@code threadId} until {@link #release}; other kills succeed and their session goes. */
    private KillResult blockOn(FakePort port, long threadId, KillRequest r, CountDownLatch entered) {
        if (r.threadId() == threadId) {
            entered.countDown();
            awaitRelease();
        }
        synchronized (port) {
            port.sessions = port.sessions.stream().filter(x -> x.threadId() != r.threadId()).toList();
        }
        return KillResult.killed();
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long killsOf(FakePort port, long threadId) {
        return port.kills.stream().filter(k -> k.threadId() == threadId).count();
    }

    private List<Long> killed() {
        return listener.records.stream().filter(r -> r.outcome() == KillOutcome.KILLED).map(KillRecord::threadId)
                .toList();
    }

    @Test
    void aBlockedKillDelaysNeitherTheNextLookNorTheOtherVictims() {
        Clock clock = Clock.systemUTC();
        FakePort port = new FakePort(clock);
        CountDownLatch entered = new CountDownLatch(1);
        List<String> killThreads = new CopyOnWriteArrayList<>();
        port.killer = r -> {
            killThreads.add(Thread.currentThread().getName());
            return blockOn(port, 1, r, entered);
        };
        // Oldest first: thread 1's KILL is dispatched first and blocks.
        port.showing(session(1).secs(40).build(), session(2).secs(35).build(), session(3).secs(31).build());
        DatabaseWatcher w = watcher(port, clock, ms(50), WatchSpec.DEFAULT_MAX_KILL_CONNECTIONS);
        w.start();

        await().atMost(5, TimeUnit.SECONDS).until(() -> entered.getCount() == 0 && killed().size() == 2);
        assertThat(killed()).containsExactlyInAnyOrder(2L, 3L);
        int looksSoFar = port.snapshots.get();
        port.showing(session(1).secs(41).build(), session(4).secs(31).build()); // a new victim meanwhile
        await().atMost(5, TimeUnit.SECONDS).until(() -> port.snapshots.get() >= looksSoFar + 3
                && killed().contains(4L));
        assertThat(killsOf(port, 1)).as("the blocked kill is never sent twice").isEqualTo(1);
        assertThat(w.killsInFlight()).isEqualTo(1);
        assertThat(killThreads).isNotEmpty().allMatch(n -> n.startsWith("sniper-orders-kill-"));

        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> killed().contains(1L));
        assertThat(w.killsInFlight()).isZero();
        assertThat(killsOf(port, 1)).isEqualTo(1);
        assertThat(w.status().kills()).isEqualTo(4);
        // Write-ahead on the kill thread: every final record has an intent with the same id.
        assertThat(listener.intents).extracting(KillRecord::id)
                .containsExactlyInAnyOrderElementsOf(listener.records.stream().map(KillRecord::id).toList());
    }

    /** Three victims of one look; the KILL of thread 1 blocks in the server until {@link #release}. */
    private record OneStuck(FakePort port, DatabaseWatcher watcher, CountDownLatch entered) {
    }

    private OneStuck threeVictimsOneStuck(Duration finalHold) {
        Clock clock = Clock.systemUTC();
        FakePort port = new FakePort(clock);
        CountDownLatch entered = new CountDownLatch(1);
        port.killer = r -> blockOn(port, 1, r, entered);
        port.showing(session(1).secs(40).build(), session(2).secs(35).build(), session(3).secs(31).build());
        DatabaseWatcher w = watcher(port, clock, ms(50), WatchSpec.DEFAULT_MAX_KILL_CONNECTIONS, finalHold);
        w.start();
        return new OneStuck(port, w, entered);
    }

    @Test
    void finalRecordsWaitWhileTheDatabasesKillsGoOutThenGoTogether() {
        OneStuck t = threeVictimsOneStuck(Duration.ofMinutes(1));

        await().atMost(5, TimeUnit.SECONDS).until(() -> t.entered().getCount() == 0
                && killsOf(t.port(), 2) == 1 && killsOf(t.port(), 3) == 1);
        // 2 and 3 have answered; 1 is still inside the server: no record yet, not even theirs.
        await().during(200, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(listener.records::isEmpty);
        assertThat(listener.intents).hasSize(3);

        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> listener.records.size() == 3);
        assertThat(killed()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(listener.recordBatches).containsExactly(3);
    }

    @Test
    void aKillStuckPastTheHoldDoesNotHoldTheOtherRecords() {
        OneStuck t = threeVictimsOneStuck(ms(100));

        await().atMost(5, TimeUnit.SECONDS).until(() -> killed().size() == 2);
        assertThat(t.entered().getCount()).isZero();
        assertThat(killed()).containsExactlyInAnyOrder(2L, 3L);
        assertThat(t.watcher().killsInFlight()).as("1 is still inside the server").isEqualTo(1);
        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> killed().size() == 3);
        assertThat(listener.recordBatches).containsExactly(2, 1);
    }

    @Test
    void anInFlightKillIsNotSentAgainAndIsRememberedFromWhenItLanded() {
        MutableClock clock = new MutableClock(T0);
        FakePort port = new FakePort(clock).showing(session(1).queryId(5).secs(31).build());
        CountDownLatch entered = new CountDownLatch(1);
        port.killer = r -> {
            entered.countDown();
            awaitRelease();
            return KillResult.killed();
        };
        DatabaseWatcher w = watcher(port, clock, s(1), 1);
        w.lookOnce();
        await().atMost(5, TimeUnit.SECONDS).until(() -> entered.getCount() == 0);
        clock.advance(DatabaseWatcher.KILL_MEMORY.multipliedBy(2)); // in flight far longer than the memory
        w.lookOnce();
        w.lookOnce();
        assertThat(port.kills).hasSize(1);
        assertThat(listener.intents).hasSize(1);

        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> listener.records.size() == 1);
        clock.advance(DatabaseWatcher.SAME_STATEMENT_MEMORY.minus(ms(1)));
        w.lookOnce(); // the server still shows it (same query id) after the kill landed
        assertThat(port.kills).hasSize(1);
        clock.advance(ms(1));
        w.lookOnce(); // still there a whole memory after it landed: try again
        await().atMost(5, TimeUnit.SECONDS).until(() -> port.kills.size() == 2);
    }

    @Test
    void ownershipLostBetweenDispatchAndKillMeansNotOwnerAndNoKill() {
        MutableClock clock = new MutableClock(T0);
        FakePort port = new FakePort(clock).showing(session(1).secs(31).build());
        // The loop's check and the batch's check say yes; the fence the adapter asks right before the KILL
        // (after the write-ahead) says no: the watcher must hand the adapter the real fence.
        gate.answer = n -> n <= 2;
        DatabaseWatcher w = watcher(port, clock, s(1), 1);
        w.lookOnce();
        await().atMost(5, TimeUnit.SECONDS).until(() -> listener.records.size() == 1);
        assertThat(listener.outcomes()).containsExactly(KillOutcome.NOT_OWNER);
        assertThat(listener.intents).hasSize(1); // written ahead; its final record says the KILL was not sent
        assertThat(port.fenceAsked.get()).isEqualTo(1);
        assertThat(port.kills).isEmpty();
        assertThat(w.status().owner()).isFalse();
        await().atMost(5, TimeUnit.SECONDS).until(() -> w.killsInFlight() == 0);

        gate.answer = n -> true; // owner again: the decision is taken afresh
        w.lookOnce();
        await().atMost(5, TimeUnit.SECONDS).until(() -> port.kills.size() == 1);
    }

    @Test
    void stopSendsNoMoreKillsAndJoinGivesUpOnAStuckOneWithinItsBound() throws InterruptedException {
        MutableClock clock = new MutableClock(T0);
        FakePort port = new FakePort(clock).showing(session(1).secs(40).build(), session(2).secs(35).build(),
                session(3).secs(31).build());
        CountDownLatch entered = new CountDownLatch(1);
        port.killer = r -> {
            entered.countDown();
            awaitRelease(); // the first KILL hangs in the server; the other two wait for the one connection
            return KillResult.killed();
        };
        DatabaseWatcher w = watcher(port, clock, s(1), 1);
        w.lookOnce();
        await().atMost(5, TimeUnit.SECONDS).until(() -> entered.getCount() == 0);
        assertThat(w.killsInFlight()).isEqualTo(3);

        long start = System.nanoTime();
        w.stop();
        assertThat(w.join(ms(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(s(2));

        release.countDown();
        assertThat(w.join(s(5))).isTrue();
        assertThat(port.kills).extracting(KillRequest::threadId).containsExactly(1L);
        // The batch's intents were all written ahead; the two never sent end STALE, not silently.
        assertThat(listener.intents).extracting(KillRecord::threadId).containsExactly(1L, 2L, 3L);
        assertThat(listener.records).extracting(KillRecord::threadId, KillRecord::outcome).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(1L, KillOutcome.KILLED),
                org.assertj.core.groups.Tuple.tuple(2L, KillOutcome.STALE),
                org.assertj.core.groups.Tuple.tuple(3L, KillOutcome.STALE));
        assertThat(w.killsInFlight()).isZero();
    }

    @Test
    void engineCloseWithAStuckKillIsBoundedAndClosesThePort() {
        Clock clock = Clock.systemUTC();
        FakePort port = new FakePort(clock).showing(session(1).secs(31).build());
        CountDownLatch entered = new CountDownLatch(1);
        port.killer = r -> {
            entered.countDown();
            awaitRelease();
            return KillResult.killed();
        };
        WatchSpec spec = new WatchSpec("orders", ms(50), ms(10), List.of(BUSY_30S), Set.of(), 60, false, Set.of());
        SniperEngine engine = new SniperEngine("n1", List.of(new WatchedDatabase(spec, port)), gate, listener, clock,
                Sleeper::create, ms(300));
        engine.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> entered.getCount() == 0);
        long start = System.nanoTime();
        engine.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(s(2));
        assertThat(port.closes.get()).isEqualTo(1);
    }

    @Test
    void anArmedKillsIntentIsWrittenAheadAndItsKillIsNeverEarly() {
        Clock clock = Clock.systemUTC();
        FakePort port = new FakePort(clock);
        java.util.Map<Long, java.time.Instant> killedAt = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<Long, java.time.Instant> intentAt = new java.util.concurrent.ConcurrentHashMap<>();
        port.killer = r -> {
            killedAt.put(r.threadId(), clock.instant());
            return KillResult.killed();
        };
        RecordingListener timed = new RecordingListener() {
            @Override
            public void beforeKill(KillRecord intent) {
                intentAt.put(intent.threadId(), clock.instant());
                super.beforeKill(intent);
            }
        };
        WatchSpec spec = new WatchSpec("orders", s(1), ms(100), List.of(BUSY_30S), Set.of(), 60, false, Set.of());
        DatabaseWatcher w = new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, timed, clock,
                Sleeper.create(), 2);
        watchers.add(w);
        java.time.Instant look = clock.instant();
        port.showing(session(1).queryId(1).time(ms(29_700)).build());
        w.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> killedAt.containsKey(1L));
        java.time.Instant crossing = look.plusMillis(300); // the look came at or after "look"
        assertThat(killedAt.get(1L)).isAfterOrEqualTo(crossing); // never before the limit
        assertThat(intentAt.get(1L)).isBefore(killedAt.get(1L)); // written ahead
        // The final record follows the KILL's answer on the batch's thread (held while KILLs go out).
        await().atMost(5, TimeUnit.SECONDS).until(() -> !timed.records.isEmpty());
        assertThat(timed.records).singleElement().satisfies(r -> assertThat(r.ageMs()).isGreaterThanOrEqualTo(30_000));
    }
}
