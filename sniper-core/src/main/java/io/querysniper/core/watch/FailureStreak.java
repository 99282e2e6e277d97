package io.querysniper.core.watch;

import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.rules.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * A watcher's run of failed looks: how long to wait before the next try, and what to log. A server that
 * is down (or an adapter that fails) makes it back off exponentially from the interval up to
 * {@link #MAX_BACKOFF}, logging once and then every {@link #FAILURE_REMINDER}. A slow server (a poll that
 * hit its statement timeout) is not a dead one: it is tried again at the next interval, and the log and
 * status say "slow". Only the watcher thread uses it.
 */
final class FailureStreak {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatcher.class);

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    static final Duration FAILURE_REMINDER = Duration.ofMinutes(5);

    private final String database;
    private final Duration base;
    private volatile WatcherStatus.Health health = WatcherStatus.Health.UP;
    private volatile String lastError;
    private Duration backoff;
    private Instant failingSince;
    private Instant lastWarn;
    private String lastKind;

    FailureStreak(WatchSpec spec) {
        this.database = spec.database();
        this.base = spec.interval().compareTo(spec.minSpacing()) > 0 ? spec.interval() : spec.minSpacing();
    }

    WatcherStatus.Health health() {
        return health;
    }

    String lastError() {
        return lastError;
    }

    void recovered(Instant now) {
        if (failingSince != null) {
            log.info("database {} answers again after {} of failures", database,
                    Durations.human(Duration.between(failingSince, now)));
        }
        health = WatcherStatus.Health.UP;
        lastError = null;
        backoff = null;
        failingSince = null;
        lastWarn = null;
        lastKind = null;
    }

    /** A failed look; returns the wait before the next try. */
    Duration failed(Throwable e, Instant now) {
        boolean slow = e instanceof ServerSlowException;
        boolean unavailable = !slow && e instanceof ServerUnavailableException;
        String kind = slow ? "slow" : unavailable ? "unavailable" : e.getClass().getSimpleName();
        if (slow) {
            health = WatcherStatus.Health.SLOW;
        } else if (unavailable) {
            health = WatcherStatus.Health.DOWN;
        }
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (slow) {
            backoff = base; // the server answers: keep looking at the normal pace
        } else {
            Duration cap = base.compareTo(MAX_BACKOFF) > 0 ? base : MAX_BACKOFF;
            backoff = backoff == null || !kind.equals(lastKind) ? base : backoff.multipliedBy(2);
            if (backoff.compareTo(cap) > 0) {
                backoff = cap;
            }
        }
        boolean changed = failingSince == null || !kind.equals(lastKind);
        if (failingSince == null) {
            failingSince = now;
        }
        if (changed || lastWarn == null || !now.isBefore(lastWarn.plus(FAILURE_REMINDER))) {
            String what = slow ? "is slow" : unavailable ? "is unavailable" : "failed";
            String since = Durations.human(Duration.between(failingSince, now));
            if (slow || unavailable) {
                log.warn("database {} {} (failing for {}): {}; next try in {}", database, what, since, lastError,
                        Durations.human(backoff));
            } else {
                log.warn("database {} {} (failing for {}): {}; next try in {}", database, what, since, lastError,
                        Durations.human(backoff), e);
            }
            lastWarn = now;
        } else {
            log.debug("database {} still failing: {}", database, lastError);
        }
        lastKind = kind;
        return backoff;
    }
}
