package io.querysniper.core.rules;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;

import java.util.Locale;
import java.util.Set;

/**
 * Sessions that are never killed, whatever the rules say: the daemon's own connections, threads the
 * server starts itself (replication, event scheduler, InnoDB and other daemons, the delayed-insert
 * handler, clone and group replication streams), logins still in their handshake, protected users,
 * and sessions already being killed. Checked before any rule, and on user, command and state as well
 * as {@link ThreadKind}, because MySQL 8 shows a replica's applier threads as {@code Command = Query}
 * run by {@code system user}, and an offline dump or a flavour the adapter misreads carries no kind.
 */
public final class ProtectedSessions {

    /** Lower-case user names the server gives its own threads. */
    private static final Set<String> SYSTEM_USERS = Set.of(
            "system user",           // replica I/O, SQL and worker threads, InnoDB and Galera daemons
            "event_scheduler",       // the event scheduler
            "unauthenticated user"); // a login still in its handshake

    /**
     * Lower-case process list commands of threads the server runs for itself or for replication
     * (MySQL 8 {@code Command_names}, MariaDB {@code command_name[]}); every other command is a client's.
     */
    private static final Set<String> SYSTEM_COMMANDS = Set.of(
            "daemon",                                      // event scheduler, InnoDB purge, plugins
            // The INSERT DELAYED handler (MariaDB; MySQL up to 5.6): the server sets this command once, for
            // the thread's whole life. Its user is not a safe mark: DELAYED in older sources, delayed on
            // MariaDB 10.11, and either can be a client's name.
            "delayed insert",
            "connect",                                     // handshake; MySQL replica I/O thread
            "connect out",                                 // a replica connecting to its source
            "binlog dump", "binlog dump gtid", "table dump", // a source serving a replica
            "register slave", "register replica",          // a replica registering
            "slave_io", "slave_sql", "slave_worker",        // MariaDB replica threads
            "clone",                                       // MySQL clone plugin (donor side)
            "group replication data stream subscription",  // MySQL group replication
            "killed");

    /** Lower-case fragments of replica thread states. */
    private static final String[] REPLICA_STATES = {
            "waiting for master", "waiting for source", "slave has read all relay log",
            "replica has read all relay log", "has read all relay log"};

    private final Set<String> protectedUsers;

    public ProtectedSessions(Set<String> protectedUsers) {
        this.protectedUsers = Set.copyOf(protectedUsers);
    }

    /** True when the session must never be killed. */
    public boolean isProtected(Session s, ServerSnapshot snapshot) {
        return reason(s, snapshot) != null;
    }

    /** Why the session is protected, or null when it is not. */
    public String reason(Session s, ServerSnapshot snapshot) {
        if (snapshot.ownThreadIds().contains(s.threadId())) {
            return "own connection";
        }
        if (s.kind() != ThreadKind.FOREGROUND) {
            return "thread kind " + s.kind();
        }
        if (SYSTEM_USERS.contains(s.user().toLowerCase(Locale.ROOT))) {
            return "system user '" + s.user() + "'";
        }
        if (SYSTEM_COMMANDS.contains(s.command().toLowerCase(Locale.ROOT))) {
            return "system command '" + s.command() + "'";
        }
        if (s.state() != null) {
            String state = s.state().toLowerCase(Locale.ROOT);
            if (state.contains("killed")) {
                return "already being killed";
            }
            for (String fragment : REPLICA_STATES) {
                if (state.contains(fragment)) {
                    return "replication state";
                }
            }
        }
        if (protectedUsers.contains(s.user())) {
            return "protected user '" + s.user() + "'";
        }
        return null;
    }
}
