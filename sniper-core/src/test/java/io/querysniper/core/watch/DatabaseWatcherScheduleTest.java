package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.model.Session;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.rules.GroupBy;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.Victims;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.matchUser;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the watcher does with its armed kills and its schedule when a look cannot act (ownership gone, server
 * down), and the lifecycle calls a caller relies on: one look at a time with a fake clock, kills inline.
 */
class DatabaseWatcherScheduleTest {
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();

    private final MutableClock clock = new MutableClock(T0);
    private final FakePort port = new FakePort(clock);
    private final RecordingListener listener = new RecordingListener();
    private final SwitchGate gate = new SwitchGate();

    private DatabaseWatcher watcher(int maxKillsPerMinute, Rule... rules) {
        return watcher(Sleeper.create(), maxKillsPerMinute, rules);
    }

    private DatabaseWatcher watcher(Sleeper sleeper, int maxKillsPerMinute, Rule... rules) {
        WatchSpec spec = new WatchSpec("orders", s(1), ms(50), List.of(rules), Set.of(), maxKillsPerMinute, false,
                Set.of());
        return new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, listener, clock, sleeper,
                DatabaseWatcher.INLINE_KILLS);
    }

    // ---- the schedule of routine looks: on the shared grid, one a second --------------------------

    @Test
    void aRoutineLookTheGridMadeLateKeepsTheSchedulesPhase() {
        DatabaseWatcher w = watcher(60, BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(s(1));
        clock.advance(ms(1_030)); // the grid woke it 30 ms after its due time
        assertThat(w.tick()).as("due one interval after the last was due, not after it ran").isEqualTo(ms(970));
        clock.advance(ms(970));
        assertThat(w.tick()).isEqualTo(s(1));
    }

    @Test
    void aRoutineLookLaterThanTwoGridStepsStartsANewPhase() {
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.lookOnce();
        clock.advance(s(1).plus(WatchSpec.LOOK_GRID.multipliedBy(2)).plusMillis(1)); // an overloaded node: no catch-up
        assertThat(w.tick()).isEqualTo(s(1));
    }

    @Test
    void aLookOutOfScheduleStartsANewPhase() {
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.lookOnce();
        clock.advance(ms(1_030));
        assertThat(w.lookOnce()).isEqualTo(s(1));
    }

    @Test
    void aRoutineLookWaitsForTheGridAndALookBroughtForwardKeepsItsInstant() throws InterruptedException {
        assertThat(firstWait(List.of(), session(9).secs(1).build())).isEqualTo("grid PT1S");
        Rule pile = rule("pile").match(matchUser("p")).busy(s(30)).pileUp(GroupBy.USER, 2, Victims.ALL).build();
        assertThat(firstWait(List.of(pile), session(1).user("p").time(ms(29_800)).build(),
                session(2).user("p").time(ms(29_800)).build())).isEqualTo("exact PT0.2S");
    }

    /** How the running watcher waits after its first look at these sessions, under these rules and BUSY_30S. */
    private String firstWait(List<Rule> rulesFirst, Session... sessions) throws InterruptedException {
        List<Rule> rules = new ArrayList<>(rulesFirst);
        rules.add(BUSY_30S);
        port.showing(sessions);
        BlockingQueue<String> waits = new LinkedBlockingQueue<>();
        Sleeper recording = new Sleeper() {
            private final Sleeper real = Sleeper.create();

            @Override
            public void sleep(Duration d) throws InterruptedException {
                waits.add("exact " + d);
                real.sleep(s(60));
            }

            @Override
            public void sleepForLook(Duration d) throws InterruptedException {
                waits.add("grid " + d);
                real.sleep(s(60));
            }

            @Override
            public void wake() {
                real.wake();
            }
        };
        DatabaseWatcher w = watcher(recording, 60, rules.toArray(Rule[]::new));
        w.start();
        try {
            return waits.poll(10, TimeUnit.SECONDS);
        } finally {
            w.close();
        }
    }

    @Test
    void aLookThatFindsItselfNoLongerOwnerDisarmsAndWaitsOneIntervalEachTime() {
        port.showing(session(1).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(60, BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(ms(400));
        assertThat(w.killsArmed()).isEqualTo(1);
        gate.answer = n -> false;
        clock.advance(ms(100));
        assertThat(w.lookOnce()).as("not the armed kill's 300 ms").isEqualTo(s(1));
        assertThat(w.killsArmed()).isZero();
        assertThat(w.lookOnce()).as("no backoff: not owning is no failure").isEqualTo(s(1));
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.status().lastError()).isNull();
        assertThat(w.status().health()).isEqualTo(WatcherStatus.Health.UP);
        assertThat(w.status().owner()).isFalse();
    }

    @Test
    void aFailedLookDisarms() {
        port.showing(session(1).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.lookOnce();
        assertThat(w.killsArmed()).isEqualTo(1);
        port.downFor = 1;
        clock.advance(ms(100));
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.killsArmed()).isZero();
        clock.advance(ms(400));
        w.tick();
        assertThat(port.kills).as("the armed kill rested on rows the failed look could not confirm").isEmpty();
    }

    @Test
    void ownershipGoneAtAnArmedInstantDisarmsWithoutAKill() {
        port.showing(session(1).time(ms(29_600)).build(), session(2).time(ms(29_500)).build());
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.lookOnce();
        assertThat(w.killsArmed()).isEqualTo(2);
        gate.answer = n -> false;
        clock.advance(ms(450));
        w.tick(); // session 1 is due; the gate says no
        assertThat(port.kills).isEmpty();
        assertThat(w.killsArmed()).as("session 2's kill is disarmed too").isZero();
        assertThat(w.status().owner()).isFalse();
    }

    @Test
    void aLookBroughtForwardByAPileUpComesBeforeALaterArmedKill() {
        Rule pile = rule("pile").match(matchUser("p")).busy(s(30)).pileUp(GroupBy.USER, 2, Victims.ALL).build();
        port.showing(session(1).user("p").time(ms(29_800)).build(), session(2).user("p").time(ms(29_800)).build(),
                session(3).user("a").time(ms(29_600)).build());
        DatabaseWatcher w = watcher(60, pile, BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(ms(200));
        assertThat(w.killsArmed()).isEqualTo(1);
    }

    @Test
    void anArmedKillAfterTheQuietMinuteClearsTheTrippedGuard() {
        port.showing(session(1).secs(31).build(), session(2).secs(32).build());
        DatabaseWatcher w = watcher(1, BUSY_30S);
        w.lookOnce();
        assertThat(w.status().guardTripped()).isTrue();
        port.showing(session(3).time(ms(29_200)).build()); // crosses 0.8 s after this look, past the quiet minute
        clock.advance(ms(59_500));
        w.lookOnce();
        assertThat(w.killsArmed()).isEqualTo(1);
        assertThat(w.status().guardTripped()).isTrue();
        clock.advance(ms(800));
        w.tick();
        assertThat(port.kills).extracting(k -> k.threadId()).containsExactly(2L, 3L); // the oldest went first, the second tripped the guard
        assertThat(w.status().guardTripped()).isFalse();
    }

    @Test
    void aKillOnAServerThatWentAwayIsAnErrorThatNamesIt() {
        port.killer = r -> {
            throw new ServerUnavailableException("connection refused", null);
        };
        port.showing(session(1).secs(31).build());
        watcher(60, BUSY_30S).lookOnce();
        assertThat(listener.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(KillOutcome.ERROR);
            assertThat(r.error()).isEqualTo("server unavailable: connection refused");
        });
    }

    @Test
    void queryIdZeroIsAQueryId() {
        port.showing(session(1).queryId(0).secs(31).build());
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.lookOnce();
        clock.advance(OutcomeMemory.KILL_MEMORY);
        w.lookOnce(); // the same statement, still dying: left alone for the longer memory
        assertThat(port.kills).hasSize(1);
    }

    @Test
    void aStatementInFlightUnderOneRuleIsNotKilledAgainUnderAnother() {
        Rule first = rule("first").match(new io.querysniper.core.rules.SessionMatch(null, null, null, null,
                io.querysniper.core.Fixtures.exact("Sending data"), null)).busy(s(30)).build();
        Rule second = rule("second").busy(s(30)).build();
        DatabaseWatcher[] w = new DatabaseWatcher[1];
        port.killer = r -> {
            if (port.kills.size() == 1) {
                // While this KILL is in flight, the next look sees the statement in another state: the second
                // rule now decides it.
                port.showing(session(1).queryId(5).state("executing").secs(31).build());
                clock.advance(ms(100));
                w[0].lookOnce();
            }
            return io.querysniper.core.kill.KillResult.killed();
        };
        port.showing(session(1).queryId(5).state("Sending data").secs(31).build());
        w[0] = watcher(60, first, second);
        w[0].lookOnce();
        assertThat(port.kills).hasSize(1);
        assertThat(listener.outcomes()).containsExactly(KillOutcome.KILLED);
    }

    @Test
    void closeStopsTheWatcherForGood() {
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.close();
        w.lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.records).isEmpty();
    }

    @Test
    void aWatcherNeverStartedHasStoppedOnceAsked() throws InterruptedException {
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.stop();
        assertThat(w.join(s(1))).isTrue();
    }

    @Test
    void closeByAnInterruptedCallerKeepsTheInterrupt() {
        DatabaseWatcher w = watcher(60, BUSY_30S);
        w.start();
        Thread.currentThread().interrupt();
        try {
            w.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
            w.close();
        }
    }
}
