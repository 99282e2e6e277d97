package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Grouping, driven by the instants it is given: no sleeps. */
class GrouperTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration WINDOW = Duration.ofSeconds(30);
    static final Duration REPEAT = Duration.ofHours(4);

    static KillRecord kill(int i, String db, String rule, Instant at) {
        return new KillRecord("id-" + i, at, "n1", db, 100 + i, 7, "app", "10.0.0.1", "shop", "Query", "Sending data",
                31_000 + i, -1, 0, rule, KillAction.KILL_QUERY, KillOutcome.KILLED, null,
                "SELECT * FROM orders WHERE id = ?", "d" + (i % 3), null, Map.of("application", "shop"), false);
    }

    static AlertEvent killEvent(int i, String db, String rule, Instant at) {
        return AlertEvent.ofKill(Event.KILL, kill(i, db, rule, at));
    }

    static AlertEvent condition(Event e, String db, boolean resolved, Instant at) {
        return new AlertEvent(e, resolved, db, null, at, null, resolved ? "ok again" : "tripped");
    }

    private static List<Notification> runUntil(Grouper g, Instant from, Instant to) {
        List<Notification> out = new ArrayList<>();
        for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(1)) {
            out.addAll(g.due(t));
        }
        return out;
    }

    @Test
    void aStormOf500KillsOnOneDatabaseAndRuleIsOneMessagePerWindow() {
        Grouper g = new Grouper("ops", "n1", WINDOW, REPEAT, false);
        for (int i = 0; i < 500; i++) {
            Instant at = T0.plusMillis(i * 10L); // 5 s of kills
            g.add(killEvent(i, "orders", "long-select", at), at);
        }
        assertThat(g.due(T0.plusSeconds(29))).isEmpty();
        List<Notification> sent = g.due(T0.plusSeconds(30));
        assertThat(sent).singleElement().satisfies(n -> {
            assertThat(n.count()).isEqualTo(500);
            assertThat(n.kills()).hasSize(500);
            assertThat(n.firstAt()).isEqualTo(T0);
            assertThat(n.lastAt()).isEqualTo(T0.plusMillis(4990));
            assertThat(n.key()).isEqualTo(new GroupKey(Event.KILL, "orders", "long-select"));
        });
        assertThat(g.groupCount()).isZero();
    }

    @Test
    void groupsAreByEventDatabaseAndRule() {
        Grouper g = new Grouper("ops", "n1", WINDOW, REPEAT, false);
        g.add(killEvent(1, "orders", "a", T0), T0);
        g.add(killEvent(2, "orders", "b", T0), T0);
        g.add(killEvent(3, "users", "a", T0), T0);
        g.add(AlertEvent.ofKill(Event.WOULD_KILL, kill(4, "orders", "a", T0)), T0);
        assertThat(g.due(T0.plus(WINDOW))).hasSize(4);
    }

    @Test
    void theNextKillAfterAWindowOpensANewWindow() {
        Grouper g = new Grouper("ops", "n1", WINDOW, REPEAT, false);
        g.add(killEvent(1, "orders", "a", T0), T0);
        assertThat(g.due(T0.plus(WINDOW))).hasSize(1);
        Instant later = T0.plusSeconds(31);
        g.add(killEvent(2, "orders", "a", later), later);
        assertThat(g.due(later.plusSeconds(29))).isEmpty();
        assertThat(g.due(later.plus(WINDOW))).singleElement().extracting(Notification::count).isEqualTo(1);
    }

    @Test
    void aZeroWindowSendsAtTheNextTick() {
        Grouper g = new Grouper("ops", "n1", Duration.ZERO, REPEAT, false);
        g.add(killEvent(1, "orders", "a", T0), T0);
        assertThat(g.due(T0)).hasSize(1);
    }

    /**
     * A condition's life as a table: when it starts and ends (seconds; -1: never), send-resolved, and the
     * notifications sent within 10 h, as status@second.
     */
    @ParameterizedTest(name = "[{index}] up {0}s..{1}s, send-resolved {2}: {3}")
    @CsvSource(delimiter = '|', value = {
            // a flap shorter than the window is never sent, not even its end
            "0 | 10    | true  | ''",
            // sent after the window, resolved at once
            "0 | 100   | true  | firing@30 resolved@100",
            // without send-resolved the end is silent
            "0 | 100   | false | firing@30",
            // still true: again every repeat-interval (4 h), marked as a repeat
            "0 | -1    | true  | firing@30 firing(repeat)@14430 firing(repeat)@28830",
            "0 | 20000 | true  | firing@30 firing(repeat)@14430 resolved@20000",
    })
    void conditionTable(long up, long down, boolean sendResolved, String expected) {
        Grouper g = new Grouper("pd", "n1", WINDOW, REPEAT, sendResolved);
        List<String> seen = new ArrayList<>();
        for (long s = 0; s <= 36_000; s++) {
            Instant now = T0.plusSeconds(s);
            if (s == up) {
                g.add(condition(Event.GUARD_TRIPPED, "orders", false, now), now);
            } else if (s > up && (down < 0 || s < down)) {
                g.add(condition(Event.GUARD_TRIPPED, "orders", false, now), now); // probes repeat what is true
            }
            if (s == down) {
                g.add(condition(Event.GUARD_TRIPPED, "orders", true, now), now);
            }
            for (Notification n : g.due(now)) {
                seen.add(n.status().word() + (n.repeat() ? "(repeat)" : "") + "@" + s);
            }
        }
        assertThat(String.join(" ", seen)).isEqualTo(expected);
    }

    @Test
    void forgetDropsGroupsWithoutAWord() {
        Grouper g = new Grouper("pd", "n1", WINDOW, REPEAT, true);
        g.add(condition(Event.NO_OWNER, "orders", false, T0), T0);
        assertThat(runUntil(g, T0, T0.plusSeconds(40))).hasSize(1);
        g.forget(k -> k.event().fleet());
        g.add(condition(Event.NO_OWNER, "orders", true, T0.plusSeconds(50)), T0.plusSeconds(50));
        assertThat(runUntil(g, T0.plusSeconds(50), T0.plusSeconds(100))).isEmpty();
    }
}
