package io.querysniper.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway {@code mariadbd} for tests: its own temp directory (datadir, socket, pid, logs), a
 * free port on 127.0.0.1, a root password, optional TLS with generated certificates, optionally a
 * GTID replica. Starts in well under a second: the system tables are made once per JVM with
 * {@code mariadb-install-db} into a template that every server copies.
 *
 * <pre>{@code
 * try (MariaDbServer db = MariaDbServer.builder().tls(true).build().start()) {
 *     db.execute("CREATE DATABASE shop");
 * }
 * }</pre>
 *
 * {@link #stop()} shuts the server down cleanly and keeps its datadir; {@link #start()} brings it
 * back on the same port. {@link #close()} kills it and deletes everything (also run from a JVM
 * shutdown hook for servers a test forgot).
 */
public final class MariaDbServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);
    private static final String ROOT_USER = "root";
    private static final String ROOT_PASSWORD = "sniper-test-root";
    private static final AtomicInteger SERVER_IDS = new AtomicInteger();
    private static final Set<MariaDbServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(MariaDbServer::close),
                "qs-testkit-mariadb-cleanup"));
    }

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private final Builder settings;
    private final int port;
    private final int serverId;
    private final Path dir;
    private final MariaDbServer replica;
    private volatile State state = State.NEW;
    private Process process;

    private MariaDbServer(Builder settings, boolean asReplica) {
        this.settings = settings;
        this.port = FreePort.next();
        this.serverId = SERVER_IDS.incrementAndGet();
        try {
            this.dir = Files.createTempDirectory("qs-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for mariadbd", e);
        }
        this.replica = settings.replica && !asReplica ? new MariaDbServer(settings, true) : null;
        LIVE.add(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the server (and its replica, wired with GTID, the first time); returns this. */
    public synchronized MariaDbServer start() {
        switch (state) {
            case RUNNING -> {
                return this;
            }
            case CLOSED -> throw new IllegalStateException("server on port " + port + " is closed");
            default -> {
            }
        }
        boolean first = state == State.NEW;
        long started = System.nanoTime();
        try {
            if (first) {
                MariaDbInstall.copyTree(MariaDbInstall.template(), dataDir());
            }
            Files.writeString(dir.resolve("init.sql"), initSql());
            ProcessBuilder pb = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()));
            process = pb.start();
            awaitReady();
            state = State.RUNNING;
            LOG.info("mariadbd {} ready on 127.0.0.1:{} in {} ms", serverId, port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start mariadbd in " + dir, e);
        }
        if (first && replica != null) {
            replica.start();
            replica.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + port
                    + ", MASTER_USER='" + ROOT_USER + "', MASTER_PASSWORD='" + ROOT_PASSWORD
                    + "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1", "START SLAVE");
            replica.awaitReplicating();
        }
        return this;
    }

    /** Clean shutdown ({@code SHUTDOWN}); the datadir and port stay, {@link #start()} brings it back. */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        try (Connection c = connection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            LOG.warn("SHUTDOWN failed on port {}, killing mariadbd: {}", port, e.getMessage());
            process.destroy();
        }
        waitForExit(Timing.seconds(20));
        state = State.STOPPED;
    }

    /**
     * Suspends the server process (SIGSTOP): it still accepts TCP connections (the kernel does that) but
     * answers nothing, not even the handshake, like a server that hangs. {@link #thaw()} lets it go on.
     */
    public synchronized void freeze() {
        signal("STOP");
    }

    /** Resumes a {@link #freeze() frozen} server (SIGCONT). */
    public synchronized void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("server on port " + port + " is not running: " + state);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling mariadbd", e);
        }
    }

    /** Kills the server (and its replica) and deletes its temp directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (replica != null) {
            replica.close();
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitForExit(Timing.seconds(10));
        }
        MariaDbInstall.deleteTree(dir);
        LIVE.remove(this);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String rootUser() {
        return ROOT_USER;
    }

    public String rootPassword() {
        return ROOT_PASSWORD;
    }

    /** The server's {@code server_id}. */
    public int serverId() {
        return serverId;
    }

    /** The GTID replica of this server, or null when built without {@link Builder#withReplica()}. */
    public MariaDbServer replica() {
        return replica;
    }

    public boolean tls() {
        return settings.tls;
    }

    /** {@code jdbc:mysql://127.0.0.1:<port>/} without properties; pass them with the connection. */
    public String jdbcUrl() {
        return "jdbc:mysql://" + host() + ":" + port + "/";
    }

    /** A new root connection (plain TCP, no TLS). The caller closes it. */
    public Connection connection() {
        return connection(ROOT_USER, ROOT_PASSWORD);
    }

    /** A new plain-TCP connection as {@code user}. The caller closes it. */
    public Connection connection(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslMode", "DISABLED");
        p.setProperty("allowPublicKeyRetrieval", "true");
        p.setProperty("connectTimeout", "2000");
        try {
            return DriverManager.getConnection(jdbcUrl(), p);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to mariadbd on port " + port + " as " + user
                    + ": " + e.getMessage(), e);
        }
    }

    /** Runs each statement as root, in order, on one connection. */
    public void execute(String... sql) {
        try (Connection c = connection(); Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Runs a query as root and returns the first column of the first row (null when no row). */
    public String queryString(String sql) {
        try (Connection c = connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code 'user'@'%'} with a password and grants, e.g.
     * {@code createUser("report", "pw", "PROCESS ON *.*", "SELECT ON shop.*")}.
     */
    public void createUser(String user, String password, String... grants) {
        String account = "'" + quote(user) + "'@'%'";
        List<String> sql = new ArrayList<>();
        sql.add("CREATE USER " + account + " IDENTIFIED BY '" + quote(password) + "'");
        for (String grant : grants) {
            sql.add("GRANT " + grant + " TO " + account);
        }
        execute(sql.toArray(String[]::new));
    }

    /** CA certificate (PEM) that signed the server and client certificates; null without TLS. */
    public Path caCert() {
        return settings.tls ? tlsCertificates().caCert() : null;
    }

    public Path serverCert() {
        return settings.tls ? tlsCertificates().serverCert() : null;
    }

    /** Client certificate (PEM, CN=sniper-client) for mutual TLS. */
    public Path clientCert() {
        return settings.tls ? tlsCertificates().clientCert() : null;
    }

    /** Client private key (PEM, PKCS#1 "RSA PRIVATE KEY"). */
    public Path clientKey() {
        return settings.tls ? tlsCertificates().clientKey() : null;
    }

    /** The builder's own certificates, or the ones every TLS server of this JVM shares. */
    private TestCertificates tlsCertificates() {
        return settings.certificates != null ? settings.certificates : MariaDbInstall.certificates();
    }

    /** The server's error log, for diagnosing a failed test. */
    public Path errorLog() {
        return dir.resolve("error.log");
    }

    private Path dataDir() {
        return dir.resolve("data");
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(
                MariaDbInstall.mariadbd(), "--no-defaults", "--user=root",
                "--datadir=" + dataDir(),
                "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + errorLog(),
                "--init-file=" + dir.resolve("init.sql"),
                "--server-id=" + serverId,
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=16M",
                "--innodb-log-file-size=4M",
                "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0",
                "--performance-schema=" + (settings.performanceSchema ? "ON" : "OFF"),
                "--max-connections=300",
                "--character-set-server=utf8mb4"));
        if (settings.replica) {
            cmd.addAll(List.of("--log-bin=mysql-bin", "--binlog-format=ROW", "--log-slave-updates",
                    "--gtid-strict-mode=ON", "--relay-log=relay-bin"));
        } else {
            cmd.add("--skip-log-bin");
        }
        if (settings.tls) {
            TestCertificates certs = tlsCertificates();
            cmd.addAll(List.of("--ssl-ca=" + certs.caCert(), "--ssl-cert=" + certs.serverCert(),
                    "--ssl-key=" + certs.serverKey()));
        }
        cmd.addAll(settings.options);
        return cmd;
    }

    /** Run at every start, so it must be idempotent; never binlogged, so a replica does not see it. */
    private static String initSql() {
        return String.join("\n",
                "SET sql_log_bin = 0;",
                "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '" + ROOT_PASSWORD + "';",
                "ALTER USER 'root'@'%' IDENTIFIED BY '" + ROOT_PASSWORD + "';",
                "ALTER USER 'root'@'localhost' IDENTIFIED BY '" + ROOT_PASSWORD + "';",
                "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
                // install-db also makes root@127.0.0.1, root@::1 and root@<hostname> without a password;
                // the more specific host would win over root@'%'.
                "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '%');",
                "DELETE FROM mysql.global_priv WHERE User = '';",
                "FLUSH PRIVILEGES;",
                "");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Timing.seconds(30).toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd on port " + port + " exited with " + process.exitValue()
                        + ":\n" + MariaDbInstall.tail(errorLog()) + MariaDbInstall.tail(dir.resolve("console.log")));
            }
            Properties p = new Properties();
            p.setProperty("user", ROOT_USER);
            p.setProperty("password", ROOT_PASSWORD);
            p.setProperty("sslMode", "DISABLED");
            p.setProperty("connectTimeout", "1000");
            try (Connection c = DriverManager.getConnection(jdbcUrl(), p)) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException("mariadbd on port " + port + " not ready in time: "
                + (last == null ? "" : last.getMessage()) + "\n" + MariaDbInstall.tail(errorLog()));
    }

    private void awaitReplicating() {
        long deadline = System.nanoTime() + Timing.seconds(30).toNanos();
        String io = null;
        String sql = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = connection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
                if (rs.next()) {
                    io = rs.getString("Slave_IO_Running");
                    sql = rs.getString("Slave_SQL_Running");
                    if ("Yes".equals(io) && "Yes".equals(sql)) {
                        return;
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("SHOW SLAVE STATUS failed on port " + port, e);
            }
            sleep(20);
        }
        throw new IllegalStateException("replica on port " + port + " not running: io=" + io + ", sql=" + sql
                + "\n" + MariaDbInstall.tail(errorLog()));
    }

    private void waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("mariadbd on port {} did not exit in {}, killing it", port, timeout);
                process.destroyForcibly();
                process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("'", "''");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for mariadbd", e);
        }
    }

    @Override
    public String toString() {
        return "MariaDbServer[127.0.0.1:" + port + ", state=" + state + (replica != null ? ", replica=" + replica.port : "") + "]";
    }

    /** Settings for a {@link MariaDbServer}. */
    public static final class Builder {
        private boolean tls;
        private TestCertificates certificates;
        private boolean replica;
        private boolean performanceSchema;
        private final List<String> options = new ArrayList<>();

        private Builder() {
        }

        /**
         * Enables TLS with generated certificates (CA, server cert for 127.0.0.1/localhost, client cert),
         * shared by every TLS server of this JVM.
         */
        public Builder tls(boolean on) {
            this.tls = on;
            this.certificates = null;
            return this;
        }

        /**
         * Enables TLS with these certificates, e.g. {@code TestCertificates.generate(dir, "db.invalid")} for a
         * server whose certificate does not name the address clients connect to. The replica, if any, uses
         * them too.
         */
        public Builder tls(TestCertificates certificates) {
            this.tls = true;
            this.certificates = java.util.Objects.requireNonNull(certificates, "certificates");
            return this;
        }

        /** Adds a second server, a GTID replica of this one (binary log on both). */
        public Builder withReplica() {
            this.replica = true;
            return this;
        }

        public Builder performanceSchema(boolean on) {
            this.performanceSchema = on;
            return this;
        }

        /** Any extra mariadbd option, e.g. {@code "--event-scheduler=ON"}. */
        public Builder option(String option) {
            options.add(option);
            return this;
        }

        public MariaDbServer build() {
            return new MariaDbServer(this, false);
        }
    }
}
