package io.querysniper.core.watch;

import io.querysniper.core.rules.Rule;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How one database is watched: the core's share of its settings.
 *
 * @param database            configured database name
 * @param interval            time between two looks at this server while nothing is near a limit (a look may
 *                            come up to {@link #LOOK_GRID} after its due time; the schedule keeps its phase)
 * @param minSpacing          shortest time between two looks, however close a candidate is to its limit
 * @param rules               tried in order; the first rule a session breaks decides
 * @param protectedUsers      users never killed, whatever the rules say
 * @param maxKillsPerMinute   kill rate guard: above it, killing stops on this database until a quiet minute
 * @param dryRun              log "would kill", kill nothing
 * @param tagAllowList        sqlcommenter/marginalia tag names copied into kill records
 * @param maxKillConnections  KILLs in flight at once on this database (each needs its own connection)
 */
public record WatchSpec(
        String database,
        Duration interval,
        Duration minSpacing,
        List<Rule> rules,
        Set<String> protectedUsers,
        int maxKillsPerMinute,
        boolean dryRun,
        Set<String> tagAllowList,
        int maxKillConnections) {

    /**
     * How late a routine look may come after its due time: the watchers of a process wake for their looks
     * together, on a grid this far apart ({@link LookTicker}). A look brought forward by a crossing, and
     * every armed kill, keep their instant.
     */
    public static final Duration LOOK_GRID = Duration.ofMillis(50);

    /** Default of {@code max-kill-connections}: enough to send a pile-up's KILLs without queueing. */
    public static final int DEFAULT_MAX_KILL_CONNECTIONS = 8;

    public WatchSpec {
        if (maxKillConnections < 1) {
            throw new IllegalArgumentException("maxKillConnections must be >= 1: " + maxKillConnections);
        }
        rules = List.copyOf(rules);
        protectedUsers = Set.copyOf(protectedUsers);
        tagAllowList = Set.copyOf(tagAllowList);
    }

    /** A spec with the default {@link #DEFAULT_MAX_KILL_CONNECTIONS}. */
    public WatchSpec(String database, Duration interval, Duration minSpacing, List<Rule> rules,
                     Set<String> protectedUsers, int maxKillsPerMinute, boolean dryRun, Set<String> tagAllowList) {
        this(database, interval, minSpacing, rules, protectedUsers, maxKillsPerMinute, dryRun, tagAllowList,
                DEFAULT_MAX_KILL_CONNECTIONS);
    }

    /**
     * How far ahead a look arms kills: one interval, and the grid's lateness on top, so that a session
     * crossing its limit between the interval and a routine look that came late is armed all the same and
     * killed at its crossing, not at that look.
     */
    public Duration armingHorizon() {
        return interval.plus(LOOK_GRID);
    }
}
