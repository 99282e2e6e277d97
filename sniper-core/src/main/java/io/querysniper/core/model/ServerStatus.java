package io.querysniper.core.model;

import java.time.Duration;

/**
 * Server-wide stress indicators that rule conditions ({@code when { ... }}) look at. Read only when
 * some rule of the database asks for them.
 *
 * @param replicaLag          Seconds_Behind_Master / replica lag, or null when not a replica or unknown
 * @param historyListLength   InnoDB history list length, or -1 when unknown
 */
public record ServerStatus(Duration replicaLag, long historyListLength) {
    public static final ServerStatus UNKNOWN = new ServerStatus(null, -1);
}
