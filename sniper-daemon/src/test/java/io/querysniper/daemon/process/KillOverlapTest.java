package io.querysniper.daemon.process;

import io.querysniper.daemon.process.KillOverlap.Kill;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The overlap checker of the process tests, on made-up timelines: it must see what it claims to. */
class KillOverlapTest {
    private static final Duration GAP = Duration.ofSeconds(1);
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    /** {@code timeline}: space-separated node@milliseconds. */
    @ParameterizedTest(name = "{0}: {1} overlap(s)")
    @CsvSource(delimiter = '|', textBlock = """
            one node killing alone                   | 0 | a@0 a@250 a@500 a@750 a@5000
            a hand-over                              | 0 | a@0 a@250 a@500 b@530 b@780 b@1030
            hand-over and back after a restart       | 0 | a@0 a@250 b@300 b@550 b@4000 a@4100 a@4350
            crash: a gap, then the next owner        | 0 | a@0 a@250 b@5000 b@5250
            two owners at once, taking turns         | 4 | a@0 b@10 a@250 b@260 a@500 b@510
            a late kill of the old owner             | 2 | a@0 a@250 b@300 b@550 a@560
            a lone kill of another node in a term    | 1 | a@0 a@250 b@300 a@500
            same instant is not inside               | 0 | a@0 a@250 b@250 b@500
            """)
    void findsKillsInsideAnotherNodesTerm(String name, int expected, String timeline) {
        List<Kill> kills = new ArrayList<>();
        for (String e : timeline.trim().split(" +")) {
            String[] p = e.split("@");
            kills.add(new Kill(p[0], T0.plusMillis(Long.parseLong(p[1])), e));
        }
        assertThat(KillOverlap.overlaps(kills, GAP)).as(name).hasSize(expected);
    }
}
