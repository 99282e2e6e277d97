package io.querysniper.daemon.e2e;

import io.querysniper.testkit.MariaDbServer;

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

    /** A fresh server of its own (for tests that stop it). */
    static MariaDbServer fresh() {
        MariaDbServer s = MariaDbServer.builder().build().start();
        prepare(s);
        return s;
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
