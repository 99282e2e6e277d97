package io.querysniper.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One look at a server.
 *
 * @param takenAt        when the look was taken (the clock of the daemon, not the server)
 * @param sessions       every session the server showed, own connections included
 * @param ownThreadIds   connection ids of the daemon's own connections to this server; never killed
 * @param status         stress indicators, {@link ServerStatus#UNKNOWN} when not asked for
 * @param subSecondAges  true when {@link Session#time()} has millisecond precision (MariaDB TIME_MS,
 *                       MySQL performance_schema); false for whole seconds (MySQL 5.7)
 */
public record ServerSnapshot(
        Instant takenAt,
        List<Session> sessions,
        Set<Long> ownThreadIds,
        ServerStatus status,
        boolean subSecondAges) {

    public ServerSnapshot {
        sessions = List.copyOf(sessions);
        ownThreadIds = Set.copyOf(ownThreadIds);
    }
}
