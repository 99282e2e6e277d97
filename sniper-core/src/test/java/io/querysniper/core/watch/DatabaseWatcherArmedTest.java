package io.querysniper.core.watch;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillBasis;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.rules.Rule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadline-armed kills and the batched kill path, one step at a time with a fake clock: kills run inline,
 * {@link DatabaseWatcher#tick()} does what is due.
 */
class DatabaseWatcherArmedTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakePort port = new FakePort(clock);
    private final RecordingListener listener = new RecordingListener();
    private final SwitchGate gate = new SwitchGate();

    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();

    private DatabaseWatcher watcher(String db, boolean dryRun, Rule... rules) {
        WatchSpec spec = new WatchSpec(db, s(1), ms(100), List.of(rules), Set.of(), 1000, dryRun, Set.of());
        return new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, listener, clock, Sleeper.create(),
                DatabaseWatcher.INLINE_KILLS);
    }

    private DatabaseWatcher watcher(Rule... rules) {
        return watcher("orders", false, rules);
    }

    @Test
    void armingKillsReadiesAConnectionAndTellsTheJournalWhichSecondsTheyFallIn() {
        // Crossings at T0 + 0.9 s, + 1.0 s and + 1.4 s: the listener hears each of the two seconds once.
        clock.advance(ms(500));
        port.showing(session(1).queryId(7).time(ms(29_600)).build(), session(2).queryId(8).time(ms(29_500)).build(),
                session(3).queryId(9).time(ms(29_100)).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        assertThat(w.killsArmed()).isEqualTo(3);
        assertThat(port.expectKills.get()).isEqualTo(1);
        assertThat(listener.expected).extracting(java.time.Instant::getEpochSecond)
                .containsExactlyInAnyOrder(T0.getEpochSecond(), T0.getEpochSecond() + 1);

        port.showing(session(4).queryId(10).time(s(1)).build()); // nothing near a limit: nothing armed, nothing said
        clock.advance(s(1));
        w.lookOnce();
        assertThat(port.expectKills.get()).isEqualTo(1);
        assertThat(listener.expected).hasSize(2);
    }

    @Test
    void aKillIsArmedForTheCrossingAndFiresThenWithoutAnotherLook() {
        port.showing(session(1).queryId(7).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(ms(400));
        assertThat(port.kills).isEmpty();
        assertThat(w.killsArmed()).isEqualTo(1);

        clock.advance(ms(399));
        assertThat(w.tick()).isEqualTo(ms(1)); // never a millisecond early
        assertThat(port.kills).isEmpty();

        clock.advance(ms(1));
        assertThat(w.tick()).isEqualTo(ms(600)); // then the next look, one interval after the last
        assertThat(port.snapshots.get()).isEqualTo(1);
        KillRequest k = port.kills.get(0);
        assertThat(k.queryId()).isEqualTo(7);
        assertThat(k.check().basis()).isEqualTo(KillBasis.BUSY);
        assertThat(k.check().seenAt()).isEqualTo(T0);
        assertThat(k.check().serverId()).isEqualTo("mariadb:1@fake:3306");
        KillRecord r = listener.records.get(0);
        assertThat(r.outcome()).isEqualTo(KillOutcome.KILLED);
        assertThat(r.ageMs()).isEqualTo(30_000); // as of the crossing, not of the look
        assertThat(r.time()).isEqualTo(T0.plusMillis(400));
    }

    @Test
    void victimsCrossingCloseTogetherAreEachKilledAtTheirOwnMoment() {
        port.showing(session(1).queryId(1).time(ms(29_950)).build(), session(2).queryId(2).time(ms(29_900)).build(),
                session(3).queryId(3).time(ms(29_700)).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(ms(50)); // closer than min-interval (100 ms) to the look
        for (long[] step : new long[][] {{50, 1}, {50, 2}, {200, 3}}) {
            clock.advance(ms(step[0]));
            w.tick();
            assertThat(port.kills).hasSize((int) step[1]);
        }
        assertThat(listener.records).extracting(KillRecord::ageMs).containsOnly(30_000L);
        assertThat(port.snapshots.get()).isEqualTo(1);
    }

    @Test
    void eachLookReplacesTheArmedKills() {
        port.showing(session(1).queryId(1).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        port.showing(); // the statement ended
        clock.advance(ms(200));
        w.lookOnce();
        assertThat(w.killsArmed()).isZero();
        clock.advance(ms(300));
        w.tick();
        assertThat(port.kills).isEmpty();
    }

    @Test
    void pileUpsAreNotArmedButLookedAtWhenTheyCross() {
        Rule pile = rule("pile").busy(s(30)).pileUp(io.querysniper.core.rules.GroupBy.USER, 2,
                io.querysniper.core.rules.Victims.ALL).build();
        port.showing(session(1).time(ms(29_600)).build(), session(2).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(pile);
        assertThat(w.lookOnce()).isEqualTo(ms(400));
        assertThat(w.killsArmed()).isZero();
        clock.advance(ms(400));
        port.showing(session(1).time(ms(30_000)).build(), session(2).time(ms(30_100)).build());
        w.tick();
        assertThat(port.snapshots.get()).isEqualTo(2);
        assertThat(port.kills).hasSize(2);
    }

    @Test
    void anArmedIdleKillCarriesItsBasisAndDryRunReportsAtTheCrossing() {
        Rule idle = rule("idle").idle(s(60)).action(KillAction.KILL_CONNECTION).build();
        port.showing(session(4).sleeping(59.9).build());
        DatabaseWatcher w = watcher(idle);
        w.lookOnce();
        clock.advance(ms(100));
        w.tick();
        assertThat(port.kills).singleElement().satisfies(k -> {
            assertThat(k.action()).isEqualTo(KillAction.KILL_CONNECTION);
            assertThat(k.check().basis()).isEqualTo(KillBasis.IDLE);
        });

        MutableClock other = new MutableClock(T0);
        FakePort dryPort = new FakePort(other).showing(session(4).sleeping(59.9).build());
        RecordingListener dry = new RecordingListener();
        WatchSpec spec = new WatchSpec("orders", s(1), ms(100), List.of(idle), Set.of(), 60, true, Set.of());
        DatabaseWatcher d = new DatabaseWatcher("n", new WatchedDatabase(spec, dryPort), gate, dry, other,
                Sleeper.create(), DatabaseWatcher.INLINE_KILLS);
        d.lookOnce();
        other.advance(ms(100));
        d.tick();
        assertThat(dryPort.kills).isEmpty();
        assertThat(dry.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(KillOutcome.WOULD_KILL);
            assertThat(r.time()).isEqualTo(T0.plusMillis(100));
        });
    }

    @Test
    void theVictimsOfOneLookHaveTheirIntentsWrittenAsOneBatch() {
        port.showing(session(1).secs(31).build(), session(2).secs(32).build(), session(3).secs(33).build());
        watcher(BUSY_30S).lookOnce();
        assertThat(listener.intentBatches).containsExactly(3);
        assertThat(listener.intents).hasSize(3);
        assertThat(port.kills).hasSize(3);
    }

    @Test
    void anErrorIsTriedAgainAtTheNextLookNotAMinuteLater() {
        AtomicInteger calls = new AtomicInteger();
        port.killer = r -> calls.incrementAndGet() == 1 ? new KillResult(KillOutcome.ERROR, "error 1205: lock wait")
                : KillResult.killed();
        port.showing(session(1).queryId(5).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        clock.advance(s(1));
        w.lookOnce();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.ERROR, KillOutcome.KILLED);
    }

    @Test
    void repeatedErrorsBackOff() {
        port.killer = r -> new KillResult(KillOutcome.ERROR, "error 2013: lost connection");
        port.showing(session(1).queryId(5).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();                     // error 1
        clock.advance(s(1));
        w.lookOnce();                     // error 2: now 1 s of backoff
        clock.advance(ms(500));
        w.lookOnce();                     // within it: left alone
        assertThat(port.kills).hasSize(2);
        clock.advance(ms(600));
        w.lookOnce();                     // error 3
        assertThat(port.kills).hasSize(3);
    }

    @Test
    void ownershipLostAtTheKillSparesTheVictimOnlyUntilTheNextLook() {
        // The adapter's fence says no once (ownership lost between dispatch and KILL), then yes again.
        AtomicInteger fence = new AtomicInteger();
        gate.answer = n -> n <= 2 || fence.get() > 0;
        port.showing(session(1).queryId(5).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.NOT_OWNER);
        fence.set(1);
        clock.advance(s(1));
        w.lookOnce();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.NOT_OWNER, KillOutcome.KILLED);
    }

    @Test
    void recordIdsOfTwoDatabasesInTheSameMillisecondDiffer() {
        port.showing(session(1).secs(31).build());
        watcher("a", false, BUSY_30S).lookOnce();
        watcher("b", false, BUSY_30S).lookOnce();
        assertThat(listener.records).hasSize(2);
        assertThat(listener.records.get(0).time()).isEqualTo(listener.records.get(1).time());
        assertThat(listener.records.get(0).id()).isNotEqualTo(listener.records.get(1).id());
    }

    @Test
    void aSlowServerIsLookedAtAgainAtTheIntervalNotBackedOff() {
        port.snapshotFailure = new ServerSlowException("polling query exceeded statement-timeout 2s", null);
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.status().health()).isEqualTo(WatcherStatus.Health.SLOW);
        assertThat(w.status().up()).isTrue();
        assertThat(w.status().lastError()).contains("statement-timeout");
        port.snapshotFailure = null;
        w.lookOnce();
        assertThat(w.status().health()).isEqualTo(WatcherStatus.Health.UP);
    }

    @Test
    void anIdleTransactionIsJudgedOnItsIdleTimeWhenThatIsSharper() {
        Rule trx = rule("idle-trx").trx(s(4)).action(KillAction.KILL_CONNECTION).build();
        // trx_started's whole seconds gave 3.3 s; idle for 4.2 s, the transaction is at least that old.
        port.showing(session(1).sleeping(4.2).trx(ms(3300)).build());
        watcher(trx).lookOnce();
        assertThat(port.kills).singleElement().satisfies(k -> assertThat(k.check().basis()).isEqualTo(KillBasis.TRANSACTION));
        assertThat(listener.records.get(0).transactionAgeMs()).isEqualTo(4200);
    }

    @Test
    void theLookAsksOnlyForTheSessionsThatCanBreakARule() {
        watcher(BUSY_30S).lookOnce();
        assertThat(port.filters).singleElement().satisfies(f -> {
            assertThat(f.busyAtLeast()).isEqualTo(s(28));
            assertThat(f.idleAtLeast()).isNull();
        });
    }
}
