package io.querysniper.core.model;

/**
 * What kind of server thread a session is, as far as the adapter can tell. The core never kills
 * anything but {@link #FOREGROUND}, and still applies its own user/command checks on top
 * (MySQL 8 shows replica applier threads with Command = Query).
 */
public enum ThreadKind {
    /** An ordinary client connection. */
    FOREGROUND,
    /**
     * Started by the server for itself: event scheduler, InnoDB purge, daemon plugins, the INSERT DELAYED
     * handler, performance_schema BACKGROUND threads.
     */
    BACKGROUND,
    /**
     * Replication: binlog dump to a replica, replica I/O, SQL and worker threads, group replication,
     * clone.
     */
    REPLICATION
}
