package io.querysniper.core.watch;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.rules.Rule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives one watcher iteration at a time with a fake clock: no threads, no sleeps (kills run inline;
 * {@link DatabaseWatcherKillThreadsTest} covers the kill threads).
 */
class DatabaseWatcherTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakePort port = new FakePort(clock);
    private final RecordingListener listener = new RecordingListener();
    private final SwitchGate gate = new SwitchGate();

    private static final Rule BUSY_30S = rule("long").busy(s(30)).build();

    private DatabaseWatcher watcher(boolean dryRun, int maxKillsPerMinute, Rule... rules) {
        WatchSpec spec = new WatchSpec("orders", Duration.ofSeconds(1), ms(50), List.of(rules), Set.of(),
                maxKillsPerMinute, dryRun, Set.of("application"));
        return new DatabaseWatcher("node-1", new WatchedDatabase(spec, port), gate, listener, clock, Sleeper.create(),
                DatabaseWatcher.INLINE_KILLS);
    }

    private DatabaseWatcher watcher(Rule... rules) {
        return watcher(false, 60, rules);
    }

    @Test
    void killsWithAnIntentFirstAndAFinalRecordWithTheSameId() {
        port.showing(session(42).queryId(7).secs(31).trx(s(40)).rows(3)
                .info("select 1 /*application='shop'*/").build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        assertThat(port.kills).hasSize(1);
        assertThat(port.kills.get(0).threadId()).isEqualTo(42);
        assertThat(port.kills.get(0).queryId()).isEqualTo(7);
        assertThat(port.kills.get(0).action()).isEqualTo(KillAction.KILL_QUERY);
        assertThat(listener.intents).singleElement().satisfies(i -> assertThat(i.outcome()).isEqualTo(KillOutcome.PENDING));
        KillRecord r = listener.records.get(0);
        assertThat(r.outcome()).isEqualTo(KillOutcome.KILLED);
        assertThat(r.id()).isEqualTo(listener.intents.get(0).id());
        assertThat(r.node()).isEqualTo("node-1");
        assertThat(r.database()).isEqualTo("orders");
        assertThat(r.ageMs()).isEqualTo(31_000);
        assertThat(r.transactionAgeMs()).isEqualTo(40_000);
        assertThat(r.rowsModified()).isEqualTo(3);
        assertThat(r.rule()).isEqualTo("long");
        assertThat(r.fingerprint()).isEqualTo("select ?");
        assertThat(r.digest()).isEqualTo(io.querysniper.core.sql.Fingerprint.of("select 1 /*application='shop'*/").digest())
                .hasSize(32);
        assertThat(r.tags()).containsEntry("application", "shop");
        assertThat(r.dryRun()).isFalse();
        assertThat(w.status().kills()).isEqualTo(1);
    }

    @Test
    void dryRunKillsNothingAndReportsOnce() {
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(true, 60, BUSY_30S);
        w.lookOnce();
        clock.advance(s(1));
        w.lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.intents).isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.WOULD_KILL);
        assertThat(listener.records.get(0).dryRun()).isTrue();
    }

    @Test
    void logActionAndRollbackGuardKillNothing() {
        Rule log = rule("log").busy(s(30)).action(KillAction.LOG).build();
        Rule guarded = rule("guarded").trx(s(10)).action(KillAction.KILL_CONNECTION).maxRows(100).build();
        port.showing(session(1).secs(31).build(), session(2).sleeping(1).trx(s(11)).rows(101).build());
        watcher(log, guarded).lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.LOGGED, KillOutcome.REFUSED_ROLLBACK_GUARD);
        assertThat(listener.records.get(1).error()).contains("max-rows-modified 100");
    }

    @Test
    void theSameStatementIsNotKilledTwiceWhileItsKillLands() {
        port.showing(session(1).queryId(5).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        clock.advance(ms(100));
        w.lookOnce(); // the server still shows it (KILL in progress)
        assertThat(port.kills).hasSize(1);
        clock.advance(DatabaseWatcher.KILL_MEMORY);
        w.lookOnce(); // the same query id, slow to die (a rollback, a long sort): not killed again
        assertThat(port.kills).hasSize(1);
        clock.advance(DatabaseWatcher.SAME_STATEMENT_MEMORY);
        w.lookOnce(); // still there a minute later: the kill did not take, try again
        assertThat(port.kills).hasSize(2);
    }

    @Test
    void withoutAQueryIdTheKillIsRememberedOnlyBriefly() {
        port.showing(session(1).queryId(-1).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        clock.advance(ms(100));
        w.lookOnce();
        assertThat(port.kills).hasSize(1);
        // No query id (MySQL): a longer memory would also shield the connection's next statement.
        clock.advance(DatabaseWatcher.KILL_MEMORY);
        w.lookOnce();
        assertThat(port.kills).hasSize(2);
    }

    @Test
    void aNewStatementOnTheSameConnectionIsKilledAfterTheOldOneWasGone() {
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        port.showing(session(1).secs(0.1).build()); // a look where the connection does not break the rule
        clock.advance(ms(100));
        w.lookOnce();
        port.showing(session(1).secs(30).build());
        clock.advance(ms(100));
        w.lookOnce();
        assertThat(port.kills).hasSize(2);
    }

    @Test
    void killRateGuardTripsOnceAndResumesAfterAQuietMinute() {
        port.showing(session(1).secs(31).build(), session(2).secs(32).build(), session(3).secs(33).build(),
                session(4).secs(34).build());
        DatabaseWatcher w = watcher(false, 2, BUSY_30S);
        w.lookOnce();
        assertThat(port.kills).hasSize(2);
        // The guard trips while the look decides, before the batch of the two allowed kills goes out.
        assertThat(listener.outcomes()).containsExactly(KillOutcome.GUARD_TRIPPED, KillOutcome.KILLED, KillOutcome.KILLED);
        KillRecord guard = listener.records.get(0);
        assertThat(guard.rule()).isNull();
        assertThat(guard.action()).isNull();
        assertThat(guard.error()).contains("more than 2 kills in a minute");
        assertThat(w.status().guardTripped()).isTrue();

        port.showing(session(3).secs(40).build(), session(4).secs(41).build());
        clock.advance(s(30));
        w.lookOnce();
        assertThat(port.kills).hasSize(2);
        assertThat(listener.records).hasSize(3); // one guard record, not one per look

        clock.advance(s(31));
        w.lookOnce();
        assertThat(port.kills).hasSize(4);
        assertThat(w.status().guardTripped()).isFalse();
    }

    @Test
    void ownershipLostRightBeforeTheKillMeansNoKill() {
        gate.answer = n -> n == 1; // yes when the loop asks, no when the batch goes
        port.showing(session(1).secs(31).build(), session(2).secs(32).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        w.lookOnce();
        assertThat(port.kills).isEmpty();
        assertThat(listener.intents).isEmpty();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.NOT_OWNER, KillOutcome.NOT_OWNER);
        assertThat(w.status().owner()).isFalse();
    }

    @Test
    void notOwnerDoesNotEvenLook() {
        gate.answer = n -> false;
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(Duration.ofSeconds(1));
        assertThat(port.snapshots.get()).isZero();
        assertThat(w.status().owner()).isFalse();
    }

    @Test
    void serverDownBacksOffExponentiallyThenRecovers() {
        port.downFor = 7;
        port.showing(session(1).secs(31).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.status().up()).isFalse();
        assertThat(w.status().lastError()).isEqualTo("connection refused");
        assertThat(w.lookOnce()).isEqualTo(s(2));
        assertThat(w.lookOnce()).isEqualTo(s(4));
        assertThat(w.lookOnce()).isEqualTo(s(8));
        assertThat(w.lookOnce()).isEqualTo(s(16));
        assertThat(w.lookOnce()).isEqualTo(s(30));
        assertThat(w.lookOnce()).isEqualTo(s(30));
        Duration wait = w.lookOnce(); // back
        assertThat(wait).isEqualTo(s(1));
        assertThat(w.status().up()).isTrue();
        assertThat(w.status().lastError()).isNull();
        assertThat(w.status().lastLook()).isEqualTo(T0);
        assertThat(port.kills).hasSize(1);
        port.downFor = 1;
        assertThat(w.lookOnce()).isEqualTo(s(1)); // a new streak starts from the interval again
    }

    @Test
    void downAndBackAreLoggedOncePerStateChange() {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DatabaseWatcher.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            port.downFor = 5;
            DatabaseWatcher w = watcher(BUSY_30S);
            for (int i = 0; i < 6; i++) {
                clock.advance(w.lookOnce());
            }
            assertThat(appender.list).extracting(e -> e.getLevel().toString() + " " + e.getFormattedMessage())
                    .filteredOn(m -> !m.startsWith("DEBUG"))
                    .hasSize(2)
                    .satisfiesExactly(
                            m -> assertThat(m).startsWith("WARN database orders is unavailable (failing for 0ms): connection refused; next try in 1s"),
                            m -> assertThat(m).startsWith("INFO database orders answers again after 31s"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void otherFailuresBackOffTooAndNeverEscape() {
        port.snapshotFailure = new IllegalStateException("driver bug");
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(s(1));
        assertThat(w.lookOnce()).isEqualTo(s(2));
        assertThat(w.status().lastError()).isEqualTo("driver bug");
        port.snapshotFailure = null;
        assertThat(w.lookOnce()).isEqualTo(s(1));
    }

    @Test
    void aKillThatThrowsBecomesAnErrorRecordAndTheLookGoesOn() {
        port.killer = r -> {
            if (r.threadId() == 1) {
                throw new IllegalStateException("boom");
            }
            return KillResult.killed();
        };
        port.showing(session(1).secs(40).build(), session(2).secs(31).build());
        watcher(BUSY_30S).lookOnce();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.ERROR, KillOutcome.KILLED);
        assertThat(listener.records.get(0).error()).contains("boom");
    }

    @Test
    void adapterOutcomesAreRecorded() {
        port.killer = r -> new KillResult(KillOutcome.GONE_ALREADY, "1094: Unknown thread id");
        port.showing(session(1).secs(40).build());
        watcher(BUSY_30S).lookOnce();
        assertThat(listener.outcomes()).containsExactly(KillOutcome.GONE_ALREADY);
        assertThat(listener.records.get(0).error()).isEqualTo("1094: Unknown thread id");
    }

    @Test
    void aThrowingListenerDoesNotStopTheKill() {
        KillListener bad = new KillListener() {
            @Override
            public void beforeKill(KillRecord intent) {
                throw new IllegalStateException("journal down");
            }

            @Override
            public void onRecord(KillRecord record) {
                throw new IllegalStateException("journal down");
            }
        };
        WatchSpec spec = new WatchSpec("orders", s(1), ms(50), List.of(BUSY_30S), Set.of(), 60, false, Set.of());
        port.showing(session(1).secs(40).build());
        new DatabaseWatcher("n", new WatchedDatabase(spec, port), gate, bad, clock, Sleeper.create(),
                DatabaseWatcher.INLINE_KILLS).lookOnce();
        assertThat(port.kills).hasSize(1);
    }

    @Test
    void waitsUntilTheClosestCandidateCrossesMeasuredFromTheLook() {
        port.showing(session(1).time(ms(29_600)).build());
        DatabaseWatcher w = watcher(BUSY_30S);
        assertThat(w.lookOnce()).isEqualTo(ms(400));
        port.onSnapshot = () -> clock.advance(ms(100)); // the look itself takes 100 ms
        assertThat(w.lookOnce()).isEqualTo(ms(300));
        port.showing();
        port.onSnapshot = () -> { };
        assertThat(w.lookOnce()).isEqualTo(s(1));
    }
}
