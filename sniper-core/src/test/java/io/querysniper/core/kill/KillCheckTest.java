package io.querysniper.core.kill;

import io.querysniper.core.model.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/** The re-check right before a KILL: is the thread still the one decided about? One row per case. */
class KillCheckTest {
    private static final Duration LATER = ms(300); // between the look and the re-check

    /** name, basis, seen, now (null: thread gone), sub-second ages, max rows, expected outcome (null: kill). */
    static Stream<Arguments> cases() {
        Session busy = session(1).queryId(7).secs(29.8).info("select a").build();
        Session busyNoIds = session(1).secs(29.8).info("select a").build();
        Session busyEvent = session(1).statementId(900).secs(29.8).info("select a").build();
        Session idle = session(1).queryId(7).sleeping(59.8).build();
        Session idleTrx = session(1).sleeping(2).trx(s(9.8)).trxId(555).rows(10).build();
        return Stream.of(
                Arguments.of("busy: same query id", KillBasis.BUSY, busy, session(1).queryId(7).secs(30.1).info("select a").build(), true, -1, null),
                Arguments.of("busy: thread gone", KillBasis.BUSY, busy, null, true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy: another query id", KillBasis.BUSY, busy, session(1).queryId(8).secs(0.1).info("select a").build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy: idle now", KillBasis.BUSY, busy, session(1).queryId(7).sleeping(0.2).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy: same event id (MySQL 8)", KillBasis.BUSY, busyEvent, session(1).statementId(900).secs(30.1).info("select a").build(), true, -1, null),
                Arguments.of("busy: another event id, same text", KillBasis.BUSY, busyEvent, session(1).statementId(901).secs(30.1).info("select a").build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy, no ids: same text, same start", KillBasis.BUSY, busyNoIds, session(1).secs(30).info("select a").build(), false, -1, null),
                Arguments.of("busy, no ids: same text started again", KillBasis.BUSY, busyNoIds, session(1).secs(0).info("select a").build(), false, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy, no ids: other text", KillBasis.BUSY, busyNoIds, session(1).secs(30.1).info("select b").build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("busy, no ids, no text: never blind", KillBasis.BUSY, session(1).secs(29.8).info(null).build(), session(1).secs(30.1).info(null).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("idle: same idle stretch", KillBasis.IDLE, idle, session(1).queryId(7).sleeping(60.1).build(), true, -1, null),
                Arguments.of("idle: picked up again, busy now", KillBasis.IDLE, idle, session(1).queryId(8).secs(0.1).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("idle: ran a statement since, idle again", KillBasis.IDLE, idle, session(1).queryId(7).sleeping(0.1).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("transaction: same trx id", KillBasis.TRANSACTION, idleTrx, session(1).sleeping(2.3).trx(s(10.1)).trxId(555).rows(10).build(), true, -1, null),
                Arguments.of("transaction: committed, a new one open", KillBasis.TRANSACTION, idleTrx, session(1).sleeping(0.1).trx(s(0)).trxId(556).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("transaction: none open", KillBasis.TRANSACTION, idleTrx, session(1).sleeping(0.1).build(), true, -1, KillOutcome.GONE_ALREADY),
                Arguments.of("rollback guard judged again: grew past it", KillBasis.TRANSACTION, idleTrx, session(1).secs(0.3).trx(s(10.1)).trxId(555).rows(5000).build(), true, 100, KillOutcome.REFUSED_ROLLBACK_GUARD),
                Arguments.of("rollback guard judged again: still under it", KillBasis.TRANSACTION, idleTrx, session(1).sleeping(2.3).trx(s(10.1)).trxId(555).rows(10).build(), true, 100, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theThreadMustStillBeTheOneDecidedAbout(String name, KillBasis basis, Session seen, Session now, boolean subSecond,
                                                long maxRows, KillOutcome expected) {
        KillCheck check = new KillCheck(basis, seen, T0, subSecond, "mariadb:1@db1:3306", maxRows);
        KillResult r = check.mismatch(now, T0.plus(LATER));
        if (expected == null) {
            assertThat(r).isNull();
        } else {
            assertThat(r).isNotNull();
            assertThat(r.outcome()).isEqualTo(expected);
            assertThat(r.detail()).doesNotContain("select"); // never query text
        }
    }

    @ParameterizedTest(name = "blind: {0} {1} byQueryId={2} maxRows={3}")
    @MethodSource("blindCases")
    void onlyKillQueryIdWithoutARollbackGuardGoesBlind(KillBasis basis, KillAction action, boolean byQueryId,
                                                      long maxRows, boolean blind) {
        KillCheck check = new KillCheck(basis, session(1).secs(1).build(), T0, true, null, maxRows);
        assertThat(check.blindSafe(action, byQueryId)).isEqualTo(blind);
    }

    static Stream<Arguments> blindCases() {
        return Stream.of(
                Arguments.of(KillBasis.BUSY, KillAction.KILL_QUERY, true, -1, true),
                Arguments.of(KillBasis.BUSY, KillAction.KILL_QUERY, false, -1, false),
                Arguments.of(KillBasis.BUSY, KillAction.KILL_QUERY, true, 100, false),
                Arguments.of(KillBasis.BUSY, KillAction.KILL_CONNECTION, true, -1, false),
                Arguments.of(KillBasis.IDLE, KillAction.KILL_CONNECTION, false, -1, false),
                Arguments.of(KillBasis.TRANSACTION, KillAction.KILL_CONNECTION, false, -1, false),
                Arguments.of(KillBasis.TRANSACTION, KillAction.KILL_QUERY, true, -1, false));
    }
}
