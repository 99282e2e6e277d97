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
 * @param serverId       who answered: {@code @@server_uuid} on MySQL, {@code @@server_id} and
 *                       {@code @@hostname} on MariaDB; null when unknown. A KILL goes only to this server
 */
public record ServerSnapshot(
        Instant takenAt,
        List<Session> sessions,
        Set<Long> ownThreadIds,
        ServerStatus status,
        boolean subSecondAges,
        String serverId) {

    public ServerSnapshot {
        sessions = List.copyOf(sessions);
        ownThreadIds = Set.copyOf(ownThreadIds);
    }

    /** A snapshot of a server whose identity is unknown (offline dumps, tests). */
    public ServerSnapshot(Instant takenAt, List<Session> sessions, Set<Long> ownThreadIds, ServerStatus status,
                          boolean subSecondAges) {
        this(takenAt, sessions, ownThreadIds, status, subSecondAges, null);
    }

    /** The same look with other sessions (the watcher's sharper transaction ages). */
    public ServerSnapshot withSessions(List<Session> newSessions) {
        return new ServerSnapshot(takenAt, newSessions, ownThreadIds, status, subSecondAges, serverId);
    }
}
