package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillBasis;
import io.querysniper.core.kill.KillCheck;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.SessionMatch;
import io.querysniper.core.rules.TextMatch;
import io.querysniper.core.rules.Victims;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.watch.SniperEngine;
import io.querysniper.core.watch.WatchSpec;
import io.querysniper.core.watch.WatchedDatabase;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/**
 * The kill path of the deadline-armed, batched engine against a real mariadbd: the re-check right before a
 * KILL (idle stretch, transaction, rollback guard, the server that answered), the lean poll, and a watcher
 * over the real adapter arming kills for the moment victims cross their limits.
 */
class KillPathIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension();

    private static final Duration WAIT = Timing.seconds(10);
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final List<Connection> open = new CopyOnWriteArrayList<>();
    private MysqlServerPort port;

    @BeforeAll
    static void users() {
        MariaDbServer db = DB.server();
        db.createUser("killer", "killer-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*");
        db.createUser("app", "app-pw", "ALL ON shop.*");
        db.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB",
                "INSERT INTO shop.t VALUES (1, 0), (2, 0), (3, 0)");
    }

    @BeforeEach
    void openPort() {
        port = new MysqlServerPort(Targets.plain(DB.server()), new Credentials("killer", "killer-pw"), "node-1",
                Clock.systemUTC());
    }

    @AfterEach
    void closeAll() throws SQLException {
        port.close();
        for (Connection c : open) {
            c.close();
        }
        clients.shutdownNow();
    }

    private Connection app() {
        Connection c = DB.server().connection("app", "app-pw");
        open.add(c);
        return c;
    }

    private static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private CompletableFuture<Void> runAsync(Connection c, String sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                exec(c, sql);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, clients);
    }

    private Session seen(long thread, Predicate<Session> condition) {
        return await().atMost(WAIT.toMillis(), TimeUnit.MILLISECONDS).until(
                () -> port.snapshot(StatusNeeds.NONE).sessions().stream().filter(s -> s.threadId() == thread)
                        .findFirst().filter(condition).orElse(null), s -> s != null);
    }

    private static boolean alive(Connection c) throws SQLException {
        return c.isValid(5);
    }

    private static KillRequest request(Session seen, KillAction action, KillBasis basis, Instant at, String server,
                                       long maxRows) {
        return new KillRequest(seen.threadId(), seen.queryId(), action, seen.info(), () -> true,
                new KillCheck(basis, seen, at, true, server, maxRows));
    }

    private String server() {
        return port.snapshot(StatusNeeds.NONE).serverId();
    }

    @Test
    void theSnapshotNamesTheServerThatAnswered() {
        assertThat(server()).isEqualTo("mariadb:" + DB.server().serverId() + "@" + DB.server().queryString("SELECT @@hostname")
                + ":" + DB.server().port());
    }

    @Test
    void anIdleConnectionPickedUpAgainIsNoLongerTheIdleOne() throws Exception {
        Connection idle = app();
        long id = threadId(idle);
        Session seen = seen(id, s -> s.isSleeping());
        Instant at = Instant.now();
        exec(idle, "SELECT 1"); // the application used it again and put it back
        KillResult r = port.kill(request(seen, KillAction.KILL_CONNECTION, KillBasis.IDLE, at, server(), -1));
        assertThat(r.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(alive(idle)).isTrue();

        Session again = seen(id, s -> s.isSleeping());
        KillResult killed = port.kill(request(again, KillAction.KILL_CONNECTION, KillBasis.IDLE, Instant.now(),
                server(), -1));
        assertThat(killed.outcome()).isEqualTo(KillOutcome.KILLED);
        assertThat(alive(idle)).isFalse();
    }

    @Test
    void aTransactionThatEndedIsNotKilledForTheNextOne() throws Exception {
        Connection c = app();
        long id = threadId(c);
        exec(c, "START TRANSACTION", "UPDATE shop.t SET v = v + 1 WHERE id = 1");
        Session seen = seen(id, s -> s.hasTransaction() && s.transactionId() >= 0);
        Instant at = Instant.now();
        exec(c, "COMMIT", "START TRANSACTION", "UPDATE shop.t SET v = v + 1 WHERE id = 1");
        // Right away: INNODB_TRX may still show the old transaction (InnoDB caches it for 100 ms); the
        // adapter sees statements ran since the look and waits for a fresh list.
        KillResult r = port.kill(request(seen, KillAction.KILL_CONNECTION, KillBasis.TRANSACTION, at, server(), -1));
        assertThat(r.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(r.detail()).contains("another transaction");
        assertThat(alive(c)).isTrue();
        exec(c, "ROLLBACK");
    }

    @Test
    void anIdleTransactionStillOpenIsKilled() throws Exception {
        Connection c = app();
        long id = threadId(c);
        exec(c, "START TRANSACTION", "UPDATE shop.t SET v = v + 1 WHERE id = 1");
        Session seen = seen(id, s -> s.isSleeping() && s.hasTransaction());
        KillResult r = port.kill(request(seen, KillAction.KILL_CONNECTION, KillBasis.TRANSACTION, Instant.now(),
                server(), 100));
        assertThat(r.outcome()).isEqualTo(KillOutcome.KILLED);
        assertThat(alive(c)).isFalse();
    }

    @Test
    void theRollbackGuardIsJudgedAgainRightBeforeTheKill() throws Exception {
        Connection c = app();
        long id = threadId(c);
        exec(c, "START TRANSACTION", "UPDATE shop.t SET v = v + 1 WHERE id = 1");
        Session seen = seen(id, s -> s.hasTransaction() && s.rowsModified() == 1);
        exec(c, "UPDATE shop.t SET v = v + 1"); // three more rows since the look
        KillResult r = port.kill(request(seen, KillAction.KILL_CONNECTION, KillBasis.TRANSACTION, Instant.now(),
                server(), 2));
        assertThat(r.outcome()).isEqualTo(KillOutcome.REFUSED_ROLLBACK_GUARD);
        assertThat(alive(c)).isTrue();
        exec(c, "ROLLBACK");
    }

    @Test
    void noKillGoesOverAConnectionToAnotherServer() throws Exception {
        Connection c = app();
        long id = threadId(c);
        CompletableFuture<Void> victim = runAsync(c, "SELECT SLEEP(5)");
        Session seen = seen(id, s -> !s.isSleeping());
        KillResult r = port.kill(request(seen, KillAction.KILL_QUERY, KillBasis.BUSY, Instant.now(),
                "mariadb:999@elsewhere:3306", -1));
        assertThat(r.outcome()).isEqualTo(KillOutcome.ERROR);
        assertThat(r.detail()).contains("rows came from mariadb:999@elsewhere:3306").contains("not sent");
        victim.get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // ran to its end: nothing was sent
    }

    @Test
    void killQueryIdGoesBlindAndAStatementThatEndedAnswersGone() throws Exception {
        Connection c = app();
        long id = threadId(c);
        CompletableFuture<Void> first = runAsync(c, "SELECT SLEEP(0.3)");
        Session seen = seen(id, s -> !s.isSleeping() && s.queryId() > 0);
        first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> next = runAsync(c, "SELECT SLEEP(3)"); // the connection's next statement
        seen(id, s -> !s.isSleeping() && s.queryId() != seen.queryId());
        KillResult r = port.kill(request(seen, KillAction.KILL_QUERY, KillBasis.BUSY, Instant.now(), server(), -1));
        assertThat(r.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
        assertThat(r.detail()).contains("1957");
        next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // untouched
    }

    @Test
    void theLeanPollAsksOnlyForRowsThatCanBreakARuleAndNeverTheDaemonsOwn() throws Exception {
        for (int i = 0; i < 20; i++) {
            app(); // idle application sessions
        }
        Connection busy = app();
        long busyId = threadId(busy);
        runAsync(busy, "SELECT SLEEP(3)");
        Connection hinted = app();
        long hintedId = threadId(hinted);
        runAsync(hinted, "SELECT /* query-sniper: timeout=1s */ SLEEP(3)");
        Connection trx = app();
        long trxId = threadId(trx);
        exec(trx, "START TRANSACTION", "UPDATE shop.t SET v = v + 1 WHERE id = 2");
        seen(busyId, s -> s.time().toMillis() >= 1200);

        ServerSnapshot lean = port.snapshot(StatusNeeds.NONE, new SessionFilter(Duration.ofSeconds(1), null,
                Duration.ZERO, true, true));
        assertThat(lean.sessions()).extracting(Session::threadId).containsExactlyInAnyOrder(busyId, hintedId, trxId);
        assertThat(lean.sessions()).extracting(Session::user).doesNotContain("killer");
        Session t = lean.sessions().stream().filter(s -> s.threadId() == trxId).findFirst().orElseThrow();
        assertThat(t.transactionId()).isPositive();

        // Without the transaction list: the same busy sessions, none known to have a transaction.
        ServerSnapshot busyOnly = port.snapshot(StatusNeeds.NONE, new SessionFilter(Duration.ofSeconds(1), null,
                null, true, false));
        assertThat(busyOnly.sessions()).extracting(Session::threadId).containsExactlyInAnyOrder(busyId, hintedId);
        assertThat(busyOnly.sessions()).allSatisfy(s -> {
            assertThat(s.transactionId()).isEqualTo(-1);
            assertThat(s.hasTransaction()).isFalse();
        });
        ServerSnapshot none = port.snapshot(StatusNeeds.NONE, new SessionFilter(Duration.ofHours(1), null, null, false,
                false));
        assertThat(none.sessions()).isEmpty();
        ServerSnapshot all = port.snapshot(StatusNeeds.NONE, SessionFilter.ALL);
        assertThat(all.sessions().size()).isGreaterThan(20);
        exec(trx, "ROLLBACK");
    }

    @Test
    void aWatcherOverTheRealAdapterKillsEachVictimAtItsLimitNeverBefore() throws Exception {
        // Three victims wait on a row lock, started 150 ms apart: they cross a 1.5 s limit close together.
        Connection holder = app();
        exec(holder, "START TRANSACTION", "SELECT * FROM shop.t WHERE id = 3 FOR UPDATE");
        List<Connection> victims = List.of(app(), app(), app());
        List<CompletableFuture<Long>> deaths = new CopyOnWriteArrayList<>();
        Rule rule = new Rule("locks", new SessionMatch(new TextMatch(Set.of("app"), List.of()), null, null, null,
                null, null), SessionMatch.ANY, Duration.ofMillis(1500), null, null, KillAction.KILL_QUERY, null, 1,
                Victims.ALL, false, -1, Conditions.NONE);
        List<KillRecord> records = new CopyOnWriteArrayList<>();
        KillListener listener = records::add;
        WatchSpec spec = new WatchSpec("shop", Duration.ofSeconds(1), Duration.ofMillis(100), List.of(rule),
                Set.of("killer"), 1000, false, Set.of(), 4);
        MysqlServerPort enginePort = new MysqlServerPort(Targets.plain(DB.server()),
                new Credentials("killer", "killer-pw"), "node-1", Clock.systemUTC());
        SniperEngine engine = new SniperEngine("node-1", List.of(new WatchedDatabase(spec, enginePort)),
                KillGate.ALWAYS, listener, Clock.systemUTC());
        engine.start();
        try {
            for (Connection v : victims) {
                long start = System.nanoTime();
                deaths.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        exec(v, "UPDATE shop.t SET v = v + 1 WHERE id = 3");
                        return -1L; // not killed
                    } catch (SQLException e) {
                        return e.getErrorCode() == 1317 ? (System.nanoTime() - start) / 1_000_000 : -2L;
                    }
                }, clients));
                Thread.sleep(150);
            }
            for (CompletableFuture<Long> d : deaths) {
                long ms = d.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(ms).as("lived (ms), killed by KILL QUERY (1317)").isGreaterThanOrEqualTo(1500);
            }
            // A victim sees its KILL before the final record is out (the batch gathers them for a moment).
            await().atMost(WAIT.toMillis(), TimeUnit.MILLISECONDS).until(
                    () -> records.stream().filter(r -> r.outcome() == KillOutcome.KILLED).count() == 3);
            assertThat(records).filteredOn(r -> r.outcome() == KillOutcome.KILLED).hasSize(3)
                    .allSatisfy(r -> assertThat(r.ageMs()).isGreaterThanOrEqualTo(1500));
        } finally {
            engine.close();
            exec(holder, "ROLLBACK");
        }
    }
}
