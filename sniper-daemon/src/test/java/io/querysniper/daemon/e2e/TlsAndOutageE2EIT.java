package io.querysniper.daemon.e2e;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.core.watch.WatcherStatus;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TLS to the watched server, and one server going down while another is watched. */
class TlsAndOutageE2EIT {
    private static final Duration WAIT = Timing.seconds(20);
    private static final String SLOW = "[ { name = slow, match { user = [victim] }, busy-time = 1s } ]";

    @Test
    void verifyCaKillsOverTls() throws Exception {
        MariaDbServer db = Servers.tls();
        TlsSettings verifyCa = new TlsSettings(TlsMode.VERIFY_CA, db.caCert(), null, null);
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("tls", db, SLOW, false, Set.of(), verifyCa,
                     new Credentials(Servers.SNIPER, Servers.SNIPER_PW)).start()) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
            await().atMost(WAIT).until(() -> !s.finals(KillOutcome.KILLED).isEmpty());
        }
    }

    @Test
    void mutualTlsWithAClientCertificate() throws Exception {
        MariaDbServer db = Servers.tls();
        // sniper_x509 is created REQUIRE X509: without the client certificate it cannot log in.
        TlsSettings mutual = new TlsSettings(TlsMode.VERIFY_CA, db.caCert(), db.clientCert(), db.clientKey());
        try (Victim v = new Victim(db, "victim");
             Sniper s = new Sniper().watch("tls", db, SLOW, false, Set.of(), mutual,
                     new Credentials("sniper_x509", Servers.SNIPER_PW)).start()) {
            KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS));
            await().atMost(WAIT).until(() -> !s.finals(KillOutcome.KILLED).isEmpty());
        }
    }

    @Test
    void oneDatabaseDownDoesNotDelayTheOtherAndReconnectsWhenBack() throws Exception {
        MariaDbServer up = Servers.primary();
        MariaDbServer down = Servers.fresh();
        try {
            down.stop();
            try (Sniper s = new Sniper().watch("up", up, SLOW).watch("down", down, SLOW).start()) {
                await().atMost(WAIT).until(() -> {
                    WatcherStatus st = s.engine().status().get("down");
                    return st != null && !st.up() && st.lastError() != null;
                });
                // The other database is still sniped on time while this one is unreachable.
                try (Victim v = new Victim(up, "victim")) {
                    Victim.Result r = v.start("SELECT SLEEP(30)").get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    KillE2EIT.assertKilledQuery(r);
                    assertThat(r.elapsedMs()).isLessThan(1000 + Timing.millis(2500).toMillis());
                }
                down.start();
                try (Victim v = new Victim(down, "victim")) {
                    // Back-off after a few failed connects is a few seconds at most here.
                    KillE2EIT.assertKilledQuery(v.start("SELECT SLEEP(60)").get(Timing.seconds(45).toSeconds(), TimeUnit.SECONDS));
                    await().atMost(WAIT).until(() -> s.records.stream().anyMatch(
                            (KillRecord k) -> k.database().equals("down") && k.outcome() == KillOutcome.KILLED));
                }
                assertThat(s.engine().status().get("down").up()).isTrue();
            }
        } finally {
            down.close();
        }
    }
}
