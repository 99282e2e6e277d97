package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.rules.Durations;
import io.querysniper.core.watch.WatcherStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * guard-tripped and database-down, read from the watchers' status (no hook in the watcher loop): only for
 * the databases this node owns, so each is reported by its owner. A database is down once its watcher has
 * found it unreachable for {@code downAfter}.
 */
public final class WatcherConditions implements ConditionProbe {
    private final Supplier<Map<String, WatcherStatus>> status;
    private final Clock clock;
    private final Duration downAfter;
    private final Map<String, Instant> downSince = new HashMap<>();

    public WatcherConditions(Supplier<Map<String, WatcherStatus>> status, Clock clock, Duration downAfter) {
        this.status = status;
        this.clock = clock;
        this.downAfter = downAfter;
    }

    @Override
    public Set<Condition> current() {
        Instant now = clock.instant();
        Set<Condition> out = new HashSet<>();
        Map<String, WatcherStatus> all = status.get();
        downSince.keySet().retainAll(all.keySet());
        for (WatcherStatus s : all.values()) {
            if (!s.owner()) {
                downSince.remove(s.database());
                continue;
            }
            if (s.guardTripped()) {
                out.add(new Condition(Event.GUARD_TRIPPED, s.database(),
                        "the kill-rate guard (max-kills-per-minute) paused killing until a quiet minute has passed"));
            }
            if (s.health() == WatcherStatus.Health.DOWN) {
                Instant since = downSince.computeIfAbsent(s.database(), d -> now);
                Duration down = Duration.between(since, now);
                if (down.compareTo(downAfter) >= 0) {
                    out.add(new Condition(Event.DATABASE_DOWN, s.database(), "unreachable for at least "
                            + Durations.human(down) + (s.lastError() == null ? "" : ": " + s.lastError())));
                }
            } else {
                downSince.remove(s.database());
            }
        }
        return out;
    }
}
