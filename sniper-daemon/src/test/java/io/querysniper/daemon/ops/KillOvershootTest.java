package io.querysniper.daemon.ops;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.SessionMatch;
import io.querysniper.core.rules.Victims;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KillOvershootTest {
    private static final Instant DECIDED = Instant.parse("2026-01-01T00:00:00Z");

    private static Duration ms(Long v) {
        return v == null ? null : Duration.ofMillis(v);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            // case,                         command, age, trx age, busy, idle, trx, answered after, expected s
            "busy: 200 ms past at the look and the KILL 50 ms later, Query, 1200, -1, 1000, -, -, 50, 0.25",
            "exactly at the limit,           Query, 1000, -1, 1000, -, -, 0, 0.0",
            "idle connection: the idle limit, Sleep, 5300, -1, 1000, 5000, -, 0, 0.3",
            "transaction crossed first,      Query, 1100, 9000, 1000, -, 8000, 0, 1.0",
            "a hint's shorter limit is never negative, Query, 400, -1, 1000, -, -, 0, 0.0",
            "no limit that applies,          Sleep, 900, -1, 1000, -, -, 0, -",
    })
    void overshoot(String name, String command, long age, long trxAge, Long busy, Long idle, Long trx, long after,
                   Double expected) {
        Rule rule = new Rule("r", SessionMatch.ANY, SessionMatch.ANY, ms(busy), ms(idle), ms(trx), KillAction.KILL_QUERY,
                null, 1, Victims.ALL, false, -1, Conditions.NONE);
        KillRecord r = new KillRecord(DECIDED.toEpochMilli() + "-n1-7", DECIDED.plusMillis(after), "n1", "shop", 5, 9,
                "u", "h", "db", command, null, age, trxAge, 0, "r", KillAction.KILL_QUERY, KillOutcome.KILLED, null,
                "select ?", "d", null, Map.of(), false);
        Double got = KillOvershoot.seconds(r, rule);
        if (expected == null) {
            assertThat(got).isNull();
        } else {
            assertThat(got).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
