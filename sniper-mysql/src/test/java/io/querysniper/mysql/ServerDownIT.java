package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/** A server that goes away and comes back; a server that never was. */
class ServerDownIT {

    @Test
    void stoppedServerFailsWithinTheConnectTimeoutAndIsReadAgainOnceBack() {
        try (MariaDbServer db = MariaDbServer.builder().build().start();
             MysqlServerPort port = new MysqlServerPort(Targets.plain(db), new Credentials(db.rootUser(), db.rootPassword()),
                     "node-1", Clock.systemUTC())) {
            assertThat(port.snapshot(StatusNeeds.NONE).sessions()).isNotEmpty();

            db.stop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> port.snapshot(StatusNeeds.NONE))
                    .isInstanceOf(ServerUnavailableException.class)
                    .hasMessageContaining("database 'test-" + db.port() + "'");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Targets.CONNECT_TIMEOUT.plus(Timing.seconds(2)));
            assertThat(port.kill(new KillRequest(1, -1, KillAction.KILL_CONNECTION, null)).outcome())
                    .isEqualTo(KillOutcome.ERROR);

            db.start();
            assertThat(port.snapshot(StatusNeeds.NONE).sessions()).isNotEmpty();
        }
    }

    /**
     * Construction must not wait for the server: shown against one that hangs (frozen: connections accepted,
     * nothing answered), where a constructor that connected would wait its whole connect timeout.
     */
    @Test
    void constructionNeverWaitsForAServerThatHangs() {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            Duration connectTimeout = Timing.seconds(2);
            DatabaseTarget target = new DatabaseTarget("hanging", db.host(), db.port(), null,
                    io.querysniper.core.target.KillMethod.AUTO, connectTimeout, Duration.ofSeconds(1));
            db.freeze();
            try {
                long start = System.nanoTime();
                try (MysqlServerPort port = new MysqlServerPort(target, new Credentials("u", "p"), "n", Clock.systemUTC())) {
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(connectTimeout.dividedBy(2));
                }
            } finally {
                db.thaw();
            }
        }
    }

    @Test
    void aMissingServerIsUnavailable() {
        int nothing = FreePort.next();
        DatabaseTarget target = new DatabaseTarget("ghost", "127.0.0.1", nothing, null,
                io.querysniper.core.target.KillMethod.AUTO, Duration.ofMillis(300), Duration.ofSeconds(1));
        try (MysqlServerPort port = new MysqlServerPort(target, new Credentials("u", "p"), "n", Clock.systemUTC())) {
            assertThatThrownBy(() -> port.snapshot(StatusNeeds.NONE))
                    .isInstanceOf(ServerUnavailableException.class)
                    .hasMessageStartingWith("database 'ghost' at 127.0.0.1:" + nothing + " is unavailable");
        }
    }
}
