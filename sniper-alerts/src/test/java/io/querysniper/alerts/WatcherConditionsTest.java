package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.watch.WatcherStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** guard-tripped and database-down from the watchers' status, on owned databases only. */
class WatcherConditionsTest {
    private final Map<String, WatcherStatus> status = new LinkedHashMap<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private static WatcherStatus of(String db, boolean owner, boolean guard, WatcherStatus.Health health) {
        return new WatcherStatus(db, null, health != WatcherStatus.Health.DOWN, owner, health == WatcherStatus.Health.DOWN
                ? "Communications link failure" : null, 0, guard, health);
    }

    private WatcherConditions probe() {
        return new WatcherConditions(() -> Map.copyOf(status), new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        }, Duration.ofSeconds(60));
    }

    @Test
    void aTrippedGuardIsReportedByTheOwnerOnly() {
        WatcherConditions p = probe();
        status.put("a", of("a", true, true, WatcherStatus.Health.UP));
        status.put("b", of("b", false, true, WatcherStatus.Health.UP));
        assertThat(p.current()).extracting(Condition::type, Condition::database)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Event.GUARD_TRIPPED, "a"));
    }

    @Test
    void aDatabaseIsDownAfterSixtySecondsOfFailedLooks() {
        WatcherConditions p = probe();
        status.put("a", of("a", true, false, WatcherStatus.Health.DOWN));
        assertThat(p.current()).isEmpty();
        now = now.plusSeconds(59);
        assertThat(p.current()).isEmpty();
        now = now.plusSeconds(1);
        assertThat(p.current()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(Event.DATABASE_DOWN);
            assertThat(c.detail()).contains("Communications link failure");
        });
        status.put("a", of("a", true, false, WatcherStatus.Health.SLOW)); // answering again, slowly: not down
        assertThat(p.current()).isEmpty();
        status.put("a", of("a", true, false, WatcherStatus.Health.DOWN)); // a new outage starts its own count
        now = now.plusSeconds(30);
        assertThat(p.current()).isEmpty();
    }
}
