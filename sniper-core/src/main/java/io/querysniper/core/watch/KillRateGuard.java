package io.querysniper.core.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The per-database kill rate guard: more than {@code maxKillsPerMinute} kills within any sliding
 * minute stops killing on the database, so a wrong rule cannot become an outage. Killing resumes by
 * itself once a quiet minute (no kills, since they are paused) has passed since the trip.
 * A limit of zero or less disables the guard. Not thread-safe: one watcher thread owns it.
 */
public final class KillRateGuard {
    public static final Duration WINDOW = Duration.ofMinutes(1);

    /** What the guard says about one more kill. */
    public enum Decision {
        /** Go ahead; the kill is counted. */
        ALLOW,
        /** This kill would exceed the limit: the guard trips now (report it once, loudly). */
        TRIP,
        /** The guard tripped earlier and the quiet minute has not passed yet. */
        PAUSED
    }

    private final int maxKillsPerMinute;
    private final ArrayDeque<Instant> kills = new ArrayDeque<>();
    private Instant trippedAt;

    public KillRateGuard(int maxKillsPerMinute) {
        this.maxKillsPerMinute = maxKillsPerMinute;
    }

    public Decision acquire(Instant now) {
        if (maxKillsPerMinute <= 0) {
            return Decision.ALLOW;
        }
        if (trippedAt != null) {
            if (now.isBefore(trippedAt.plus(WINDOW))) {
                return Decision.PAUSED;
            }
            trippedAt = null;
            kills.clear();
        }
        Instant horizon = now.minus(WINDOW);
        while (!kills.isEmpty() && !kills.peekFirst().isAfter(horizon)) {
            kills.removeFirst();
        }
        if (kills.size() >= maxKillsPerMinute) {
            trippedAt = now;
            return Decision.TRIP;
        }
        kills.addLast(now);
        return Decision.ALLOW;
    }

    /** True while killing is paused. */
    public boolean isTripped(Instant now) {
        return trippedAt != null && now.isBefore(trippedAt.plus(WINDOW));
    }

    public int maxKillsPerMinute() {
        return maxKillsPerMinute;
    }
}
