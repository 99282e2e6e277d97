package io.querysniper.core.offline;

import io.querysniper.core.SniperException;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;
import io.querysniper.core.rules.Evaluation;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.watch.SniperEngine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcesslistDumpTest {

    private static ServerSnapshot load(String name) {
        return ProcesslistDump.parse(text(name), name, T0);
    }

    private static String text(String name) {
        try (InputStream in = ProcesslistDumpTest.class.getResourceAsStream("/processlist/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Session byId(ServerSnapshot s, long id) {
        return s.sessions().stream().filter(x -> x.threadId() == id).findFirst().orElseThrow();
    }

    @Test
    void mysqlBatchWithEscapesAndNulls() {
        ServerSnapshot snap = load("mysql8-batch.tsv");
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(5L, 12L, 13L, 14L, 15L);
        assertThat(snap.takenAt()).isEqualTo(T0);
        assertThat(snap.subSecondAges()).isFalse();
        Session q = byId(snap, 12);
        assertThat(q.user()).isEqualTo("app");
        assertThat(q.host()).isEqualTo("10.0.0.5:50312");
        assertThat(q.db()).isEqualTo("shop");
        assertThat(q.command()).isEqualTo("Query");
        assertThat(q.state()).isEqualTo("Sending data");
        assertThat(q.info()).isEqualTo("select * from orders where note = 'a\tb'\nand id > 5");
        assertThat(q.time()).isEqualTo(Duration.ofSeconds(31));
        assertThat(q.transactionAge()).isNull();
        assertThat(q.kind()).isEqualTo(ThreadKind.FOREGROUND);
        Session idle = byId(snap, 13);
        assertThat(idle.state()).isNull();
        assertThat(idle.info()).isNull();
        assertThat(byId(snap, 5).db()).isNull();
        assertThat(byId(snap, 5).kind()).isEqualTo(ThreadKind.BACKGROUND);
        assertThat(byId(snap, 14).kind()).isEqualTo(ThreadKind.REPLICATION);
    }

    @Test
    void rulesRunOfflineAgainstADump() {
        Rule r = rule("everything").busy(s(0.001)).idle(s(600)).build();
        Evaluation e = SniperEngine.scan(spec(r), load("mysql8-batch.tsv"));
        // event scheduler, MySQL 8 applier (system user, Command=Query) are protected; root's own look is 0 s
        assertThat(e.verdicts()).extracting(v -> v.session().threadId()).containsExactly(13L, 12L); // oldest first
    }

    @Test
    void mariadbBatchWithProgressAndNullTime() {
        ServerSnapshot snap = load("mariadb-batch.tsv");
        assertThat(byId(snap, 1).time()).isEqualTo(Duration.ZERO);
        assertThat(byId(snap, 22).info()).isEqualTo("select c from big /* query-sniper: timeout=5s */");
        assertThat(byId(snap, 22).time()).isEqualTo(Duration.ofSeconds(95));
    }

    @Test
    void informationSchemaOutputWithTimeMsAndQueryId() {
        ServerSnapshot snap = load("mariadb-is-timems.tsv");
        assertThat(snap.subSecondAges()).isTrue();
        Session s = snap.sessions().get(0);
        assertThat(s.time()).isEqualTo(Duration.ofNanos(2_345_678_000L));
        assertThat(s.queryId()).isEqualTo(9001);
    }

    @Test
    void mariadbTableWithMultiLineInfoContainingBars() {
        ServerSnapshot snap = load("mariadb-table.txt");
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(1L, 12L, 13L, 14L);
        assertThat(byId(snap, 1).host()).isEmpty();
        assertThat(byId(snap, 1).db()).isNull();
        assertThat(byId(snap, 12).info()).isEqualTo("select sleep(100)");
        assertThat(byId(snap, 12).time()).isEqualTo(Duration.ofSeconds(31));
        assertThat(byId(snap, 13).info()).isEqualTo("select 'a | b'\nfrom dual");
        assertThat(byId(snap, 13).command()).isEqualTo("Query");
        assertThat(byId(snap, 14).state()).isNull();
        assertThat(byId(snap, 14).command()).isEqualTo("Sleep");
    }

    @Test
    void verticalWithMultiLineInfo() {
        ServerSnapshot snap = load("mysql-vertical.txt");
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(5L, 12L);
        Session q = byId(snap, 12);
        assertThat(q.info()).isEqualTo("select *\nfrom orders\nwhere id: 5");
        assertThat(q.time()).isEqualTo(Duration.ofSeconds(31));
        assertThat(q.state()).isEqualTo("Sending data");
        assertThat(byId(snap, 5).info()).isNull();
    }

    @Test
    void pastedMariadbSessionWithPromptsFooterAndAFollowingQuery() {
        ServerSnapshot snap = load("mariadb-session-table.txt");
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(5L, 14L, 21L, 22L);
        assertThat(byId(snap, 21).info()).isEqualTo("select sleep(100)");
        assertThat(byId(snap, 14).command()).isEqualTo("Delayed insert");
        assertThat(byId(snap, 14).kind()).isEqualTo(ThreadKind.BACKGROUND);
        Rule r = rule("everything").busy(s(1)).build();
        // the event scheduler and the INSERT DELAYED handler (400 s "busy") are server threads
        assertThat(SniperEngine.scan(spec(r), snap).verdicts()).extracting(v -> v.session().threadId())
                .containsExactly(21L);
    }

    @Test
    void pastedMysql8VerticalSessionLeavesUnknownColumnsOutOfInfo() {
        ServerSnapshot snap = load("mysql8-session-vertical.txt");
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(5L, 12L, 13L);
        Session q = byId(snap, 12);
        // EXECUTION_ENGINE is a column (its name ends where ID's does); "   where:" is a line of the Info
        assertThat(q.info()).isEqualTo("select *\nfrom orders\n   where: note = 'paid'");
        assertThat(q.state()).isEqualTo("executing");
        assertThat(q.time()).isEqualTo(Duration.ofSeconds(31));
        assertThat(byId(snap, 5).info()).isNull();
        assertThat(byId(snap, 13).state()).isNull();
        assertThat(byId(snap, 13).info()).isNull();
        assertThat(byId(snap, 13).isSleeping()).isTrue();

        // The same rows saved by mysql -e '...\\G' (no prompt, no footer): same sessions.
        String saved = text("mysql8-session-vertical.txt").lines().skip(2).limit(32).reduce("", (a, b) -> a + b + "\n");
        ServerSnapshot same = ProcesslistDump.parse(saved, "saved.txt", T0);
        assertThat(same.sessions()).usingRecursiveFieldByFieldElementComparator().isEqualTo(snap.sessions());
    }

    @Test
    void perconaVerticalWithTimeMsRowsSentAndRowsExamined() {
        ServerSnapshot snap = load("percona-vertical.txt");
        assertThat(snap.subSecondAges()).isTrue();
        assertThat(snap.sessions()).extracting(Session::threadId).containsExactly(7L, 8L, 9L);
        assertThat(byId(snap, 7).info()).isEqualTo("select c from big\nwhere a = 1");
        assertThat(byId(snap, 7).time()).isEqualTo(Duration.ofMillis(95_123));
        assertThat(byId(snap, 8).kind()).isEqualTo(ThreadKind.BACKGROUND);
        Rule r = rule("everything").busy(s(1)).build();
        assertThat(SniperEngine.scan(spec(r), snap).verdicts()).extracting(v -> v.session().threadId())
                .containsExactly(7L);
    }

    @Test
    void verticalWhoseAlignmentWasLostInACopyFallsBackToTheKnownNames() {
        String dump = String.join("\n", "*************************** 1. row ***************************",
                "Id: 12", "User: app", "Host: h:1", "db: shop", "Command: Query", "Time: 31", "State: executing",
                "Info: select 1", "where: x", "Rows_sent: 0", "1 row in set (0.00 sec)", "");
        Session s = ProcesslistDump.parse(dump, "copied.txt", T0).sessions().get(0);
        assertThat(s.info()).isEqualTo("select 1\nwhere: x\nRows_sent: 0");
        assertThat(s.command()).isEqualTo("Query");
    }

    @Test
    void customPromptsAndContinuationLinesBeforeTheOutputAreSkipped() {
        String dump = String.join("\n", "", "root@db1 [shop]> SHOW FULL", "    -> PROCESSLIST;",
                "Id\tUser\tHost\tdb\tCommand\tTime\tState\tInfo", "3\tapp\th:1\tshop\tQuery\t5\texecuting\tselect 1", "");
        assertThat(ProcesslistDump.parse(dump, "p.txt", T0).sessions()).extracting(Session::threadId).containsExactly(3L);
        assertThatThrownBy(() -> ProcesslistDump.parse("mysql> SHOW PROCESSLIST;\n", "only-prompt.txt", T0))
                .hasMessage("only-prompt.txt: empty process list dump");
    }

    @Test
    void errorsNameTheSourceAndLine() {
        assertThatThrownBy(() -> load("bad-columns.tsv")).isInstanceOf(SniperException.class)
                .hasMessage("bad-columns.tsv:2: expected 8 tab-separated columns, found 7");
        assertThatThrownBy(() -> load("bad-id.tsv")).isInstanceOf(SniperException.class)
                .hasMessage("bad-id.tsv:3: Id 'abc' is not a whole number");
        assertThatThrownBy(() -> ProcesslistDump.parse("Id\tUser\tHost\n1\ta\tb\n", "x.tsv", T0))
                .hasMessage("x.tsv:1: no 'command' column (is this SHOW FULL PROCESSLIST output?)");
        assertThatThrownBy(() -> ProcesslistDump.parse("\n\n", "empty.txt", T0)).hasMessage("empty.txt: empty process list dump");
        assertThatThrownBy(() -> ProcesslistDump.parse("*** 1. row ***\n     Id: 1\n", "v.txt", T0))
                .hasMessageStartingWith("v.txt:1: no 'user' column");
    }

    @Test
    void unescapeHandlesTheClientEscapes() {
        assertThat(ProcesslistDump.unescape("a\\tb\\nc\\\\d\\0")).isEqualTo("a\tb\nc\\d\0");
        assertThat(List.of(ProcesslistDump.unescape("plain"))).containsExactly("plain");
    }
}
