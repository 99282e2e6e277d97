package io.querysniper.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.testkit.MariaDbExtension;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.TestCertificates;

/** TLS modes (verify-ca, verify-identity, mutual TLS from PEM files) and the {@code check} report. */
class TlsAndCheckIT {
    @RegisterExtension
    static final MariaDbExtension DB = new MariaDbExtension(MariaDbServer.builder().tls(true));

    @BeforeAll
    static void users() {
        MariaDbServer db = DB.server();
        db.createUser("x509", "x509-pw", "PROCESS ON *.*", "CONNECTION ADMIN ON *.*");
        db.execute("ALTER USER 'x509'@'%' REQUIRE X509");
        db.createUser("limited", "limited-pw", "SELECT ON mysql.*");
    }

    @Test
    void verifyCaConnectsAndTheCheckReportsTheCipher() {
        MariaDbServer db = DB.server();
        CheckReport report = ServerCheck.run(Targets.with(db, new TlsSettings(TlsMode.VERIFY_CA, db.caCert(), null, null)),
                new Credentials(db.rootUser(), db.rootPassword()), "node-1");

        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.tlsCipher()).isNotBlank();
        assertThat(report.flavor()).isEqualTo(Flavor.MARIADB);
        assertThat(report.version()).contains("MariaDB");
        assertThat(report.privilegesPresent()).contains("PROCESS");
        assertThat(report.privilegesMissing()).isEmpty();
        assertThat(report.sessionSource()).isEqualTo("information_schema.PROCESSLIST + INNODB_TRX");
        assertThat(report.killMethod()).isEqualTo("KILL QUERY ID / KILL CONNECTION");
    }

    /** Encrypted but unverified: no plaintext warning, yet the check says a man in the middle reads every query. */
    @Test
    void requiredEncryptsButTheCheckFlagsThatNothingIsVerified() {
        MariaDbServer db = DB.server();
        Credentials root = new Credentials(db.rootUser(), db.rootPassword());
        TlsSettings required = new TlsSettings(TlsMode.REQUIRED, null, null, null);
        try (MysqlServerPort port = new MysqlServerPort(Targets.with(db, required), root, "node-1", Clock.systemUTC())) {
            port.snapshot(StatusNeeds.NONE);
            assertThat(port.encrypted()).isTrue();
        }
        CheckReport report = ServerCheck.run(Targets.with(db, required), root, "node-1");
        assertThat(report.warnings()).contains("TLS without verification (tls.mode = required): the server's certificate"
                + " is not checked, so a man in the middle reads every query; set tls.mode = verify-identity and tls.ca");
        CheckReport verified = ServerCheck.run(Targets.with(db, new TlsSettings(TlsMode.VERIFY_IDENTITY, db.caCert(),
                null, null)), root, "node-1");
        assertThat(verified.warnings()).noneMatch(w -> w.contains("TLS") || w.contains("clear"));
    }

    @Test
    void verifyIdentityAcceptsTheCertificateFor127001() {
        MariaDbServer db = DB.server();
        try (MysqlServerPort port = new MysqlServerPort(
                Targets.with(db, new TlsSettings(TlsMode.VERIFY_IDENTITY, db.caCert(), null, null)),
                new Credentials(db.rootUser(), db.rootPassword()), "node-1", Clock.systemUTC())) {
            assertThat(port.snapshot(StatusNeeds.NONE).sessions()).isNotEmpty();
        }
    }

    /**
     * The chain is good (verify-ca connects with the same CA) but the certificate names another host than the
     * one the client connects to (127.0.0.1): verify-identity must refuse, the poll and the check alike.
     * "localhost" is the case that bites in practice: a certificate for the host name, a config with the IP.
     */
    @ParameterizedTest(name = "certificate for {0}")
    @ValueSource(strings = {"db.invalid", "localhost"})
    void verifyIdentityRefusesACertificateForAnotherHostThatVerifyCaAccepts(String certifiedName, @TempDir Path dir) {
        TestCertificates elsewhere = TestCertificates.generate(dir, certifiedName);
        try (MariaDbServer other = MariaDbServer.builder().tls(elsewhere).build().start()) {
            Credentials root = new Credentials(other.rootUser(), other.rootPassword());
            TlsSettings verifyCa = new TlsSettings(TlsMode.VERIFY_CA, other.caCert(), null, null);
            try (MysqlServerPort port = new MysqlServerPort(Targets.with(other, verifyCa), root, "node-1",
                    Clock.systemUTC())) {
                assertThat(port.snapshot(StatusNeeds.NONE).sessions()).as("verify-ca: the chain is good").isNotEmpty();
            }

            TlsSettings verifyIdentity = new TlsSettings(TlsMode.VERIFY_IDENTITY, other.caCert(), null, null);
            try (MysqlServerPort port = new MysqlServerPort(Targets.with(other, verifyIdentity), root, "node-1",
                    Clock.systemUTC())) {
                Throwable refused = catchThrowable(() -> port.snapshot(StatusNeeds.NONE));
                assertThat(refused).isInstanceOf(ServerUnavailableException.class)
                        .hasMessageStartingWith("database 'test-" + other.port() + "' at 127.0.0.1:" + other.port()
                                + " is unavailable");
                // Refused for the name, not for anything else a handshake can fail on.
                assertThat(refused).rootCause().isInstanceOf(CertificateException.class)
                        .hasMessageContaining("Server identity verification failed")
                        .hasMessageContaining("'127.0.0.1'");
            }
            CheckReport check = ServerCheck.run(Targets.with(other, verifyIdentity), root, "node-1");
            assertThat(check.ok()).isFalse();
            assertThat(check.flavor()).as("never got as far as a query").isNull();
            assertThat(check.problems()).singleElement().asString()
                    .startsWith("cannot connect to 127.0.0.1:" + other.port());
        }
    }

    @Test
    void mutualTlsWithPemClientCertificate() {
        MariaDbServer db = DB.server();
        TlsSettings mutual = new TlsSettings(TlsMode.VERIFY_CA, db.caCert(), db.clientCert(), db.clientKey());
        Credentials x509 = new Credentials("x509", "x509-pw");
        try (MysqlServerPort port = new MysqlServerPort(Targets.with(db, mutual), x509, "node-1", Clock.systemUTC())) {
            assertThat(port.snapshot(StatusNeeds.NONE).sessions()).anyMatch(s -> s.user().equals("x509"));
        }
        CheckReport report = ServerCheck.run(Targets.with(db, mutual), x509, "node-1");
        assertThat(report.tlsCipher()).isNotBlank();
        assertThat(report.privilegesPresent()).containsExactlyInAnyOrder("PROCESS", "CONNECTION_ADMIN");
        assertThat(report.ok()).as(report.problems().toString()).isTrue();

        // Same user without the client certificate: refused.
        CheckReport without = ServerCheck.run(Targets.with(db, new TlsSettings(TlsMode.VERIFY_CA, db.caCert(), null, null)),
                x509, "node-1");
        assertThat(without.ok()).isFalse();
        assertThat(without.problems()).singleElement().asString().contains("Access denied");
    }

    @Test
    void aServerSignedByAnotherCaIsRefused(@TempDir Path dir) {
        MariaDbServer db = DB.server();
        TestCertificates other = TestCertificates.generate(dir);
        try (MysqlServerPort port = new MysqlServerPort(
                Targets.with(db, new TlsSettings(TlsMode.VERIFY_CA, other.caCert(), null, null)),
                new Credentials(db.rootUser(), db.rootPassword()), "node-1", Clock.systemUTC())) {
            assertThatThrownBy(() -> port.snapshot(StatusNeeds.NONE))
                    .isInstanceOf(ServerUnavailableException.class)
                    .hasMessageStartingWith("database 'test-" + db.port() + "' at 127.0.0.1:" + db.port() + " is unavailable");
        }
    }

    @Test
    void theCheckReportsMissingPrivilegesOfALimitedUser() {
        MariaDbServer db = DB.server();
        CheckReport report = ServerCheck.run(Targets.with(db, new TlsSettings(TlsMode.REQUIRED, null, null, null)),
                new Credentials("limited", "limited-pw"), "node-1");

        assertThat(report.ok()).isFalse();
        assertThat(report.tlsCipher()).isNotBlank();
        assertThat(report.privilegesPresent()).isEmpty();
        assertThat(report.privilegesMissing()).containsExactlyInAnyOrder("PROCESS", "SUPER or CONNECTION_ADMIN");
        assertThat(report.problems()).containsExactly(
                "missing PROCESS: only the sniper's own sessions are visible",
                "missing SUPER or CONNECTION_ADMIN: other users' queries cannot be killed",
                // MariaDB wants PROCESS for INNODB_TRX at all: without it, the watch cannot run.
                "cannot read sessions from information_schema.PROCESSLIST + INNODB_TRX: error 1227 (42000):"
                        + " Access denied; you need (at least one of) the PROCESS privilege(s) for this operation");
    }

    @Test
    void theCheckReportsAnUnreachableServerAndPlainTcp() {
        MariaDbServer db = DB.server();
        CheckReport plain = ServerCheck.run(Targets.plain(db), new Credentials(db.rootUser(), db.rootPassword()), "n");
        assertThat(plain.tlsCipher()).isNull();
        assertThat(plain.ok()).isTrue();

        CheckReport wrongPassword = ServerCheck.run(Targets.plain(db), new Credentials(db.rootUser(), "nope"), "n");
        assertThat(wrongPassword.ok()).isFalse();
        assertThat(wrongPassword.flavor()).isNull();
        assertThat(wrongPassword.problems().getFirst()).startsWith("cannot connect to 127.0.0.1:" + db.port())
                .doesNotContain("nope");
    }
}
