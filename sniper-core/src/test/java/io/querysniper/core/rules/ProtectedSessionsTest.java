package io.querysniper.core.rules;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.rule;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static io.querysniper.core.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which session is never killed, one row per kind of thread on MariaDB and MySQL, each seen as a client
 * row (kind FOREGROUND: an offline dump, or a flavour the adapter misreads) so that only the user, command
 * and state decide. Every row is old enough for the busy- and idle-time rule of the second test to act.
 */
class ProtectedSessionsTest {
    private static final ProtectedSessions PROTECTED = new ProtectedSessions(Set.of("dba"));
    private static final long OWN_THREAD = 99;

    @ParameterizedTest(name = "{0} / {1} / {2}: {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // MariaDB and MySQL <= 5.6: the INSERT DELAYED handler (user DELAYED, or delayed on MariaDB 10.11)
            "DELAYED              | Delayed insert   | Waiting for INSERT                      | system command 'Delayed insert'",
            "delayed              | Delayed insert   | insert                                  | system command 'Delayed insert'",
            // the event scheduler, InnoDB purge, Galera and other daemons
            "event_scheduler      | Daemon           | Waiting on empty queue                  | system user 'event_scheduler'",
            "system user          | Daemon           | InnoDB purge coordinator                | system user 'system user'",
            "app                  | Daemon           | -                                       | system command 'Daemon'",
            // replication: the source's dump threads run as the replica's login
            "repl                 | Binlog Dump      | Master has sent all binlog to slave     | system command 'Binlog Dump'",
            "repl                 | Binlog Dump GTID | Source has sent all binlog to replica   | system command 'Binlog Dump GTID'",
            "repl                 | Register Replica | -                                       | system command 'Register Replica'",
            "repl                 | Register Slave   | -                                       | system command 'Register Slave'",
            "repl                 | Table Dump       | -                                       | system command 'Table Dump'",
            "repl                 | Connect Out      | -                                       | system command 'Connect Out'",
            // replica threads: MariaDB's Slave_*, MySQL 8's system user with Connect or Query
            "system user          | Slave_IO         | Waiting for master to send event        | system user 'system user'",
            "system user          | Slave_worker     | Waiting for work from SQL thread        | system user 'system user'",
            "system user          | Query            | Waiting for an event from Coordinator   | system user 'system user'",
            "system user          | Connect          | Waiting for source to send event        | system user 'system user'",
            "app                  | Slave_SQL        | -                                       | system command 'Slave_SQL'",
            // MySQL 8 clone donor and group replication stream
            "clone_user           | clone            | -                                       | system command 'clone'",
            "gr_user              | Group Replication Data Stream subscription | -             | system command 'Group Replication Data Stream subscription'",
            // a login in its handshake
            "unauthenticated user | Connect          | login                                   | system user 'unauthenticated user'",
            "app                  | Connect          | Receiving from client                   | system command 'Connect'",
            // already being killed
            "app                  | Killed           | -                                       | system command 'Killed'",
            "app                  | Query            | Killed                                  | already being killed",
            // replica state on a thread not marked otherwise
            "app                  | Query            | Slave has read all relay log; waiting for more updates | replication state",
            "dba                  | Query            | executing                               | protected user 'dba'",
            // clients: killable
            "app                  | Query            | Sending data                            | -",
            "app                  | Execute          | executing                               | -",
            "app                  | Sleep            | -                                       | -",
            "app                  | Fetch            | -                                       | -",
            "app                  | Prepare          | -                                       | -",
            "app                  | Init DB          | -                                       | -",
            "delayed              | Query            | Sending data                            | -",
            "DELAYED              | Sleep            | -                                       | -",
            "Dba                  | Query            | executing                               | -",
    })
    void whichSessionIsProtected(String user, String command, String state, String reason) {
        Session s = session(1).user(user).command(command).state(state).secs(3600).build();
        assertThat(PROTECTED.reason(s, snapshot(s))).isEqualTo(reason);
        assertThat(PROTECTED.isProtected(s, snapshot(s))).isEqualTo(reason != null);

        Rule everything = rule("everything").busy(s(1)).idle(s(1)).action(KillAction.KILL_CONNECTION).build();
        Evaluation e = new RuleEngine(spec(everything)).evaluate(snapshot(s));
        assertThat(e.verdicts()).as("verdicts").hasSize(reason == null ? 1 : 0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "BACKGROUND | thread kind BACKGROUND",
            "REPLICATION | thread kind REPLICATION",
    })
    void theAdaptersThreadKindProtectsWhateverTheRowSays(ThreadKind kind, String reason) {
        Session s = session(1).kind(kind).secs(3600).build();
        assertThat(PROTECTED.reason(s, snapshot(s))).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({"99, own connection", "98, "})
    void theDaemonsOwnConnections(long thread, String reason) {
        Session s = session(thread).secs(3600).build();
        ServerSnapshot snap = new ServerSnapshot(T0, List.of(s), Set.of(OWN_THREAD), ServerStatus.UNKNOWN, true);
        assertThat(PROTECTED.reason(s, snap)).isEqualTo(reason);
    }

    private static ServerSnapshot snapshot(Session s) {
        return new ServerSnapshot(T0, List.of(s), Set.of(), ServerStatus.UNKNOWN, true);
    }
}
