package io.querysniper.core.rules;

import io.querysniper.core.Fixtures.SessionBuilder;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.model.ThreadKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.exact;
import static io.querysniper.core.Fixtures.matchUser;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.regex;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static io.querysniper.core.Fixtures.snapshot;
import static io.querysniper.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

class RuleEngineTest {

    private static List<Long> killed(Rule rule, Session... sessions) {
        return killed(new RuleEngine(spec(rule)).evaluate(snapshot(sessions)));
    }

    private static List<Long> killed(Evaluation e) {
        return e.verdicts().stream().map(v -> v.session().threadId()).toList();
    }

    // ---- thresholds ---------------------------------------------------------------------------

    static Stream<Arguments> thresholds() {
        Rule busy = rule("busy").busy(s(30)).build();
        Rule idle = rule("idle").idle(s(60)).build();
        Rule trx = rule("trx").trx(s(10)).build();
        return Stream.of(
                Arguments.of("busy exactly at limit (inclusive)", busy, session(1).secs(30), true),
                Arguments.of("busy just under limit", busy, session(1).time(ms(29_999)), false),
                Arguments.of("busy over limit", busy, session(1).secs(45), true),
                Arguments.of("busy applies to Execute", busy, session(1).command("Execute").secs(31), true),
                Arguments.of("busy applies to Fetch", busy, session(1).command("Fetch").secs(31), true),
                Arguments.of("busy never applies to Sleep", busy, session(1).sleeping(3600), false),
                Arguments.of("idle applies to Sleep at limit", idle, session(1).sleeping(60), true),
                Arguments.of("idle under limit", idle, session(1).sleeping(59.9), false),
                Arguments.of("idle never applies to a busy Query", idle, session(1).secs(3600), false),
                Arguments.of("trx applies to an idle transaction", trx, session(1).sleeping(1).trx(s(10)), true),
                Arguments.of("trx applies to a busy transaction", trx, session(1).secs(1).trx(s(11)), true),
                Arguments.of("trx under limit", trx, session(1).secs(100).trx(s(9)), false),
                Arguments.of("trx needs a transaction", trx, session(1).sleeping(1000), false),
                Arguments.of("any threshold crossed is enough",
                        rule("both").busy(s(60)).trx(s(10)).build(), session(1).secs(5).trx(s(11)), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("thresholds")
    void thresholdsAreInclusiveAndApplyToTheirCommands(String name, Rule rule, SessionBuilder s, boolean breaks) {
        assertThat(killed(rule, s.build())).hasSize(breaks ? 1 : 0);
    }

    @Test
    void reasonAndLimitNameTheThresholdButNoQueryText() {
        Verdict v = new RuleEngine(spec(rule("r").busy(s(30)).build()))
                .evaluate(snapshot(session(1).secs(31.2).info("select secret from t").build())).verdicts().get(0);
        assertThat(v.reason()).isEqualTo("busy 31.2s >= busy-time 30s").doesNotContain("secret");
        assertThat(v.limit()).isEqualTo(s(30));
        assertThat(v.action()).isEqualTo(KillAction.KILL_QUERY);
        assertThat(v.refusal()).isNull();
    }

    // ---- match / ignore -----------------------------------------------------------------------

    static Stream<Arguments> matching() {
        SessionMatch userAndDb = new SessionMatch(exact("report"), null, exact("shop"), null, null, null);
        SessionMatch ignoreUserOrDb = new SessionMatch(exact("batch"), null, exact("archive"), null, null, null);
        SessionMatch infoRegex = new SessionMatch(null, null, null, null, null, Pattern.compile("(?i)^\\s*select"));
        SessionMatch hostExact = new SessionMatch(null, exact("10.0.0.7"), null, null, null, null);
        SessionMatch userRegex = new SessionMatch(regex("^rep"), null, null, null, null, null);
        return Stream.of(
                Arguments.of("match AND: both fields", userAndDb, SessionMatch.ANY, session(1).user("report"), true),
                Arguments.of("match AND: one field off", userAndDb, SessionMatch.ANY, session(1).user("report").db("hr"), false),
                Arguments.of("match AND: null db matches nothing", userAndDb, SessionMatch.ANY, session(1).user("report").db(null), false),
                Arguments.of("ignore OR: user", SessionMatch.ANY, ignoreUserOrDb, session(1).user("batch"), false),
                Arguments.of("ignore OR: db", SessionMatch.ANY, ignoreUserOrDb, session(1).db("archive"), false),
                Arguments.of("ignore OR: neither", SessionMatch.ANY, ignoreUserOrDb, session(1), true),
                Arguments.of("info regex matches", infoRegex, SessionMatch.ANY, session(1).info("  SELECT 1"), true),
                Arguments.of("info regex misses", infoRegex, SessionMatch.ANY, session(1).info("update t set a=1"), false),
                Arguments.of("info regex never matches null info", infoRegex, SessionMatch.ANY, session(1).info(null), false),
                Arguments.of("host matches without client port", hostExact, SessionMatch.ANY, session(1).host("10.0.0.7:41234"), true),
                Arguments.of("host other address", hostExact, SessionMatch.ANY, session(1).host("10.0.0.70:41234"), false),
                Arguments.of("user regex", userRegex, SessionMatch.ANY, session(1).user("reporting"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matching")
    void matchIsAndIgnoreIsOr(String name, SessionMatch match, SessionMatch ignore, SessionBuilder s, boolean breaks) {
        Rule r = rule("r").match(match).ignore(ignore).busy(s(1)).build();
        assertThat(killed(r, s.secs(5).build())).hasSize(breaks ? 1 : 0);
    }

    @Test
    void aRegexThatCannotDecideStopsNoOtherKillAndProtectsWhenIgnoring() {
        // An alternation under a star recurses once per character: on a 40 KB statement it overflows the
        // stack (and on other inputs backtracks without end). Without a guard the whole look fails.
        Pattern evil = Pattern.compile("(?i)^\\s*select(.|\\s)*from");
        String poison = "select " + "x".repeat(40_000);
        Rule matchEvil = rule("evil-match").match(new SessionMatch(null, null, null, null, null, evil)).busy(s(1)).build();
        Rule plain = rule("plain").match(new SessionMatch(exact("report"), null, null, null, null, null)).busy(s(1)).build();
        long t0 = System.nanoTime();
        List<Verdict> verdicts = new RuleEngine(spec(matchEvil, plain)).evaluate(snapshot(
                session(1).user("app").info(poison).secs(5).build(),
                session(2).user("report").info("select 1").secs(5).build())).verdicts();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(verdicts).extracting(v -> v.session().threadId()).containsExactly(2L);

        Rule ignoreEvil = rule("everything").ignore(new SessionMatch(null, null, null, null, null, evil)).busy(s(1)).build();
        assertThat(killed(ignoreEvil, session(1).info(poison).secs(5).build()))
                .as("an undecided ignore protects the session").isEmpty();
    }

    // ---- protected sessions -------------------------------------------------------------------

    static Stream<Arguments> protectedSessions() {
        return Stream.of(
                Arguments.of("MySQL 8 replica applier: system user, Command=Query", session(2).user("system user").command("Query")
                        .state("Waiting for an event from Coordinator").info(null)),
                Arguments.of("replica I/O thread", session(2).user("system user").command("Connect").state("Waiting for source to send event")),
                Arguments.of("binlog dump", session(2).user("repl").command("Binlog Dump").state("Master has sent all binlog to slave")),
                Arguments.of("binlog dump GTID", session(2).user("repl").command("Binlog Dump GTID")),
                Arguments.of("MariaDB slave SQL", session(2).user("someone").command("Slave_SQL")),
                Arguments.of("MariaDB slave worker", session(2).user("someone").command("Slave_worker")),
                Arguments.of("replica state without user hint", session(2).user("x").command("Query").state("Slave has read all relay log; waiting")),
                Arguments.of("replica state, new wording", session(2).user("x").command("Query").state("Replica has read all relay log; waiting for more updates")),
                Arguments.of("event scheduler", session(2).user("event_scheduler").command("Daemon")),
                Arguments.of("daemon thread", session(2).user("x").command("Daemon")),
                Arguments.of("unauthenticated user", session(2).user("unauthenticated user").command("Connect")),
                Arguments.of("background kind", session(2).kind(ThreadKind.BACKGROUND)),
                Arguments.of("replication kind", session(2).kind(ThreadKind.REPLICATION)),
                Arguments.of("protected user", session(2).user("dba")),
                Arguments.of("already killed (command)", session(2).command("Killed")),
                Arguments.of("already killed (state)", session(2).state("Killed")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protectedSessions")
    void protectedSessionsAreNeverKilled(String name, SessionBuilder s) {
        Rule everything = rule("everything").busy(ms(1)).idle(ms(1)).trx(ms(1)).build();
        Session victim = s.secs(10_000).trx(s(10_000)).build();
        assertThat(killed(everything, victim)).isEmpty();
        assertThat(new RuleEngine(spec(everything)).protectedSessions().reason(victim, snapshot(victim))).isNotNull();
    }

    @Test
    void ownConnectionsAreNeverKilled() {
        Rule everything = rule("everything").busy(ms(1)).build();
        ServerSnapshot snap = new ServerSnapshot(T0, List.of(session(7).secs(100).build(), session(8).secs(100).build()),
                Set.of(7L), ServerStatus.UNKNOWN, true);
        assertThat(killed(new RuleEngine(spec(everything)).evaluate(snap))).containsExactly(8L);
    }

    // ---- rule order ---------------------------------------------------------------------------

    @Test
    void firstRuleBrokenDecides() {
        Rule first = rule("first").match(matchUser("app")).busy(s(10)).action(KillAction.LOG).build();
        Rule second = rule("second").busy(s(5)).build();
        Evaluation e = new RuleEngine(spec(first, second)).evaluate(snapshot(
                session(1).secs(12).build(),          // breaks both: first decides
                session(2).secs(7).build(),           // matches first but only breaks second
                session(3).user("other").secs(6).build()));
        assertThat(e.verdicts()).extracting(v -> v.session().threadId() + ":" + v.rule().name())
                .containsExactly("1:first", "2:second", "3:second");
    }

    @Test
    void verdictsOfOneRuleAreOldestFirst() {
        Rule r = rule("r").busy(s(1)).build();
        assertThat(killed(r, session(1).secs(2).build(), session(2).secs(9).build(), session(3).secs(5).build()))
                .containsExactly(2L, 3L, 1L);
    }

    // ---- pile-ups -----------------------------------------------------------------------------

    private static Session[] pile() {
        return new Session[] {
                session(1).user("a").secs(10).build(), session(2).user("a").secs(30).build(),
                session(3).user("a").secs(20).build(), session(4).user("b").secs(50).build(),
                session(5).user("b").secs(40).build(), session(6).user("c").secs(0.5).build()};
    }

    static Stream<Arguments> victims() {
        return Stream.of(
                Arguments.of(Victims.ALL, List.of(2L, 3L, 1L)),
                Arguments.of(Victims.OLDEST, List.of(2L)),
                Arguments.of(Victims.ALL_BUT_OLDEST, List.of(3L, 1L)));
    }

    @ParameterizedTest(name = "victims {0}")
    @MethodSource("victims")
    void pileUpActsOnlyOnGroupsBigEnough(Victims victims, List<Long> expected) {
        Rule r = rule("pile").busy(s(1)).pileUp(GroupBy.USER, 3, victims).build();
        Evaluation e = new RuleEngine(spec(r)).evaluate(snapshot(pile()));
        assertThat(killed(e)).containsExactlyElementsOf(expected);
        assertThat(e.verdicts().get(0).reason()).contains("pile-up: 3 sessions by user");
    }

    @Test
    void pileUpSparesTheWholeQualifyingGroupFromLaterRulesButNotSmallGroups() {
        Rule pile = rule("pile").busy(s(1)).pileUp(GroupBy.USER, 3, Victims.ALL_BUT_OLDEST).build();
        Rule catchAll = rule("catch-all").busy(s(1)).build();
        Evaluation e = new RuleEngine(spec(pile, catchAll)).evaluate(snapshot(pile()));
        assertThat(e.verdicts()).extracting(v -> v.session().threadId() + ":" + v.rule().name())
                .containsExactly("3:pile", "1:pile", "4:catch-all", "5:catch-all");
    }

    @Test
    void pileUpByHostIgnoresClientPortAndByFingerprintGroupsSameShape() {
        Rule byHost = rule("h").busy(s(1)).pileUp(GroupBy.HOST, 2, Victims.ALL).build();
        assertThat(killed(byHost, session(1).host("10.0.0.1:1000").secs(5).build(),
                session(2).host("10.0.0.1:2000").secs(5).build(), session(3).host("10.0.0.2:1000").secs(5).build()))
                .containsExactly(1L, 2L);
        Rule byFp = rule("f").busy(s(1)).pileUp(GroupBy.FINGERPRINT, 2, Victims.OLDEST).build();
        assertThat(killed(byFp, session(1).secs(5).build(), session(2).secs(6).build())).containsExactly(2L);
    }

    // ---- conditions ---------------------------------------------------------------------------

    static Stream<Arguments> conditions() {
        Conditions lag = new Conditions(s(30), -1);
        Conditions history = new Conditions(null, 1_000_000);
        Conditions both = new Conditions(s(30), 1_000_000);
        return Stream.of(
                Arguments.of("lag over", lag, new ServerStatus(s(31), -1), true),
                Arguments.of("lag exactly at", lag, new ServerStatus(s(30), -1), true),
                Arguments.of("lag under", lag, new ServerStatus(s(5), -1), false),
                Arguments.of("lag unknown: inactive", lag, ServerStatus.UNKNOWN, false),
                Arguments.of("history over", history, new ServerStatus(null, 2_000_000), true),
                Arguments.of("history under", history, new ServerStatus(null, 10), false),
                // Mutation testing: the history bound is inclusive like every other limit.
                Arguments.of("history exactly at", history, new ServerStatus(null, 1_000_000), true),
                Arguments.of("history just under", history, new ServerStatus(null, 999_999), false),
                Arguments.of("history unknown: inactive", history, ServerStatus.UNKNOWN, false),
                Arguments.of("both must hold", both, new ServerStatus(s(31), 10), false),
                Arguments.of("both hold", both, new ServerStatus(s(31), 1_000_000), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conditions")
    void conditionsGateTheRule(String name, Conditions when, ServerStatus status, boolean active) {
        Rule r = rule("r").busy(s(1)).when(when).build();
        assertThat(new RuleEngine(spec(r)).evaluate(snapshot(status, session(1).secs(5).build())).verdicts())
                .hasSize(active ? 1 : 0);
    }

    @Test
    void statusNeedsFollowTheConditions() {
        assertThat(new RuleEngine(spec(rule("r").busy(s(1)).build())).statusNeeds()).isEqualTo(StatusNeeds.NONE);
        assertThat(new RuleEngine(spec(rule("a").busy(s(1)).when(new Conditions(s(3), -1)).build(),
                rule("b").busy(s(1)).when(new Conditions(null, 5)).build())).statusNeeds())
                .isEqualTo(new StatusNeeds(true, true));
    }

    @Test
    void killQueryIsNeverSentToAnIdleSessionOnlyReported() {
        Rule r = rule("old-trx").trx(s(60)).action(KillAction.KILL_QUERY).build();
        List<Verdict> verdicts = new RuleEngine(spec(r)).evaluate(snapshot(
                session(1).sleeping(5).trx(s(61)).build(),
                session(2).command("Query").secs(5).trx(s(61)).build())).verdicts();
        assertThat(verdicts).hasSize(2);
        assertThat(verdicts.get(0).session().threadId()).isEqualTo(1L);
        assertThat(verdicts.get(0).refusal()).isEqualTo(RuleEngine.IDLE_KILL_QUERY);
        assertThat(verdicts.get(1).refusal()).as("a busy session's statement can be killed").isNull();
        Rule connection = rule("old-trx").trx(s(60)).action(KillAction.KILL_CONNECTION).build();
        assertThat(new RuleEngine(spec(connection)).evaluate(snapshot(session(1).sleeping(5).trx(s(61)).build()))
                .verdicts().get(0).refusal()).isNull();
    }

    // ---- rollback guard -----------------------------------------------------------------------

    @Test
    void rollbackGuardRefusesLargeTransactionsButStillReportsThem() {
        Rule r = rule("r").trx(s(10)).action(KillAction.KILL_CONNECTION).maxRows(1000).build();
        Evaluation e = new RuleEngine(spec(r)).evaluate(snapshot(
                session(1).sleeping(1).trx(s(20)).rows(1001).build(),
                session(2).sleeping(1).trx(s(20)).rows(1000).build()));
        assertThat(e.verdicts()).hasSize(2);
        assertThat(e.verdicts().get(0).refusal()).contains("1001 rows").contains("max-rows-modified 1000");
        assertThat(e.verdicts().get(1).refusal()).isNull();
        Rule logOnly = rule("l").trx(s(10)).action(KillAction.LOG).maxRows(0).build();
        assertThat(new RuleEngine(spec(logOnly)).evaluate(snapshot(session(1).trx(s(20)).rows(5).build()))
                .verdicts().get(0).refusal()).isNull();
    }

    // ---- the query speaks for itself ----------------------------------------------------------

    @Test
    void ownTimeoutOnlyEverShortensTheBusyLimit() {
        Rule r = rule("r").busy(s(30)).build();
        Verdict v = new RuleEngine(spec(r)).evaluate(snapshot(
                session(1).secs(6).info("/* query-sniper: timeout=5s */ select 1").build())).verdicts().get(0);
        assertThat(v.limit()).isEqualTo(s(5));
        assertThat(v.reason()).isEqualTo("busy 6s >= query timeout 5s");
        assertThat(killed(r, session(1).secs(31).info("/* query-sniper: timeout=60s */ select 1").build())).hasSize(1);
        assertThat(killed(r, session(1).secs(29).info("/* query-sniper: timeout=60s */ select 1").build())).isEmpty();
        assertThat(killed(r, session(1).secs(2).info("select /*+ MAX_EXECUTION_TIME(2000) */ 1").build())).hasSize(1);
        Rule idleOnly = rule("i").idle(s(30)).build();
        assertThat(killed(idleOnly, session(1).secs(100).info("/* query-sniper: timeout=1s */ select 1").build())).isEmpty();
    }

    @Test
    void skipCommentOptsOutOnlyWhereTheRuleAllowsIt() {
        String skip = "select /* query-sniper: skip */ sleep(100)";
        Rule allows = rule("allows").busy(s(1)).allowSkip().build();
        Rule forbids = rule("forbids").busy(s(1)).build();
        assertThat(killed(allows, session(1).secs(5).info(skip).build())).isEmpty();
        assertThat(killed(forbids, session(1).secs(5).info(skip).build())).hasSize(1);
        Evaluation e = new RuleEngine(spec(allows, forbids)).evaluate(snapshot(session(1).secs(5).info(skip).build()));
        assertThat(e.verdicts()).extracting(v -> v.rule().name()).containsExactly("forbids");
    }

    // ---- nextLook -----------------------------------------------------------------------------

    /** name, sessions, expected next look, expected first armed kill (null: none armed). */
    static Stream<Arguments> nextLooks() {
        return Stream.of(
                Arguments.of("no candidate: interval", new Session[] {session(1).user("nobody").secs(1).build()}, s(1), null),
                Arguments.of("candidate crosses in 300 ms: armed", new Session[] {session(1).time(ms(29_700)).build()}, s(1), ms(300)),
                Arguments.of("closest of several is armed first", new Session[] {session(1).secs(29.2).build(), session(2).secs(29.9).build()}, s(1), ms(100)),
                Arguments.of("an armed kill is not bounded by min spacing", new Session[] {session(1).time(ms(29_990)).build()}, s(1), ms(10)),
                Arguments.of("beyond the interval: neither", new Session[] {session(1).secs(3).build()}, s(1), null),
                Arguments.of("idle candidate", new Session[] {session(1).sleeping(59.6).build()}, s(1), ms(400)),
                Arguments.of("own timeout candidate", new Session[] {session(1).secs(4.8).info("/* query-sniper: timeout=5s */ x").build()}, s(1), ms(200)),
                Arguments.of("crossed sessions are not candidates", new Session[] {session(1).secs(31).build()}, s(1), null),
                Arguments.of("protected sessions are not candidates", new Session[] {session(1).user("dba").secs(29.8).build()}, s(1), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nextLooks")
    void closeCandidatesAreArmedAndTheNextLookStaysAtTheInterval(String name, Session[] sessions, Duration nextLook,
                                                                 Duration firstArmed) {
        Rule busy = rule("busy").match(matchUser("app", "dba")).busy(s(30)).build();
        Rule idle = rule("idle").match(matchUser("app")).idle(s(60)).build();
        Evaluation e = new RuleEngine(spec(busy, idle)).evaluate(snapshot(sessions));
        assertThat(e.nextLook()).isEqualTo(nextLook);
        if (firstArmed == null) {
            assertThat(e.upcoming()).isEmpty();
        } else {
            assertThat(e.upcoming()).isNotEmpty();
            assertThat(e.upcoming().get(0).dueIn()).isEqualTo(firstArmed);
        }
    }

    /** name, sessions, expected next look: verdicts that depend on more than one session are decided at look time. */
    static Stream<Arguments> lookTimeRules() {
        return Stream.of(
                Arguments.of("the closest pile-up candidate crosses in 200 ms", new Session[] {session(1).time(ms(29_700)).build(),
                        session(2).time(ms(29_800)).build()}, ms(200)),
                Arguments.of("bounded by min spacing", new Session[] {session(1).time(ms(29_990)).build(),
                        session(2).time(ms(29_995)).build()}, ms(50)),
                Arguments.of("bounded by interval", new Session[] {session(1).secs(3).build()}, s(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lookTimeRules")
    void pileUpsAreNeverArmedAndBringTheNextLookForward(String name, Session[] sessions, Duration expected) {
        Rule pileUp = rule("pile").busy(s(30)).pileUp(GroupBy.USER, 2, Victims.ALL).build();
        Evaluation e = new RuleEngine(spec(pileUp)).evaluate(snapshot(sessions));
        assertThat(e.upcoming()).isEmpty();
        assertThat(e.nextLook()).isEqualTo(expected);
    }

    @Test
    void anArmedVerdictIsAsOfItsCrossingAndNamesItsBasis() {
        Rule trx = rule("trx").trx(s(10)).action(KillAction.KILL_CONNECTION).build();
        Evaluation e = new RuleEngine(spec(trx)).evaluate(snapshot(session(1).sleeping(2).trx(ms(9_600)).build()));
        assertThat(e.upcoming()).singleElement().satisfies(u -> {
            assertThat(u.dueIn()).isEqualTo(ms(400));
            assertThat(u.verdict().reason()).isEqualTo("transaction 10s >= transaction-time 10s");
            assertThat(u.verdict().basis()).isEqualTo(io.querysniper.core.kill.KillBasis.TRANSACTION);
        });
    }

    @Test
    void theRuleThatWillBreakFirstIsArmedAndAnEarlierPileUpThatTiesIsNot() {
        Rule slow = rule("slow").busy(s(30)).build();
        Rule fast = rule("fast").busy(s(10)).build();
        Evaluation e = new RuleEngine(spec(slow, fast)).evaluate(snapshot(session(1).time(ms(9_500)).build()));
        assertThat(e.upcoming()).singleElement().satisfies(u -> assertThat(u.verdict().rule().name()).isEqualTo("fast"));
        Rule pile = rule("pile").busy(s(10)).pileUp(GroupBy.USER, 2, Victims.ALL).build();
        Evaluation tie = new RuleEngine(spec(pile, fast)).evaluate(snapshot(session(1).time(ms(9_500)).build()));
        assertThat(tie.upcoming()).isEmpty();
        assertThat(tie.nextLook()).isEqualTo(ms(500));
    }

    @Test
    void theSessionFilterAsksOnlyForWhatCanBreakARuleBeforeTheNextLook() {
        Rule busy = rule("busy").busy(s(30)).build();
        Rule idle = rule("idle").idle(s(60)).action(KillAction.KILL_CONNECTION).build();
        SessionFilter f = new RuleEngine(spec(busy, idle)).sessionFilter();
        assertThat(f.busyAtLeast()).isEqualTo(s(28)); // interval 1 s, looked ahead twice that
        assertThat(f.idleAtLeast()).isEqualTo(s(58));
        assertThat(f.transactionAtLeast()).isNull();
        assertThat(f.hintedQueries()).isTrue();
        assertThat(f.transactions()).isFalse(); // no limit and no guard reads the transaction list
        SessionFilter guarded = new RuleEngine(spec(rule("g").busy(s(30)).maxRows(1000).build())).sessionFilter();
        assertThat(guarded.transactionAtLeast()).isNull();
        assertThat(guarded.transactions()).isTrue(); // the rollback guard reads rows modified
        SessionFilter trxOnly = new RuleEngine(spec(rule("t").trx(ms(1500)).action(KillAction.KILL_CONNECTION)
                .build())).sessionFilter();
        assertThat(trxOnly.busyAtLeast()).isNull();
        assertThat(trxOnly.idleAtLeast()).isNull();
        assertThat(trxOnly.transactionAtLeast()).isEqualTo(Duration.ZERO);
        assertThat(trxOnly.hintedQueries()).isFalse();
        assertThat(trxOnly.transactions()).isTrue();
        assertThat(new SessionFilter(null, null, s(1), false, false).transactions())
                .as("a transaction bound reads the transaction list whatever was asked").isTrue();
    }
}
