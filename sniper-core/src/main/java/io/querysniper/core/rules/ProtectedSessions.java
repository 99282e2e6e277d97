package io.querysniper.core.rules;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;

import java.util.Locale;
import java.util.Set;

/**
 * Sessions that are never killed, whatever the rules say: the daemon's own connections, server and
 * replication threads, protected users, and sessions already being killed. Checked before any rule,
 * and on user, command and state as well as {@link ThreadKind}, because MySQL 8 shows a replica's
 * applier threads as {@code Command = Query} run by {@code system user}.
 */
public final class ProtectedSessions {

    private static final Set<String> SYSTEM_USERS = Set.of("system user", "event_scheduler", "unauthenticated user");

    /** Lower-case process list commands of server and replication threads. */
    private static final Set<String> SYSTEM_COMMANDS = Set.of(
            "binlog dump", "binlog dump gtid", "daemon", "connect", "slave_io", "slave_sql", "slave_worker",
            "register slave", "killed");

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
