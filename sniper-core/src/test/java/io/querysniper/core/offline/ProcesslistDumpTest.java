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
        try (InputStream in = ProcesslistDumpTest.class.getResourceAsStream("/processlist/" + name)) {
            return ProcesslistDump.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name, T0);
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
