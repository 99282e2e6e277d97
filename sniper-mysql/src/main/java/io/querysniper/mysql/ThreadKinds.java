package io.querysniper.mysql;

import java.util.Locale;
import java.util.Set;

import io.querysniper.core.model.ThreadKind;

/**
 * Tells replication and server-internal threads from client connections, on every flavour. Errs
 * towards "not a client": a thread that looks like replication is never offered to the rules.
 */
final class ThreadKinds {
    /** Lower-case commands (MySQL 8 Command_names, MariaDB command_name[]) of replication threads. */
    private static final Set<String> REPLICATION_COMMANDS = Set.of(
            "binlog dump", "binlog dump gtid", "table dump", "connect out", "slave_io", "slave_sql", "slave_worker",
            "register slave", "register replica", "clone", "group replication data stream subscription");
    /**
     * Lower-case commands of threads the server starts for itself. The INSERT DELAYED handler is told by
     * its command, set once for its whole life, not by its user (DELAYED, or delayed on MariaDB 10.11,
     * which a client may also be called).
     */
    private static final Set<String> BACKGROUND_COMMANDS = Set.of("daemon", "delayed insert");

    private ThreadKinds() {
    }

    /**
     * @param threadType MySQL 8 performance_schema.threads TYPE (FOREGROUND/BACKGROUND), or null
     * @param threadName MySQL 8 performance_schema.threads NAME (e.g. thread/sql/replica_sql), or null
     */
    static ThreadKind classify(String user, String command, String threadType, String threadName) {
        String name = lower(threadName);
        if (name.startsWith("thread/sql/replica_") || name.startsWith("thread/sql/slave_")
                || name.startsWith("thread/group_rpl/") || name.startsWith("thread/sql/rpl_")) {
            return ThreadKind.REPLICATION;
        }
        String cmd = lower(command);
        if (REPLICATION_COMMANDS.contains(cmd)) {
            return ThreadKind.REPLICATION;
        }
        String u = lower(user);
        if (BACKGROUND_COMMANDS.contains(cmd) || "event_scheduler".equals(u)
                || "BACKGROUND".equalsIgnoreCase(threadType)) {
            return ThreadKind.BACKGROUND;
        }
        // MySQL replica I/O, SQL and worker threads run as 'system user' with Command Connect or Query;
        // MariaDB's replica threads too (Command Slave_*). Any other 'system user' thread is internal.
        if ("system user".equals(u)) {
            return ThreadKind.REPLICATION;
        }
        return ThreadKind.FOREGROUND;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
