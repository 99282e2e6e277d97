package io.querysniper.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class MariaDbServerIT {

    @Test
    void startsWithRootPasswordAndSurvivesStopAndStartOnTheSamePort() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().build().start()) {
            db.execute("CREATE DATABASE kept", "CREATE TABLE kept.t (id INT PRIMARY KEY)", "INSERT INTO kept.t VALUES (1)");
            int port = db.port();
            assertThatThrownBy(() -> db.connection("root", "wrong")).isInstanceOf(IllegalStateException.class);

            db.stop();
            assertThatThrownBy(db::connection).isInstanceOf(IllegalStateException.class);
            db.start();

            assertThat(db.port()).isEqualTo(port);
            assertThat(db.queryString("SELECT COUNT(*) FROM kept.t")).isEqualTo("1");
        }
    }

    @Test
    void closeDeletesEverythingAndIsIdempotent() {
        MariaDbServer db = MariaDbServer.builder().build().start();
        var log = db.errorLog();
        db.close();
        db.close();
        assertThat(Files.exists(log)).isFalse();
        assertThatThrownBy(db::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void tlsWithGeneratedCertificatesAndAUserThatNeedsX509() throws Exception {
        try (MariaDbServer db = MariaDbServer.builder().tls(true).build().start()) {
            db.createUser("x509", "pw", "PROCESS ON *.*");
            db.execute("ALTER USER 'x509'@'%' REQUIRE X509");
            assertThat(db.caCert()).exists();
            assertThat(db.clientCert()).exists();
            assertThat(Files.readString(db.clientKey())).contains("BEGIN RSA PRIVATE KEY");
            assertThat(db.queryString("SELECT @@have_ssl")).isEqualTo("YES");
            // Without a client certificate the X509 user is refused.
            Properties p = new Properties();
            p.setProperty("user", "x509");
            p.setProperty("password", "pw");
            p.setProperty("sslMode", "REQUIRED");
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(db.jdbcUrl(), p).close())
                    .hasMessageContaining("Access denied");
        }
    }

    @Test
    void replicaFollowsThePrimaryWithGtid() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().withReplica().build().start()) {
            MariaDbServer replica = primary.replica();
            assertThat(replica).isNotNull();
            assertThat(replica.serverId()).isNotEqualTo(primary.serverId());
            primary.execute("CREATE DATABASE r", "CREATE TABLE r.t (id INT PRIMARY KEY)", "INSERT INTO r.t VALUES (7)");
            long deadline = System.nanoTime() + Timing.seconds(10).toNanos();
            String seen = null;
            while (System.nanoTime() < deadline) {
                try (Connection c = replica.connection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='r'")) {
                    rs.next();
                    if (rs.getInt(1) == 1) {
                        seen = replica.queryString("SELECT id FROM r.t");
                        if (seen != null) {
                            break;
                        }
                    }
                }
                Thread.sleep(20);
            }
            assertThat(seen).isEqualTo("7");
            assertThat(replica.queryString("SELECT @@gtid_slave_pos")).isNotBlank();
        }
    }
}
