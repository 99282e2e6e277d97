package io.querysniper.daemon.e2e;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The last-moment fence, end to end: the engine over the real MySQL adapter and a real mariadbd, with a
 * gate that says "owner" until the intent of a kill is written and "not owner" from then on, so
 * ownership is lost between the dispatch and the KILL. Only the fence the watcher hands the adapter
 * (asked right before the KILL statement) stands between that and a KILL from a node that no longer
 * owns the database. The server's general log shows whether a KILL arrived.
 */
class FenceE2EIT {
    private static final Duration WAIT = Timing.seconds(15);
    private static MariaDbServer db;

    @BeforeAll
    static void server() {
        db = Servers.fresh(Servers.GENERAL_LOG);
    }

    @BeforeEach
    void emptyTheGeneralLog() {
        db.execute("TRUNCATE TABLE mysql.general_log");
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void ownershipLostBetweenDispatchAndKillSendsNoKill() throws Exception {
        AtomicBoolean owner = new AtomicBoolean(true);
        KillGate gate = database -> owner.get();
        // Another node took the database over while this one wrote its intent ahead.
        KillListener loseOwnershipAtTheIntent = new KillListener() {
            @Override
            public void beforeKill(KillRecord intent) {
                owner.set(false);
            }

            @Override
            public void onRecord(KillRecord record) {
            }
        };
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("fenced", db,
                     "[ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-query } ]")
                     .start(gate, loseOwnershipAtTheIntent)) {
            Victim.Result r = v.start("SELECT SLEEP(3)").get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(r.end()).as("the victim ran to its end: no KILL reached it (%s)", r).isEqualTo(Victim.End.COMPLETED);
            assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(3000);
            await().atMost(WAIT).until(() -> !s.forThread(v.threadId).isEmpty());
            assertThat(owner.get()).as("the intent was written ahead (and the gate flipped)").isFalse();
            assertThat(s.forThread(v.threadId)).extracting(KillRecord::outcome).containsExactly(KillOutcome.NOT_OWNER);
            assertThat(Servers.killsSent(db)).as("KILL statements in the server's general log").isEmpty();
        }
    }

    @Test
    void theSameSetupKillsWhileOwnershipHolds() throws Exception {
        // The control: same server, rule and victim, ownership kept. Proves the test above can see a KILL.
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("fenced", db,
                     "[ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-query } ]")
                     .start(KillGate.ALWAYS, KillListener.NONE)) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
            await().atMost(WAIT).until(() -> !s.forThread(v.threadId).isEmpty());
            assertThat(s.forThread(v.threadId)).extracting(KillRecord::outcome).containsExactly(KillOutcome.KILLED);
            assertThat(Servers.killsSent(db)).anyMatch(k -> k.startsWith(Servers.SNIPER + "[" + Servers.SNIPER + "]")
                    && k.contains("KILL QUERY"));
        }
    }
}
