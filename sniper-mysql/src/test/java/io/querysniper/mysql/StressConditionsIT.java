package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.RuleEngine;
import io.querysniper.core.rules.SessionMatch;
import io.querysniper.core.rules.TextMatch;
import io.querysniper.core.rules.Verdict;
import io.querysniper.core.rules.Victims;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.watch.WatchSpec;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/**
 * {@code when { replica-lag-over, history-list-over }} end to end: real stress on a real server, read by
 * the adapter ({@link MysqlServerPort#snapshot} with the {@link StatusNeeds} the rule engine asks for) and
 * judged by the {@link RuleEngine}. Every look is checked both ways: a verdict exactly when the reading
 * has crossed the rule's limit, none otherwise, and the readings are made to cross it and come back.
 */
class StressConditionsIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension(MariaDbServer.builder().withReplica());

    private static final Duration WAIT = Timing.seconds(30);
    private static final Duration LAG_LIMIT = Duration.ofSeconds(2);
    private static final long HISTORY_LIMIT = 300;

    private final List<Connection> open = new ArrayList<>();
    private final List<Runnable> background = new ArrayList<>();
    private final List<MysqlServerPort> ports = new ArrayList<>();

    @BeforeAll
    static void schemaAndAccounts() {
        MariaDbServer primary = DB.server();
        // Made on the primary, so the replica gets them through replication (nothing is written on the replica).
        primary.createUser("sniper", "sniper-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*", "SLAVE MONITOR ON *.*");
        primary.createUser("report", "report-pw", "SELECT ON shop.*");
        primary.execute("CREATE DATABASE shop",
                "CREATE TABLE shop.t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB",
                "INSERT INTO shop.t VALUES (1, 0)",
                "CREATE TABLE shop.h (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB",
                "INSERT INTO shop.h SELECT seq, 0 FROM shop.seq_1_to_100");
        awaitCaughtUp();
    }

    @AfterEach
    void closeAll() throws SQLException {
        for (Runnable r : background) {
            try {
                r.run();
            } catch (IllegalStateException e) {
                // gone already
            }
        }
        for (Connection c : open) {
            c.close();
        }
        ports.forEach(MysqlServerPort::close);
    }

    /**
     * The replica's SQL thread is held on a row lock while the primary writes that row: the replica really
     * lags, and Seconds_Behind_Master grows from 0 second by second until the lock goes. (A stopped SQL thread
     * is no way to make lag: its Seconds_Behind_Master is NULL, and an unknown reading makes the rule
     * inactive, which is checked on the way.)
     */
    @Test
    void replicaLagOverActsOnlyWhileTheReplicaReallyLags() throws Exception {
        MariaDbServer primary = DB.server();
        MariaDbServer replica = primary.replica();
        Rule underLag = rule("reports-under-lag", new Conditions(LAG_LIMIT, -1), Duration.ofSeconds(1), null,
                KillAction.KILL_QUERY);
        RuleEngine engine = engine(underLag);
        RuleEngine always = engine(rule("reports", Conditions.NONE, Duration.ofSeconds(1), null, KillAction.KILL_QUERY));
        assertThat(engine.statusNeeds()).isEqualTo(new StatusNeeds(true, false));
        MysqlServerPort port = port(replica);

        long reportId = startInBackground(replica, "report", "report-pw", "SELECT SLEEP(600)");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(120)).until(() -> breaking(always, port.snapshot(engine.statusNeeds()))
                .contains(reportId));

        // Caught up: lag 0, the report query is over its busy-time, and yet no verdict.
        ServerSnapshot calm = port.snapshot(engine.statusNeeds());
        assertThat(calm.status().replicaLag()).isEqualTo(Duration.ZERO);
        assertThat(breaking(always, calm)).contains(reportId);
        assertThat(breaking(engine, calm)).isEmpty();

        // SQL thread stopped: the lag is unknown (NULL), the rule stays inactive.
        replica.execute("STOP SLAVE SQL_THREAD");
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(120))
                    .until(() -> port.snapshot(engine.statusNeeds()).status().replicaLag() == null);
            assertThat(breaking(engine, port.snapshot(engine.statusNeeds()))).isEmpty();
        } finally {
            replica.execute("START SLAVE SQL_THREAD");
        }
        awaitCaughtUp();

        // Real lag: the SQL thread waits on a row a replica session holds, while the primary changes that row.
        Connection holder = replica.connection();
        open.add(holder);
        holder.setAutoCommit(false);
        query(holder, "SELECT v FROM shop.t WHERE id = 1 FOR UPDATE");
        primary.execute("UPDATE shop.t SET v = v + 1 WHERE id = 1");
        List<Look> looks = new ArrayList<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Look look = look(port, engine);
            looks.add(look);
            return look.lag() != null && look.lag().compareTo(LAG_LIMIT.plusSeconds(1)) >= 0;
        });
        holder.rollback(); // the SQL thread goes on and catches up
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Look look = look(port, engine);
            looks.add(look);
            return Duration.ZERO.equals(look.lag());
        });

        assertThat(looks).as("lag seen over the limit and back at 0")
                .anyMatch(l -> l.lag() != null && l.lag().compareTo(LAG_LIMIT) >= 0)
                .anyMatch(l -> Duration.ZERO.equals(l.lag()));
        for (Look l : looks) {
            boolean over = l.lag() != null && l.lag().compareTo(LAG_LIMIT) >= 0;
            assertThat(l.breaking()).as("lag %s", l.lag()).isEqualTo(over ? Set.of(reportId) : Set.of());
        }
        Look over = looks.stream().filter(l -> l.lag() != null && l.lag().compareTo(LAG_LIMIT) >= 0).findFirst()
                .orElseThrow();
        assertThat(over.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.rule().name()).isEqualTo("reports-under-lag");
            assertThat(v.action()).isEqualTo(KillAction.KILL_QUERY);
        });
    }

    /**
     * A REPEATABLE READ transaction keeps its consistent snapshot open while another connection commits
     * hundreds of updates: purge cannot remove their undo logs and the InnoDB history list grows. The rule
     * picks the old snapshot only while the list is over the limit; once the daemon kills it, purge runs
     * and the rule goes quiet.
     */
    @Test
    void historyListOverActsOnlyWhileAReadViewHoldsThePurgeBack() throws Exception {
        MariaDbServer primary = DB.server();
        RuleEngine engine = engine(rule("old-snapshots-under-purge-lag", new Conditions(null, HISTORY_LIMIT), null,
                Duration.ofSeconds(1), KillAction.KILL_CONNECTION));
        assertThat(engine.statusNeeds()).isEqualTo(new StatusNeeds(false, true));
        MysqlServerPort port = port(primary);
        awaitHistoryBelowLimit(port, engine);

        Connection snapshot = connect(primary, "report", "report-pw");
        long snapshotId = threadId(snapshot);
        query(snapshot, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        query(snapshot, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
        query(snapshot, "SELECT COUNT(*) FROM shop.h");
        List<Look> looks = new ArrayList<>();
        // The open snapshot passes its transaction-time while the history list is short: no verdict yet.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(150)).until(() -> {
            Look look = look(port, engine);
            looks.add(look);
            return look.transactionAge(snapshotId).compareTo(Duration.ofMillis(1500)) >= 0;
        });

        // 600 transactions of one UPDATE each (autocommit inside a compound statement), all newer than the snapshot.
        primary.execute("BEGIN NOT ATOMIC FOR i IN 1..600 DO UPDATE shop.h SET v = v + 1 WHERE id = i % 100 + 1;"
                + " END FOR; END");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(150)).until(() -> {
            Look look = look(port, engine);
            looks.add(look);
            return look.history() >= HISTORY_LIMIT;
        });

        Verdict verdict = looks.getLast().verdicts().getFirst();
        assertThat(verdict.session().threadId()).isEqualTo(snapshotId);
        assertThat(verdict.rule().name()).isEqualTo("old-snapshots-under-purge-lag");
        assertThat(port.kill(new KillRequest(snapshotId, -1, verdict.action(), null)).outcome())
                .isEqualTo(KillOutcome.KILLED);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(150)).until(() -> {
            Look look = look(port, engine);
            looks.add(look);
            return look.history() >= 0 && look.history() < HISTORY_LIMIT;
        });

        assertThat(looks).as("history list seen below the limit and over it")
                .anyMatch(l -> l.history() >= 0 && l.history() < HISTORY_LIMIT)
                .anyMatch(l -> l.history() >= HISTORY_LIMIT);
        for (Look l : looks) {
            boolean over = l.history() >= HISTORY_LIMIT;
            boolean old = l.transactionAge(snapshotId).compareTo(Duration.ofSeconds(1)) >= 0;
            assertThat(l.breaking()).as("history %d", l.history())
                    .isEqualTo(over && old ? Set.of(snapshotId) : Set.of());
        }
    }

    // ---- helpers

    /** One look at the server and what the engine made of it. */
    private record Look(ServerSnapshot snapshot, List<Verdict> verdicts) {
        Duration lag() {
            return snapshot.status().replicaLag();
        }

        long history() {
            return snapshot.status().historyListLength();
        }

        Set<Long> breaking() {
            return Set.copyOf(verdicts.stream().map(v -> v.session().threadId()).toList());
        }

        Duration transactionAge(long threadId) {
            return snapshot.sessions().stream().filter(s -> s.threadId() == threadId)
                    .map(io.querysniper.core.model.Session::transactionAge).filter(Objects::nonNull).findFirst()
                    .orElse(Duration.ZERO);
        }
    }

    private static Look look(MysqlServerPort port, RuleEngine engine) {
        ServerSnapshot s = port.snapshot(engine.statusNeeds());
        return new Look(s, engine.evaluate(s).verdicts());
    }

    private static Set<Long> breaking(RuleEngine engine, ServerSnapshot snapshot) {
        return Set.copyOf(engine.evaluate(snapshot).verdicts().stream().map(v -> v.session().threadId()).toList());
    }

    private void awaitHistoryBelowLimit(MysqlServerPort port, RuleEngine engine) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(150)).until(() -> {
            long h = port.snapshot(engine.statusNeeds()).status().historyListLength();
            return h >= 0 && h < HISTORY_LIMIT;
        });
    }

    private static Rule rule(String name, Conditions when, Duration busy, Duration transaction, KillAction action) {
        SessionMatch reports = new SessionMatch(new TextMatch(Set.of("report"), List.<Pattern>of()), null, null, null,
                null, null);
        return new Rule(name, reports, SessionMatch.ANY, busy, null, transaction, action, null, 1, Victims.ALL, false,
                -1, when);
    }

    private static RuleEngine engine(Rule rule) {
        return new RuleEngine(new WatchSpec("stress", Duration.ofSeconds(1), Duration.ofMillis(100), List.of(rule),
                Set.of(), 60, false, Set.of()));
    }

    private MysqlServerPort port(MariaDbServer server) {
        MysqlServerPort port = new MysqlServerPort(Targets.plain(server), new Credentials("sniper", "sniper-pw"), "node-1",
                Clock.systemUTC());
        ports.add(port);
        return port;
    }

    private Connection connect(MariaDbServer server, String user, String password) {
        Connection c = server.connection(user, password);
        open.add(c);
        return c;
    }

    private static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void query(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Runs {@code sql} on a new connection on a thread of its own; returns the connection's id. */
    private long startInBackground(MariaDbServer server, String user, String password, String sql) throws SQLException {
        Connection c = server.connection(user, password);
        long id = threadId(c);
        background.add(() -> server.execute("KILL CONNECTION " + id));
        open.add(c);
        Thread.ofPlatform().name("stress-" + user).daemon().start(() -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                // ends when killed at the end of the test
            }
        });
        return id;
    }

    /** The replica has applied everything the primary has written. */
    private static void awaitCaughtUp() {
        MariaDbServer primary = DB.server();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> Objects.equals(
                primary.queryString("SELECT @@gtid_binlog_pos"), primary.replica().queryString("SELECT @@gtid_slave_pos")));
    }
}
