package io.querysniper.core.rules;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillBasis;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static io.querysniper.core.Fixtures.snapshot;
import static io.querysniper.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill decision at its edges: each limit exactly at and just past its boundary, ties, and the parts of a
 * verdict the watcher and the journal rely on (reason, basis, refusal). Complements {@link RuleEngineTest}.
 */
class RuleEngineEdgesTest {

    private static Evaluation evaluate(List<Rule> rules, Session... sessions) {
        return new RuleEngine(spec(rules.toArray(Rule[]::new))).evaluate(snapshot(sessions));
    }

    private static List<Long> killed(Evaluation e) {
        return e.verdicts().stream().map(v -> v.session().threadId()).toList();
    }

    // ---- arming: within one interval and the look grid's lateness (inclusive) --------------------

    @Test
    void aCrossingExactlyAtTheArmingHorizonIsArmedAndOneJustBeyondIsNot() {
        Rule busy = rule("busy").busy(s(30)).build();
        // spec interval: 1 s; a routine look may come WatchSpec.LOOK_GRID late, so the horizon is 1.05 s
        Evaluation atInterval = evaluate(List.of(busy), session(1).secs(29).build());
        assertThat(atInterval.upcoming()).singleElement().satisfies(u -> assertThat(u.dueIn()).isEqualTo(s(1)));
        assertThat(atInterval.nextLook()).isEqualTo(s(1));

        Evaluation atHorizon = evaluate(List.of(busy), session(1).time(ms(28_950)).build());
        assertThat(atHorizon.upcoming()).singleElement().satisfies(u -> assertThat(u.dueIn()).isEqualTo(ms(1_050)));

        Evaluation beyond = evaluate(List.of(busy), session(1).time(ms(28_949)).build());
        assertThat(beyond.upcoming()).isEmpty();
        assertThat(beyond.nextLook()).isEqualTo(s(1));
    }

    @Test
    void twoRulesThatCrossAtTheSameMomentArmTheEarlierRule() {
        Rule first = rule("first").busy(s(30)).build();
        Rule second = rule("second").busy(s(30)).action(KillAction.KILL_CONNECTION).build();
        Evaluation e = evaluate(List.of(first, second), session(1).time(ms(29_500)).build());
        assertThat(e.upcoming()).singleElement().satisfies(u -> {
            assertThat(u.verdict().rule().name()).isEqualTo("first");
            assertThat(u.verdict().action()).isEqualTo(KillAction.KILL_QUERY);
        });
    }

    @Test
    void ofTwoThresholdsOfOneRuleTheSoonerCrossingIsArmed() {
        Rule both = rule("both").busy(s(30)).trx(s(10)).action(KillAction.KILL_CONNECTION).build();
        Evaluation busyFirst = evaluate(List.of(both), session(1).time(ms(29_800)).trx(ms(9_500)).build());
        assertThat(busyFirst.upcoming()).singleElement().satisfies(u -> {
            assertThat(u.dueIn()).isEqualTo(ms(200));
            assertThat(u.verdict().basis()).isEqualTo(KillBasis.BUSY);
            assertThat(u.verdict().limit()).isEqualTo(s(30));
        });
        Evaluation trxFirst = evaluate(List.of(both), session(1).time(ms(29_500)).trx(ms(9_800)).build());
        assertThat(trxFirst.upcoming()).singleElement().satisfies(u -> {
            assertThat(u.dueIn()).isEqualTo(ms(200));
            assertThat(u.verdict().basis()).isEqualTo(KillBasis.TRANSACTION);
            assertThat(u.verdict().reason()).isEqualTo("transaction 10s >= transaction-time 10s");
        });
    }

    @Test
    void aConditionalRuleIsNeverArmedEvenWhenItsConditionsHold() {
        Rule lagging = rule("lag").busy(s(30)).when(new Conditions(s(5), -1)).build();
        Evaluation e = new RuleEngine(spec(lagging)).evaluate(snapshot(new ServerStatus(s(10), -1),
                session(1).time(ms(29_700)).build()));
        assertThat(e.upcoming()).isEmpty();
        assertThat(e.nextLook()).isEqualTo(ms(300));
        assertThat(RuleEngine.isArmable(lagging)).isFalse();
        assertThat(RuleEngine.isArmable(rule("plain").busy(s(30)).build())).isTrue();
    }

    // ---- verdicts: reason, basis, refusal ------------------------------------------------------

    @Test
    void anIdleVerdictNamesItsBasisAndLimit() {
        Rule idle = rule("idle").idle(s(60)).action(KillAction.KILL_CONNECTION).build();
        Verdict v = evaluate(List.of(idle), session(1).sleeping(61).build()).verdicts().get(0);
        assertThat(v.basis()).isEqualTo(KillBasis.IDLE);
        assertThat(v.reason()).isEqualTo("idle 1m1s >= idle-time 1m");
        assertThat(v.limit()).isEqualTo(s(60));
        assertThat(v.refusal()).isNull();
        Verdict busy = evaluate(List.of(rule("b").busy(s(1)).build()), session(2).secs(2).build()).verdicts().get(0);
        assertThat(busy.basis()).isEqualTo(KillBasis.BUSY);
    }

    @Test
    void anOwnTimeoutEqualToTheRuleIsTheRulesLimit() {
        Rule r = rule("r").busy(s(5)).build();
        Verdict v = evaluate(List.of(r), session(1).secs(6).info("/* query-sniper: timeout=5s */ select 1").build())
                .verdicts().get(0);
        assertThat(v.reason()).isEqualTo("busy 6s >= busy-time 5s");
    }

    @Test
    void theRollbackGuardCountsFromZeroRowsAndIsOffBelowZero() {
        Rule zero = rule("zero").trx(s(10)).action(KillAction.KILL_CONNECTION).maxRows(0).build();
        List<Verdict> v = evaluate(List.of(zero), session(1).sleeping(1).trx(s(20)).rows(0).build(),
                session(2).sleeping(1).trx(s(21)).rows(1).build()).verdicts();
        assertThat(v).extracting(x -> x.session().threadId()).containsExactly(2L, 1L);
        assertThat(v.get(0).refusal()).isEqualTo("transaction modified 1 rows > max-rows-modified 0: its rollback could outlast it");
        assertThat(v.get(1).refusal()).isNull();

        Rule off = rule("off").trx(s(10)).action(KillAction.KILL_CONNECTION).maxRows(-1).build();
        assertThat(evaluate(List.of(off), session(1).sleeping(1).trx(s(20)).rows(1_000_000).build())
                .verdicts().get(0).refusal()).isNull();
    }

    @Test
    void killQueryOnAnIdleSessionIsRefusedBeforeTheRollbackGuardSpeaks() {
        Rule r = rule("r").trx(s(10)).action(KillAction.KILL_QUERY).maxRows(0).build();
        Verdict v = evaluate(List.of(r), session(1).sleeping(1).trx(s(20)).rows(5).build()).verdicts().get(0);
        assertThat(v.refusal()).isEqualTo(RuleEngine.IDLE_KILL_QUERY);
    }

    @Test
    void sessionsOfTheSameAgeGoInThreadIdOrder() {
        Rule r = rule("r").busy(s(1)).build();
        assertThat(killed(evaluate(List.of(r), session(9).secs(40).build(), session(3).secs(40).build(),
                session(5).secs(41).build()))).containsExactly(5L, 3L, 9L);
    }

    // ---- pile-ups -----------------------------------------------------------------------------

    @Test
    void aPileUpWithoutACountActsOnAGroupOfOne() {
        Rule r = rule("pile").busy(s(1)).pileUp(GroupBy.USER, 0, Victims.ALL).build();
        Evaluation e = evaluate(List.of(r), session(1).secs(5).build());
        assertThat(killed(e)).containsExactly(1L);
        assertThat(e.verdicts().get(0).reason()).isEqualTo("busy 5s >= busy-time 1s (pile-up: 1 sessions by user, victims all)");
    }

    @Test
    void aGroupOneShortOfTheCountIsLeftForLaterRules() {
        Rule pile = rule("pile").busy(s(1)).pileUp(GroupBy.USER, 3, Victims.ALL).build();
        Rule later = rule("later").busy(s(1)).action(KillAction.LOG).build();
        Evaluation e = evaluate(List.of(pile, later), session(1).secs(5).build(), session(2).secs(6).build());
        assertThat(e.verdicts()).extracting(v -> v.session().threadId() + ":" + v.rule().name())
                .containsExactly("2:later", "1:later");
    }

    @Test
    void victimsOfSeveralGroupsAreOldestFirstAcrossGroups() {
        Rule r = rule("pile").busy(s(1)).pileUp(GroupBy.USER, 2, Victims.ALL_BUT_OLDEST).build();
        Evaluation e = evaluate(List.of(r),
                session(1).user("a").secs(50).build(), session(2).user("a").secs(10).build(),
                session(3).user("a").secs(30).build(),
                session(4).user("b").secs(60).build(), session(5).user("b").secs(20).build());
        assertThat(killed(e)).containsExactly(3L, 5L, 2L);
        assertThat(e.verdicts()).extracting(Verdict::reason).containsExactly(
                "busy 30s >= busy-time 1s (pile-up: 3 sessions by user, victims all-but-oldest)",
                "busy 20s >= busy-time 1s (pile-up: 2 sessions by user, victims all-but-oldest)",
                "busy 10s >= busy-time 1s (pile-up: 3 sessions by user, victims all-but-oldest)");
    }

    @Test
    void sessionsWithoutDbOrTextOrPortStillGroup() {
        Rule byDb = rule("db").busy(s(1)).pileUp(GroupBy.DB, 2, Victims.ALL).build();
        assertThat(killed(evaluate(List.of(byDb), session(1).db(null).secs(5).build(), session(2).db(null).secs(6).build(),
                session(3).db("shop").secs(7).build(), session(4).db("hr").secs(8).build()))).containsExactly(2L, 1L);

        Rule byText = rule("fp").busy(s(1)).pileUp(GroupBy.FINGERPRINT, 2, Victims.ALL).build();
        assertThat(killed(evaluate(List.of(byText), session(1).info(null).secs(5).build(),
                session(2).info(null).secs(6).build(), session(3).info("select 1").secs(7).build(),
                session(4).info("update t set a = 1").secs(8).build())))
                .containsExactly(2L, 1L);

        Rule byHost = rule("host").busy(s(1)).pileUp(GroupBy.HOST, 2, Victims.ALL).build();
        assertThat(killed(evaluate(List.of(byHost), session(1).host("localhost").secs(5).build(),
                session(2).host("localhost").secs(6).build(), session(3).host("otherhost").secs(7).build())))
                .containsExactly(2L, 1L);
    }

    // ---- conditions and what a look must fetch -------------------------------------------------

    @Test
    void aHistoryConditionOfZeroNeedsAKnownReading() {
        Rule r = rule("r").busy(s(1)).when(new Conditions(null, 0)).build();
        RuleEngine engine = new RuleEngine(spec(r));
        assertThat(engine.statusNeeds()).isEqualTo(new StatusNeeds(false, true));
        assertThat(engine.evaluate(snapshot(new ServerStatus(null, 0), session(1).secs(5).build())).verdicts()).hasSize(1);
        assertThat(engine.evaluate(snapshot(ServerStatus.UNKNOWN, session(1).secs(5).build())).verdicts()).isEmpty();
        ServerSnapshot noStatus = new ServerSnapshot(T0, List.of(session(1).secs(5).build()), Set.of(), null, true);
        assertThat(engine.evaluate(noStatus).verdicts()).as("no status reads as unknown").isEmpty();
    }

    @Test
    void aLagConditionAloneNeedsOnlyTheLag() {
        Rule r = rule("r").busy(s(1)).when(new Conditions(s(3), -1)).build();
        assertThat(new RuleEngine(spec(r)).statusNeeds()).isEqualTo(new StatusNeeds(true, false));
        assertThat(new RuleEngine(spec(r)).evaluate(new ServerSnapshot(T0, List.of(session(1).secs(5).build()), Set.of(),
                null, true)).verdicts()).isEmpty();
    }

    @Test
    void theSessionFilterTakesTheLowestLimitOfEachKindWhateverTheRuleOrder() {
        Rule slow = rule("slow").busy(s(30)).idle(s(10)).build();
        Rule fast = rule("fast").busy(s(10)).idle(s(30)).build();
        for (SessionFilter f : List.of(new RuleEngine(spec(slow, fast)).sessionFilter(),
                new RuleEngine(spec(fast, slow)).sessionFilter())) {
            assertThat(f.busyAtLeast()).isEqualTo(s(8));
            assertThat(f.idleAtLeast()).isEqualTo(s(8));
        }
        // A limit shorter than the look-ahead asks for every session of that kind.
        SessionFilter shortLimit = new RuleEngine(spec(rule("short").busy(ms(1500)).build())).sessionFilter();
        assertThat(shortLimit.busyAtLeast()).isEqualTo(Duration.ZERO);
        SessionFilter atLookAhead = new RuleEngine(spec(rule("two").busy(s(2)).build())).sessionFilter();
        assertThat(atLookAhead.busyAtLeast()).isEqualTo(Duration.ZERO);
        SessionFilter justOver = new RuleEngine(spec(rule("over").busy(ms(2001)).build())).sessionFilter();
        assertThat(justOver.busyAtLeast()).isEqualTo(ms(1));
    }

    @Test
    void theEngineKeepsItsSpec() {
        var spec = spec(rule("r").busy(s(1)).build());
        assertThat(new RuleEngine(spec).spec()).isSameAs(spec);
    }
}
