package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.model.ThreadKind;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/** The MariaDB path against a real mariadbd: reading sessions and every kill outcome. */
class MysqlServerPortIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension();

    private static final Duration WAIT = Timing.seconds(10);
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private MysqlServerPort port;

    @BeforeAll
    static void users() {
        MariaDbServer db = DB.server();
        db.createUser("sniper", "sniper-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*", "SLAVE MONITOR ON *.*");
        db.createUser("app", "app-pw", "ALL ON shop.*");
        db.createUser("weak", "weak-pw", "PROCESS ON *.*");
        db.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY) ENGINE=InnoDB");
    }

    @BeforeEach
    void open() {
        port = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("sniper", "sniper-pw"), "node-1",
                Clock.systemUTC());
    }

    @AfterEach
    void close() {
        port.close();
        clients.shutdownNow();
    }

    @AfterAll
    static void done() {
    }

    @Test
    void armedKillsFindASecondConnectionReadyBesideThePollingOne() throws InterruptedException {
        Thread.sleep(300); // past Hikari's first housekeeping run (100 ms after start), which tops up idle connections
        port.snapshot(StatusNeeds.NONE);
        assertThat(port.openConnections()).isEqualTo(1); // idle: only the polling connection
        port.expectKills();
        org.awaitility.Awaitility.await().until(() -> port.openConnections() == 2);
        port.expectKills(); // already two: nothing more opens
        port.snapshot(StatusNeeds.NONE);
        assertThat(port.openConnections()).isEqualTo(2);
    }

    @Test
    void killQueryStopsTheStatementAndTheConnectionLives() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            CompletableFuture<Long> sleep = runAsync(app, "SELECT SLEEP(30)");
            long started = System.nanoTime();
            Session busy = awaitSession(id, s -> "Query".equals(s.command()) && s.time().toMillis() >= 100);
            assertThat(busy.queryId()).isPositive();
            assertThat(busy.info()).isEqualTo("SELECT SLEEP(30)");
            assertThat(busy.kind()).isEqualTo(ThreadKind.FOREGROUND);

            KillResult result = port.kill(new KillRequest(id, busy.queryId(), KillAction.KILL_QUERY, busy.info()));

            assertThat(result.outcome()).isEqualTo(KillOutcome.KILLED);
            assertThatThrownBy(() -> sleep.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .hasRootCauseMessage("Query execution was interrupted");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
            assertThat(scalar(app, "SELECT 42")).isEqualTo(42L);
        }
    }

    @Test
    void aFenceThatSaysNoAtTheLastMomentSendsNothing() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            CompletableFuture<Long> sleep = runAsync(app, "SELECT SLEEP(2)");
            Session busy = awaitSession(id, s -> "Query".equals(s.command()));
            AtomicInteger asked = new AtomicInteger();
            KillResult result = port.kill(new KillRequest(id, busy.queryId(), KillAction.KILL_QUERY, busy.info(),
                    () -> asked.incrementAndGet() < 0));

            assertThat(result.outcome()).isEqualTo(KillOutcome.NOT_OWNER);
            assertThat(asked).hasValue(1);
            assertThat(sleep.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("SLEEP(2) ran to its end").isZero();
        }
    }

    @Test
    void killQueryByThreadIdWithNoStatementTextIsNotSent() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            CompletableFuture<Long> sleep = runAsync(app, "SELECT SLEEP(2)");
            awaitSession(id, s -> "Query".equals(s.command()));
            KillResult result = port.kill(new KillRequest(id, -1, KillAction.KILL_QUERY, null));
            assertThat(result.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
            assertThat(result.detail()).contains("cannot verify");
            assertThat(sleep.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
        }
    }

    @Test
    void killConnectionDropsTheConnection() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            awaitSession(id, Session::isSleeping);

            assertThat(port.kill(new KillRequest(id, -1, KillAction.KILL_CONNECTION, null)).outcome())
                    .isEqualTo(KillOutcome.KILLED);

            assertThatThrownBy(() -> scalar(app, "SELECT 1")).isInstanceOf(SQLException.class);
            await().atMost(WAIT).until(() -> find(port.snapshot(StatusNeeds.NONE), id).isEmpty());
        }
    }

    @Test
    void sleepingAndIdleInTransactionShowTheirAges() throws Exception {
        try (Connection idle = app(); Connection inTrx = app()) {
            long idleId = threadId(idle);
            long trxId = threadId(inTrx);
            inTrx.setAutoCommit(false);
            try (Statement s = inTrx.createStatement()) {
                s.executeUpdate("INSERT INTO shop.t VALUES (1), (2)");
            }

            Session trx = awaitSession(trxId, s -> s.time().toMillis() >= 1200);
            Session sleeping = find(port.snapshot(StatusNeeds.NONE), idleId).orElseThrow();

            assertThat(trx.command()).isEqualTo("Sleep");
            assertThat(trx.rowsModified()).isEqualTo(2);
            assertThat(trx.transactionAge()).as(trx.toString()).isNotNull().isGreaterThan(Duration.ofMillis(200));
            assertThat(trx.transactionAge()).isLessThanOrEqualTo(trx.time().plusSeconds(1));
            assertThat(trx.user()).isEqualTo("app");
            assertThat(trx.db()).isNull();
            assertThat(sleeping.isSleeping()).isTrue();
            assertThat(sleeping.hasTransaction()).isFalse();
            assertThat(sleeping.rowsModified()).isZero();
            assertThat(sleeping.time()).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
            // millisecond precision from TIME_MS, not whole seconds
            assertThat(port.snapshot(StatusNeeds.NONE).subSecondAges()).isTrue();
            inTrx.rollback();
        }
    }

    @Test
    void killQueryIdOfAFinishedQueryIsGoneAlreadyAndTheNextQuerySurvives() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            CompletableFuture<Long> first = runAsync(app, "SELECT SLEEP(0.3)");
            Session seen = awaitSession(id, s -> "Query".equals(s.command()));
            first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<Long> next = runAsync(app, "SELECT SLEEP(0.5)");
            awaitSession(id, s -> "Query".equals(s.command()) && s.queryId() != seen.queryId());

            KillResult result = port.kill(new KillRequest(id, seen.queryId(), KillAction.KILL_QUERY, seen.info()));

            assertThat(result.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
            assertThat(result.detail()).startsWith("error 1957");
            assertThat(next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("not interrupted").isZero();
        }
    }

    @Test
    void killQueryByThreadIdIsReCheckedAgainstTheStatementSeen() throws Exception {
        try (Connection app = app()) {
            long id = threadId(app);
            CompletableFuture<Long> running = runAsync(app, "SELECT SLEEP(0.5)");
            awaitSession(id, s -> "Query".equals(s.command()));

            KillResult result = port.kill(new KillRequest(id, -1, KillAction.KILL_QUERY, "SELECT something_else"));

            assertThat(result.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
            assertThat(running.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
            assertThat(port.kill(new KillRequest(999_999, -1, KillAction.KILL_CONNECTION, null)).outcome())
                    .isEqualTo(KillOutcome.GONE_ALREADY);
        }
    }

    @Test
    void aUserWithoutTheKillPrivilegeIsNotPermitted() throws Exception {
        try (Connection app = app();
             MysqlServerPort weak = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("weak", "weak-pw"),
                     "node-1", Clock.systemUTC())) {
            long id = threadId(app);
            awaitSession(id, Session::isSleeping);

            KillResult result = weak.kill(new KillRequest(id, -1, KillAction.KILL_CONNECTION, null));

            assertThat(result.outcome()).isEqualTo(KillOutcome.NOT_PERMITTED);
            assertThat(result.detail()).startsWith("error 1095");
            assertThat(scalar(app, "SELECT 1")).isEqualTo(1L);
        }
    }

    @Test
    void ownConnectionsAreListed() {
        // Its own account, so connections of other tests' ports (closing asynchronously) do not interfere.
        DB.server().createUser("own", "own-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*");
        port.close();
        port = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("own", "own-pw"), "node-1",
                Clock.systemUTC());
        // A kill borrows a connection too; make both pool connections exist.
        port.kill(new KillRequest(999_999, -1, KillAction.KILL_CONNECTION, null));
        ServerSnapshot snapshot = port.snapshot(StatusNeeds.NONE);

        List<Long> sniperThreads = snapshot.sessions().stream().filter(s -> s.user().equals("own"))
                .map(Session::threadId).toList();
        assertThat(sniperThreads).isNotEmpty();
        assertThat(snapshot.ownThreadIds()).containsExactlyInAnyOrderElementsOf(sniperThreads);
        assertThat(port.serverInfo().flavor()).isEqualTo(Flavor.MARIADB);
    }

    @Test
    void pollingQueriesCarryAServerSideTimeLimit() throws Exception {
        MariaDbServer db = DB.server();
        db.execute("SET GLOBAL log_output = 'TABLE'", "SET GLOBAL general_log = 1");
        try {
            port.snapshot(new StatusNeeds(true, true));
        } finally {
            db.execute("SET GLOBAL general_log = 0");
        }
        try (Connection root = db.connection(); Statement s = root.createStatement();
             ResultSet rs = s.executeQuery("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log"
                     + " WHERE user_host LIKE 'sniper%' AND command_type = 'Query'")) {
            List<String> polled = new java.util.ArrayList<>();
            while (rs.next()) {
                polled.add(rs.getString(1));
            }
            List<String> ours = polled.stream().filter(q -> q.contains("PROCESSLIST") || q.contains("SLAVE STATUS")
                    || q.contains("INNODB_METRICS")).toList();
            String limit = String.format(java.util.Locale.ROOT, "%.3f", Targets.STATEMENT_TIMEOUT.toMillis() / 1000.0);
            assertThat(ours).hasSize(3).allSatisfy(q -> assertThat(q).startsWith("SET STATEMENT max_statement_time=" + limit + " FOR "));
        }
    }

    @Test
    void statusIsReadOnlyWhenAsked() {
        assertThat(port.snapshot(StatusNeeds.NONE).status().historyListLength()).isEqualTo(-1);
        ServerSnapshot withStatus = port.snapshot(new StatusNeeds(true, true));
        assertThat(withStatus.status().historyListLength()).isGreaterThanOrEqualTo(0);
        assertThat(withStatus.status().replicaLag()).as("not a replica").isNull();
    }

    @Test
    void aMissingPrivilegeForAnOptionalReadingLeavesItUnknown() {
        try (MysqlServerPort weak = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("weak", "weak-pw"),
                "node-1", Clock.systemUTC())) {
            ServerSnapshot snapshot = weak.snapshot(new StatusNeeds(true, false));
            assertThat(snapshot.status().replicaLag()).isNull();
            assertThat(snapshot.sessions()).isNotEmpty();
        }
    }

    @Test
    void killsFromSeveralThreadsAtOnceEachLandWhileTheWatcherLooks() throws Exception {
        // Its own account, so connections of other tests' ports do not interfere with the own-id check.
        DB.server().createUser("many", "many-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*");
        port.close();
        // Hikari opens connections one at a time, and a KILL waits for one at most connect-timeout: nine
        // logins in a row (eight KILLs and a look on a fresh pool) took longer than the usual 2 s once on a
        // loaded CI machine. This test is about KILLs sent at once, not about login speed.
        DatabaseTarget patient = Targets.plain(DB.server(), Timing.seconds(5));
        port = new MysqlServerPort(patient, new Credentials("many", "many-pw"), "node-1", Clock.systemUTC());
        int n = io.querysniper.core.watch.WatchSpec.DEFAULT_MAX_KILL_CONNECTIONS;
        List<Connection> apps = new java.util.ArrayList<>();
        try {
            List<CompletableFuture<Long>> sleeps = new java.util.ArrayList<>();
            List<Long> ids = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                Connection app = app();
                apps.add(app);
                ids.add(threadId(app));
                sleeps.add(runAsync(app, "SELECT SLEEP(30)"));
            }
            for (long id : ids) {
                awaitSession(id, x -> "Query".equals(x.command()));
            }
            ExecutorService killers = Executors.newFixedThreadPool(n);
            try {
                List<java.util.concurrent.Future<KillResult>> results = new java.util.ArrayList<>();
                for (long id : ids) {
                    results.add(killers.submit(() -> port.kill(new KillRequest(id, -1, KillAction.KILL_QUERY, "SELECT SLEEP(30)"))));
                }
                ServerSnapshot during = port.snapshot(StatusNeeds.NONE);
                for (java.util.concurrent.Future<KillResult> r : results) {
                    KillResult result = r.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(result.outcome()).as(String.valueOf(result.detail())).isEqualTo(KillOutcome.KILLED);
                }
                List<Long> sniperThreads = during.sessions().stream().filter(x -> x.user().equals("many"))
                        .map(Session::threadId).toList();
                // Kill connections open on demand: one still logging in may be on the server's list a moment
                // before its id is known; every one is known right after (and the login is protected anyway).
                ServerSnapshot right = port.snapshot(StatusNeeds.NONE);
                assertThat(right.ownThreadIds()).containsAll(sniperThreads);
            } finally {
                killers.shutdownNow();
            }
            for (CompletableFuture<Long> sleep : sleeps) {
                assertThatThrownBy(() -> sleep.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .hasRootCauseMessage("Query execution was interrupted");
            }
            ServerSnapshot after = port.snapshot(StatusNeeds.NONE);
            List<Long> pool = after.sessions().stream().filter(x -> x.user().equals("many")).map(Session::threadId)
                    .toList();
            assertThat(pool).hasSizeLessThanOrEqualTo(MysqlServerPort.poolSize(patient));
            assertThat(after.ownThreadIds()).containsAll(pool);
            assertThat(port.keepaliveMillis()).as("no keepalive pings: the poll uses its connection every interval")
                    .isZero();
        } finally {
            for (Connection app : apps) {
                app.close();
            }
        }
    }

    @Test
    void closingRightAfterOneLookIsQuietAndQuick() {
        ch.qos.logback.classic.Logger hikari =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.zaxxer.hikari");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        hikari.addAppender(appender);
        try {
            for (int i = 0; i < 3; i++) { // like the scan command: open, look once, close
                MysqlServerPort once = new MysqlServerPort(Targets.plain(DB.server()),
                        new Credentials("sniper", "sniper-pw"), "node-1", Clock.systemUTC());
                once.snapshot(StatusNeeds.NONE);
                long start = System.nanoTime();
                once.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Timing.seconds(2));
            }
            assertThat(appender.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            hikari.detachAppender(appender);
        }
    }

    @Test
    void closeLetsGoOfEveryConnectionAndIsIdempotent() {
        // Its own account, so only this port's connections are counted.
        DB.server().createUser("closer", "closer-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*");
        MysqlServerPort closing = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("closer", "closer-pw"),
                "node-1", Clock.systemUTC());
        closing.snapshot(StatusNeeds.NONE);
        closing.kill(new KillRequest(999_999, -1, KillAction.KILL_CONNECTION, null));
        assertThat(connectionsOf("closer")).as("the pool is open").isPositive();

        closing.close();

        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> connectionsOf("closer") == 0);
        closing.close();  // a second close is a no-op, not an error
        assertThatThrownBy(() -> closing.snapshot(StatusNeeds.NONE)).isInstanceOf(ServerUnavailableException.class)
                .hasMessageContaining("has been closed");
        assertThat(closing.kill(new KillRequest(999_999, -1, KillAction.KILL_CONNECTION, null)).outcome())
                .isEqualTo(KillOutcome.ERROR);
        assertThat(connectionsOf("closer")).as("nothing reconnects after close").isZero();
    }

    // ---- helpers

    private static long connectionsOf(String user) {
        return Long.parseLong(DB.server().queryString(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'"));
    }

    private Connection app() {
        return DB.server().connection("app", "app-pw");
    }

    private Session awaitSession(long id, java.util.function.Predicate<Session> condition) {
        AtomicReference<Session> found = new AtomicReference<>();
        // Polls 120 ms apart: InnoDB refreshes its INNODB_TRX cache only when the last read is over 100 ms
        // old, so faster polling would keep reading a stale transaction list.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(120)).until(() -> {
            Optional<Session> s = find(port.snapshot(StatusNeeds.NONE), id).filter(condition);
            s.ifPresent(found::set);
            return s.isPresent();
        });
        return found.get();
    }

    static Optional<Session> find(ServerSnapshot snapshot, long id) {
        return snapshot.sessions().stream().filter(s -> s.threadId() == id).findFirst();
    }

    static long threadId(Connection c) throws SQLException {
        return scalar(c, "SELECT CONNECTION_ID()");
    }

    static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private CompletableFuture<Long> runAsync(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return scalar(c, sql);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }
}
