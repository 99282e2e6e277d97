package io.querysniper.daemon.e2e;

import io.querysniper.testkit.MariaDbServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Throwaway servers shared by the end-to-end tests of this module (started on first use, stopped by
 * the testkit's shutdown hook): starting one costs a second or two, a test costs a few seconds.
 */
final class Servers {
    static final String SNIPER = "sniper";
    static final String SNIPER_PW = "sniper-pw";
    static final String PW = "user-pw";

    private static MariaDbServer primary;
    private static MariaDbServer tls;

    private Servers() {
    }

    /** A primary with a GTID replica; users and schema created on the primary replicate. */
    static synchronized MariaDbServer primary() {
        if (primary == null) {
            primary = MariaDbServer.builder().withReplica().build().start();
            prepare(primary);
            awaitReplica(primary);
        }
        return primary;
    }

    /** A TLS server (generated CA, server and client certificates). */
    static synchronized MariaDbServer tls() {
        if (tls == null) {
            tls = MariaDbServer.builder().tls(true).build().start();
            prepare(tls);
            tls.execute("CREATE USER 'sniper_x509'@'%' IDENTIFIED BY '" + SNIPER_PW + "' REQUIRE X509",
                    "GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'sniper_x509'@'%'");
        }
        return tls;
    }

    /** A fresh server of its own (for tests that stop it, or need mariadbd options), prepared like the others. */
    static MariaDbServer fresh(String... options) {
        MariaDbServer.Builder b = MariaDbServer.builder();
        for (String o : options) {
            b.option(o);
        }
        MariaDbServer s = b.build().start();
        prepare(s);
        return s;
    }

    /** Writes {@code file} as a credentials file (mode 600) with the daemon's login as the default, and returns it. */
    static Path credentialsFile(Path file) throws IOException {
        Files.writeString(file, "default { user = \"" + SNIPER + "\", password = \"" + SNIPER_PW + "\" }\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** mariadbd options that log every statement to {@code mysql.general_log} (see {@link #killsSent}). */
    static final String[] GENERAL_LOG = {"--general-log=ON", "--log-output=TABLE"};

    /** The KILL statements the server received (its general log), as "user: statement". */
    static List<String> killsSent(MariaDbServer s) {
        List<String> out = new ArrayList<>();
        try (Connection c = s.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT user_host, CONVERT(argument USING utf8mb4)"
                     + " FROM mysql.general_log WHERE command_type = 'Query'"
                     + " AND CONVERT(argument USING utf8mb4) LIKE 'KILL%' ORDER BY event_time")) {
            while (rs.next()) {
                out.add(rs.getString(1) + ": " + rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the general log", e);
        }
        return out;
    }

    static void prepare(MariaDbServer s) {
        s.createUser(SNIPER, SNIPER_PW, "PROCESS, CONNECTION ADMIN ON *.*");
        for (String u : new String[] {"victim", "bystander", "vip", "report"}) {
            s.createUser(u, PW, "ALL ON shop.*");
        }
        s.execute("CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY, note VARCHAR(100)) ENGINE=InnoDB");
    }

    private static void awaitReplica(MariaDbServer p) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if ("0".equals(p.replica().queryString(
                        "SELECT COUNT(*) FROM mysql.user WHERE User = 'victim'")) ) {
                    Thread.sleep(100);
                    continue;
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("replica did not catch up");
    }
}
