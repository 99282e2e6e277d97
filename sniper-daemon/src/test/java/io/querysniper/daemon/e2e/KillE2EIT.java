package io.querysniper.daemon.e2e;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.mysql.MysqlServerPort;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.querysniper.daemon.e2e.Victim.End.COMPLETED;
import static io.querysniper.daemon.e2e.Victim.End.ERROR;
import static io.querysniper.daemon.e2e.Victim.End.INTERRUPTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Kills against a real mariadbd, through the engine and the MySQL adapter the daemon uses. */
class KillE2EIT {
    private static final Duration WAIT = Timing.seconds(15);
    /** A kill lands within this much after the limit (the busy-time of 1 s): one look, one KILL, the client waking. */
    private static final long OVERSHOOT_MS = Timing.millis(2500).toMillis();

    @Test
    void killQueryStopsTheStatementAndKeepsTheConnection() throws Exception {
        MariaDbServer db = Servers.primary();
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-query } ]").start()) {
            Victim.Result r = v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertKilledQuery(r);
            assertThat(r.elapsedMs()).isBetween(1000L, 1000 + OVERSHOOT_MS);
            assertThat(v.alive()).isTrue();
            await().atMost(WAIT).until(() -> !s.forThread(v.threadId).isEmpty());
            KillRecord k = s.forThread(v.threadId).get(0);
            assertThat(k.outcome()).isEqualTo(KillOutcome.KILLED);
            assertThat(k.action()).isEqualTo(KillAction.KILL_QUERY);
            assertThat(k.rule()).isEqualTo("slow");
            assertThat(k.fingerprint()).isEqualTo("select SLEEP(?)");
            assertThat(k.digest()).isNotBlank();
        }
    }

    @Test
    void killConnectionDropsTheConnection() throws Exception {
        MariaDbServer db = Servers.primary();
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-connection } ]").start()) {
            Victim.Result r = v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.end()).isIn(ERROR, INTERRUPTED);
            assertThat(v.alive()).isFalse();
            await().atMost(WAIT).until(() -> !s.forThread(v.threadId).isEmpty());
            assertThat(s.forThread(v.threadId)).extracting(KillRecord::outcome).containsExactly(KillOutcome.KILLED);
        }
    }

    @Test
    void idleConnectionIsKilledAfterItsIdleTime() {
        MariaDbServer db = Servers.primary();
        try (Victim idle = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = idle, match { user = [victim], command = [Sleep] }, idle-time = 1s, action = kill-connection } ]")
                     .start()) {
            await().atMost(WAIT).until(() -> !s.forThread(idle.threadId).isEmpty());
            assertThat(idle.alive()).isFalse();
            assertThat(s.forThread(idle.threadId).get(0).command()).isEqualTo("Sleep");
        }
    }

    @Test
    void idleTransactionIsKilledAndRolledBack() throws Exception {
        MariaDbServer db = Servers.primary();
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = idle-in-trx, match { user = [victim], command = [Sleep] }, transaction-time = 1s,"
                             + " action = kill-connection } ]").start()) {
            v.connection.setAutoCommit(false);
            try (Statement st = v.connection.createStatement()) {
                st.executeUpdate("INSERT INTO shop.orders VALUES (4711, 'never committed')");
            }
            await().atMost(WAIT).until(() -> !s.forThread(v.threadId).isEmpty());
            KillRecord k = s.forThread(v.threadId).get(0);
            assertThat(k.outcome()).isEqualTo(KillOutcome.KILLED);
            assertThat(k.transactionAgeMs()).isGreaterThanOrEqualTo(1000);
            assertThat(db.queryString("SELECT COUNT(*) FROM shop.orders WHERE id = 4711")).isEqualTo("0");
        }
    }

    @Test
    void infoRegexPicksTheStatement() throws Exception {
        MariaDbServer db = Servers.primary();
        try (Victim report = new Victim(db, "report"); Victim other = new Victim(db, "report");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = reports, match { info = \"(?i)^\\\\s*select\\\\s+sleep\\\\(7\" }, busy-time = 1s } ]").start()) {
            CompletableFuture<Victim.Result> spared = other.start("SELECT SLEEP(3)");
            Victim.Result r = report.start("SELECT SLEEP(7)").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertKilledQuery(r);
            assertThat(spared.get(WAIT.toSeconds(), TimeUnit.SECONDS).end()).isEqualTo(COMPLETED);
            assertThat(s.forThread(other.threadId)).isEmpty();
        }
    }

    @Test
    void protectedUsersAndOwnConnectionsAreNeverKilled() throws Exception {
        MariaDbServer db = Servers.primary();
        // Everything matches, busy or idle, after 1 s: only the protections stand between the rule and
        // the daemon's own polling connection.
        try (Victim vip = new Victim(db, "vip"); Victim victim = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = everything, busy-time = 1s, idle-time = 1s, action = kill-connection } ]",
                     false, Set.of("vip"), TlsSettings.PREFERRED, new Credentials(Servers.SNIPER, Servers.SNIPER_PW))
                     .start()) {
            CompletableFuture<Victim.Result> vipQuery = vip.start("SELECT SLEEP(3)");
            // A standby node of the cluster: same login, idle, not one of this node's own connections.
            Connection standby = db.connection(Servers.SNIPER, Servers.SNIPER_PW);
            await().atMost(WAIT).until(() -> !s.forThread(victim.threadId).isEmpty());
            assertThat(vipQuery.get(WAIT.toSeconds(), TimeUnit.SECONDS).end()).isEqualTo(COMPLETED);
            assertThat(vip.alive()).isTrue();
            assertThat(s.records).noneMatch(r -> r.user().equals("vip") || r.user().equals(Servers.SNIPER));
            assertThat(standby.isValid(2)).as("a standby node's idle connection survives").isTrue();
            standby.close();
            // Still polling on its own connection: a new victim is killed too.
            try (Victim later = new Victim(db, "victim")) {
                await().atMost(WAIT).until(() -> !s.forThread(later.threadId).isEmpty());
            }
        }
    }

    @Test
    void replicationThreadsSurviveARuleThatMatchesEverything() throws Exception {
        MariaDbServer primary = Servers.primary();
        MariaDbServer replica = primary.replica();
        String all = "[ { name = everything, busy-time = 1s, idle-time = 1s, action = kill-connection } ]";
        try (Victim onReplica = new Victim(replica, "victim");
             Sniper s = new Sniper().watch("primary", primary, all).watch("replica", replica, all).start()) {
            await().atMost(WAIT).until(() -> !s.forThread(onReplica.threadId).isEmpty());
            // Give both watchers a few more looks with the Binlog Dump and replica threads well past 1 s.
            await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
            assertThat(s.records).noneMatch(r -> r.command().startsWith("Binlog Dump")
                    || r.user().equals("system user") || r.command().equals("Slave_IO")
                    || r.command().equals("Slave_SQL") || r.command().equals("Daemon"));
            primary.execute("INSERT INTO shop.orders VALUES (9001, 'replicated after the sniping')");
            await().atMost(WAIT).until(() -> "1".equals(
                    replica.queryString("SELECT COUNT(*) FROM shop.orders WHERE id = 9001")));
            primary.execute("DELETE FROM shop.orders WHERE id = 9001");
        }
    }

    @Test
    void dryRunKillsNothing() throws Exception {
        MariaDbServer db = Servers.primary();
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("primary", db,
                     "[ { name = slow, match { user = [victim] }, busy-time = 1s } ]", true, Set.of(),
                     TlsSettings.PREFERRED, new Credentials(Servers.SNIPER, Servers.SNIPER_PW)).start()) {
            Victim.Result r = v.start("SELECT SLEEP(3)").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.end()).isEqualTo(COMPLETED);
            assertThat(s.forThread(v.threadId)).isNotEmpty()
                    .allMatch(k -> k.outcome() == KillOutcome.WOULD_KILL && k.dryRun());
        }
    }

    @Test
    void aQueryThatFinishedBetweenTheLookAndTheKillTakesNoNewQueryWithIt() throws Exception {
        MariaDbServer db = Servers.primary();
        DatabaseTarget target = new DatabaseTarget("primary", db.host(), db.port(), TlsSettings.PREFERRED,
                KillMethod.AUTO, Duration.ofSeconds(2), Duration.ofSeconds(2));
        try (Victim v = new Victim(db, "victim");
             MysqlServerPort port = new MysqlServerPort(target, new Credentials(Servers.SNIPER, Servers.SNIPER_PW),
                     "e2e", Clock.systemUTC())) {
            CompletableFuture<Victim.Result> first = v.start("SELECT SLEEP(1)");
            await().atMost(WAIT).until(() -> session(port, v.threadId) != null
                    && "Query".equals(session(port, v.threadId).command()));
            Session seen = session(port, v.threadId);          // the look
            assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).end()).isEqualTo(COMPLETED);
            CompletableFuture<Victim.Result> next = v.start("SELECT SLEEP(2)");
            await().atMost(WAIT).until(() -> session(port, v.threadId).queryId() != seen.queryId()
                    && "Query".equals(session(port, v.threadId).command()));
            KillResult result = port.kill(new KillRequest(seen.threadId(), seen.queryId(), KillAction.KILL_QUERY,
                    seen.info()));                               // the kill, one statement late
            assertThat(result.outcome()).isEqualTo(KillOutcome.GONE_ALREADY);
            assertThat(next.get(WAIT.toSeconds(), TimeUnit.SECONDS).end()).isEqualTo(COMPLETED);
        }
    }

    /** KILL QUERY ends SLEEP with 1, or (KILL QUERY ID on MariaDB) with error 1317, query interrupted. */
    static void assertKilledQuery(Victim.Result r) {
        assertThat(r.end()).as("statement end %s", r).isIn(INTERRUPTED, ERROR);
        if (r.end() == ERROR) {
            assertThat(r.errorCode()).as("error code").isEqualTo(1317);
        }
    }

    private static Session session(MysqlServerPort port, long threadId) {
        ServerSnapshot snap = port.snapshot(StatusNeeds.NONE);
        return snap.sessions().stream().filter(x -> x.threadId() == threadId).findFirst().orElse(null);
    }
}
