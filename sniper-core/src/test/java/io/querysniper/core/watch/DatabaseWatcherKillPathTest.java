package io.querysniper.core.watch;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.Session;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.RuleEngine;
import io.querysniper.core.sql.Fingerprint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.matchUser;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill path between a decision and its final record, one look at a time with a fake clock and kills inline:
 * a decision that waited longer than one interval, a stop in the middle of a batch, ownership lost at the
 * KILL, error streaks, and what the record of a kill says.
 */
class DatabaseWatcherKillPathTest {
    private static final Duration INTERVAL = s(1);
    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();

    private final MutableClock clock = new MutableClock(T0);
    private final FakePort port = new FakePort(clock);
    private final SwitchGate gate = new SwitchGate();

    private DatabaseWatcher watcher(RecordingListener listener, int maxKillsPerMinute, Rule... rules) {
        WatchSpec spec = new WatchSpec("orders", INTERVAL, ms(50), List.of(rules), Set.of(), maxKillsPerMinute, false,
                Set.of("application"));
        return new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, listener, clock, Sleeper.create(),
                DatabaseWatcher.INLINE_KILLS);
    }

    /** A listener whose write-ahead takes {@code delay} on the fake clock. */
    private RecordingListener slowWriteAhead(Duration delay) {
        return new RecordingListener() {
            @Override
            public void beforeKills(List<KillRecord> batch) {
                super.beforeKills(batch);
                clock.advance(delay);
            }
        };
    }

    // ---- stale decisions --------------------------------------------------------------------

    /** A port whose first KILL takes {@code delay} on the fake clock (the batch runs inline, in order). */
    private void firstKillTakes(Duration delay) {
        AtomicBoolean first = new AtomicBoolean(true);
        port.killer = r -> {
            if (first.getAndSet(false)) {
                clock.advance(delay);
            }
            return KillResult.killed();
        };
    }

    @Test
    void aKillDelayedByExactlyOneIntervalIsStillSent() {
        RecordingListener listener = new RecordingListener();
        firstKillTakes(INTERVAL);
        port.showing(session(1).secs(31).build(), session(2).secs(31).build());
        watcher(listener, 60, BUSY_30S).lookOnce();
        assertThat(port.kills).hasSize(2);
        assertThat(listener.outcomes()).containsExactly(KillOutcome.KILLED, KillOutcome.KILLED);
    }

    @Test
    void aKillDelayedByMoreThanOneIntervalIsNotSentAndJudgedAgainAtTheNextLook() {
        RecordingListener listener = new RecordingListener();
        firstKillTakes(INTERVAL.plusMillis(1));
        port.showing(session(1).queryId(3).secs(31).build(), session(2).queryId(4).secs(31).build());
        DatabaseWatcher w = watcher(listener, 60, BUSY_30S);
        w.lookOnce();
        assertThat(port.kills).extracting(KillRequest::threadId).containsExactly(1L);
        assertThat(listener.intents).hasSize(2);
        assertThat(listener.records).hasSize(2).last().satisfies(r -> {
            assertThat(r.threadId()).isEqualTo(2);
            assertThat(r.outcome()).isEqualTo(KillOutcome.STALE);
            assertThat(r.error()).isEqualTo("not sent within 1s of the decision (1s): judged again on fresh rows");
            assertThat(r.id()).isEqualTo(listener.intents.get(1).id());
        });
        assertThat(w.status().kills()).isEqualTo(1);
        clock.advance(ms(10));
        port.showing(session(2).queryId(4).secs(32).build());
        w.lookOnce(); // a STALE decision is forgotten: the next look decides again
        assertThat(listener.intents).hasSize(3);
        assertThat(port.kills).extracting(KillRequest::threadId).containsExactly(1L, 2L);
    }

    /**
     * The write-ahead's time is the journal's, bounded by its write-timeout and the same at every look: a
     * journal slower than the interval made every decision stale, and every next one, so nothing was killed
     * while it was slow (a process test with a slow spool and interval = write-timeout = 200 ms: 576 STALE
     * records for 12 victims in 20 s).
     */
    @Test
    void aWriteAheadSlowerThanAnIntervalDoesNotMakeTheDecisionStale() {
        RecordingListener listener = slowWriteAhead(INTERVAL.multipliedBy(3));
        port.showing(session(1).secs(31).build());
        watcher(listener, 60, BUSY_30S).lookOnce();
        assertThat(port.kills).hasSize(1);
        assertThat(listener.outcomes()).containsExactly(KillOutcome.KILLED);
    }

    @Test
    void aDecisionThatIsStaleBeforeItsBatchStartsWritesNoIntent() {
        // The loop reports a LOG verdict first; that report takes longer than an interval on the fake clock.
        RecordingListener listener = new RecordingListener() {
            @Override
            public void onRecord(KillRecord record) {
                super.onRecord(record);
                if (record.outcome() == KillOutcome.LOGGED) {
                    clock.advance(INTERVAL.plusMillis(1));
                }
            }
        };
        Rule kill = rule("kill").match(matchUser("a")).busy(s(30)).build();
        Rule log = rule("log").match(matchUser("b")).busy(s(30)).action(KillAction.LOG).build();
        port.showing(session(1).user("a").secs(31).build(), session(2).user("b").secs(31).build());
        watcher(listener, 60, kill, log).lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.intents).isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.LOGGED, KillOutcome.STALE);
        assertThat(listener.records.get(1).threadId()).isEqualTo(1);
    }

    // ---- stop in the middle ---------------------------------------------------------------------

    @Test
    void aStopDuringTheWriteAheadSendsNoKill() {
        AtomicReference<DatabaseWatcher> w = new AtomicReference<>();
        RecordingListener listener = new RecordingListener() {
            @Override
            public void beforeKills(List<KillRecord> batch) {
                super.beforeKills(batch);
                w.get().stop();
            }
        };
        port.showing(session(1).secs(31).build());
        w.set(watcher(listener, 60, BUSY_30S));
        w.get().lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.intents).hasSize(1);
        assertThat(listener.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(KillOutcome.STALE);
            assertThat(r.error()).isEqualTo("the watcher stopped before the KILL was sent");
        });
    }

    @Test
    void aStopWhileALookDecidesDropsTheBatchWithoutAWord() {
        AtomicReference<DatabaseWatcher> w = new AtomicReference<>();
        RecordingListener listener = new RecordingListener() {
            @Override
            public void onRecord(KillRecord record) {
                super.onRecord(record);
                w.get().stop();
            }
        };
        Rule kill = rule("kill").match(matchUser("a")).busy(s(30)).build();
        Rule log = rule("log").match(matchUser("b")).busy(s(30)).action(KillAction.LOG).build();
        port.showing(session(1).user("a").secs(31).build(), session(2).user("b").secs(31).build());
        w.set(watcher(listener, 60, kill, log));
        w.get().lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.intents).as("nothing was written ahead: nothing to complete").isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.LOGGED);
        assertThat(w.get().killsInFlight()).isZero();
    }

    // ---- ownership ------------------------------------------------------------------------------

    @Test
    void ownershipLostAtTheKillItselfMarksTheWatcherNotOwner() {
        gate.answer = n -> n <= 2; // the look and the batch may kill; the adapter's fence right before the KILL not
        RecordingListener listener = new RecordingListener();
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(listener, 60, BUSY_30S);
        w.lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.NOT_OWNER);
        assertThat(w.status().owner()).isFalse();
    }

    // ---- error streaks ------------------------------------------------------------------------

    @Test
    void aKillBetweenErrorsEndsTheStreak() {
        List<KillOutcome> script = new ArrayList<>(List.of(KillOutcome.ERROR, KillOutcome.ERROR, KillOutcome.KILLED,
                KillOutcome.ERROR, KillOutcome.ERROR));
        port.killer = r -> script.isEmpty() ? KillResult.killed() : new KillResult(script.remove(0), "scripted");
        port.showing(session(1).queryId(-1).secs(31).build());
        RecordingListener listener = new RecordingListener();
        DatabaseWatcher w = watcher(listener, 0, BUSY_30S);
        w.lookOnce();                                  // error 1: tried again at the next look
        clock.advance(ms(100));
        w.lookOnce();                                  // error 2: a second of backoff
        clock.advance(ms(1100));
        w.lookOnce();                                  // killed: remembered briefly (no query id)
        assertThat(port.kills).hasSize(3);
        clock.advance(OutcomeMemory.KILL_MEMORY);
        w.lookOnce();                                  // the next statement errs: a new streak, error 1
        clock.advance(ms(100));
        w.lookOnce();                                  // so it is tried again at once
        assertThat(port.kills).hasSize(5);
        assertThat(listener.outcomes()).containsExactly(KillOutcome.ERROR, KillOutcome.ERROR, KillOutcome.KILLED,
                KillOutcome.ERROR, KillOutcome.ERROR);
    }

    /** Victim 1 errs once, then {@code others} victims err in one look before victim 1 errs again. */
    private int attemptsOnVictimOneAfterErrorsOf(int others) {
        port.killer = r -> new KillResult(KillOutcome.ERROR, "error 2013: lost connection");
        port.showing(session(1).secs(30).build());
        DatabaseWatcher w = watcher(new RecordingListener(), 0, BUSY_30S);
        w.lookOnce();
        List<Session> many = new ArrayList<>();
        for (int i = 0; i < others; i++) {
            many.add(session(1000 + i).secs(40).build()); // older: their KILLs go before victim 1's
        }
        many.add(session(1).secs(30).build());
        port.sessions = List.copyOf(many);
        clock.advance(ms(100));
        w.lookOnce();
        port.showing(session(1).secs(30).build());
        clock.advance(ms(100));
        w.lookOnce();
        return (int) port.kills.stream().filter(k -> k.threadId() == 1).count();
    }

    @Test
    void errorStreaksAreKeptUpToTheirBound() {
        // 1 + 9,999 streaks: within the bound, victim 1's second error backs it off for a second.
        assertThat(attemptsOnVictimOneAfterErrorsOf(9_999)).isEqualTo(2);
    }

    @Test
    void pastTheirBoundErrorStreaksStartAfresh() {
        // 1 + 10,000 streaks: over the bound, every streak is dropped; victim 1's error counts as a first.
        assertThat(attemptsOnVictimOneAfterErrorsOf(10_000)).isEqualTo(3);
    }

    // ---- what the record says ----------------------------------------------------------------

    @Test
    void rowsStampedAheadOfTheLocalClockNeverShortenTheRecordedAges() {
        port.onSnapshot = () -> clock.advance(ms(-500)); // the local clock steps back while the look runs
        RecordingListener listener = new RecordingListener();
        port.showing(session(1).secs(31).trx(s(32)).build());
        watcher(listener, 60, BUSY_30S).lookOnce();
        assertThat(listener.records).singleElement().satisfies(r -> {
            assertThat(r.ageMs()).isEqualTo(31_000);
            assertThat(r.transactionAgeMs()).isEqualTo(32_000);
        });
    }

    @Test
    void aRecordWithoutTransactionOrTextSaysSo() {
        Rule idle = rule("idle").idle(s(60)).action(KillAction.KILL_CONNECTION).build();
        RecordingListener listener = new RecordingListener();
        port.showing(session(1).sleeping(61).build());
        watcher(listener, 60, idle).lookOnce();
        assertThat(listener.records).singleElement().satisfies(r -> {
            assertThat(r.transactionAgeMs()).isEqualTo(-1);
            assertThat(r.fingerprint()).isNull();
            assertThat(r.digest()).isNull();
            assertThat(r.ageMs()).isEqualTo(61_000);
            assertThat(r.outcome()).isEqualTo(KillOutcome.KILLED);
        });
    }

    @Test
    void aLongStatementsFingerprintIsCutButItsDigestCoversAll() {
        String sql = "select " + "a123456789, ".repeat(200) + "b from t";
        RecordingListener listener = new RecordingListener();
        port.showing(session(1).secs(31).info(sql).build());
        watcher(listener, 60, BUSY_30S).lookOnce();
        KillRecord r = listener.records.get(0);
        assertThat(r.fingerprint()).hasSize(DatabaseWatcher.RECORD_FINGERPRINT_CHARS).endsWith(Fingerprint.CUT_MARKER);
        assertThat(r.digest()).isEqualTo(Fingerprint.of(sql).digest());
    }

    @Test
    void reportsCarryTheirRefusalAndNothingElse() {
        Rule idleQuery = rule("idle-q").trx(s(10)).action(KillAction.KILL_QUERY).build();
        Rule log = rule("log").match(matchUser("b")).busy(s(30)).action(KillAction.LOG).build();
        RecordingListener listener = new RecordingListener();
        port.showing(session(1).sleeping(1).trx(s(11)).build(), session(2).user("b").secs(31).build());
        watcher(listener, 60, log, idleQuery).lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.records).extracting(KillRecord::outcome, KillRecord::error).containsExactly(
                org.assertj.core.groups.Tuple.tuple(KillOutcome.LOGGED, null),
                org.assertj.core.groups.Tuple.tuple(KillOutcome.REFUSED_IDLE_SESSION, RuleEngine.IDLE_KILL_QUERY));
    }
}
