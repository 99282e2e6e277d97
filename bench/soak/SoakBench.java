// Driver of bench/soak: run by run.sh with `java -cp query-sniper.jar SoakBench.java ...` (the shaded jar carries
// mysql-connector-j) while sysbench's OLTP traffic runs. For the soak's duration it injects, every few seconds in
// turn, a long query on the primary, an idle transaction on the primary and a long query on the replica (each its
// own connection of user soak_victim), records each one's fate, and samples every few seconds the daemon's CPU,
// RSS and threads (/proc) and the replica's state (SHOW SLAVE STATUS). At the end it waits until the replica has
// applied everything the primary wrote. Writes the injections (one per line) to INJECTIONS and prints one JSON
// line. No query text leaves this process.
//   args: host primary-port replica-port password seconds daemon-pid every-ms sample-ms injections-file
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

public class SoakBench {
    /** The soak's rules (run.sh writes the same limits into the daemon's config). */
    static final long BUSY_LIMIT_MS = 3000;
    static final long TRX_LIMIT_MS = 5000;
    /** An injection still alive this long after its limit is a miss: the bench ends it. */
    static final long GRACE_MS = 10_000;

    static String host;
    static String password;

    enum Kind {
        LONG_QUERY_PRIMARY("primary", BUSY_LIMIT_MS), IDLE_TRX_PRIMARY("primary", TRX_LIMIT_MS),
        LONG_QUERY_REPLICA("replica", BUSY_LIMIT_MS);

        final String database;
        final long limitMs;

        Kind(String database, long limitMs) {
            this.database = database;
            this.limitMs = limitMs;
        }
    }

    /** One injection's fate; overshoot is its death minus its start minus its limit (NaN when it was not killed). */
    record Injection(Kind kind, long threadId, long startEpochMs, boolean killed, double overshootMs, String note) {
        String line() {
            return String.format(Locale.ROOT, "%s\t%d\t%s\t%d\t%s\t%s\t%s", kind.database, threadId, kind.name().toLowerCase(Locale.ROOT),
                    startEpochMs, killed ? "killed" : "miss", Double.isNaN(overshootMs) ? "-" : String.format(Locale.ROOT, "%.1f", overshootMs), note);
        }
    }

    record Sample(double tSeconds, double cpuShare, double rssMb, int threads, String io, String sql, int lastErrno, long behindS) {
        String json() {
            return String.format(Locale.ROOT, "{\"t_s\":%.1f,\"cpu_share\":%.4f,\"rss_mb\":%.1f,\"threads\":%d,\"io\":\"%s\",\"sql\":\"%s\",\"last_errno\":%d,\"behind_s\":%d}",
                    tSeconds, cpuShare, rssMb, threads, io, sql, lastErrno, behindS);
        }
    }

    public static void main(String[] args) throws Exception {
        host = args[0];
        int primary = Integer.parseInt(args[1]);
        int replica = Integer.parseInt(args[2]);
        password = args[3];
        long seconds = Long.parseLong(args[4]);
        long daemonPid = Long.parseLong(args[5]);
        long everyMs = Long.parseLong(args[6]);
        long sampleMs = Long.parseLong(args[7]);
        Path injectionsFile = Path.of(args[8]);

        ConcurrentLinkedQueue<Injection> done = new ConcurrentLinkedQueue<>();
        List<Thread> victims = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        long clkTck = 100; // USER_HZ on Linux
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        long nextInject = t0 + 2_000_000_000L;
        long nextSample = t0;
        Kind[] order = Kind.values();
        try (Connection replicaAdmin = connect(replica, "bench_admin")) {
            // The clock starts once connected (the first connection of a fresh JVM takes seconds on a loaded machine).
            t0 = System.nanoTime();
            end = t0 + seconds * 1_000_000_000L;
            nextInject = t0 + 2_000_000_000L;
            nextSample = t0;
            long cpu0 = cpuTicks(daemonPid);
            long lastTicks = cpu0;
            long lastSampleNanos = t0;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextInject) {
                    Kind kind = order[seq.getAndIncrement() % order.length];
                    victims.add(inject(kind, kind.database.equals("primary") ? primary : replica, seq.get(), done));
                    nextInject += everyMs * 1_000_000L;
                }
                if (now >= nextSample) {
                    long ticks = cpuTicks(daemonPid);
                    double cpu = ticks < 0 ? Double.NaN : (ticks - lastTicks) / (double) clkTck / ((now - lastSampleNanos) / 1e9);
                    if (now == lastSampleNanos) cpu = Double.NaN; // the first sample has no interval
                    samples.add(replicaSample(replicaAdmin, (now - t0) / 1e9, cpu, daemonPid));
                    lastTicks = ticks;
                    lastSampleNanos = now;
                    nextSample = Math.max(nextSample + sampleMs * 1_000_000L, now + sampleMs * 1_000_000L / 2); // no bursts after a stall
                }
                long sleep = Math.min(nextInject, nextSample) - System.nanoTime();
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
            for (Thread v : victims) v.join();
            // Replication caught up: the replica has applied every transaction the primary logged.
            long c0 = System.nanoTime();
            String pos;
            try (Connection p = connect(primary, "bench_admin"); Statement s = p.createStatement();
                 ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
                rs.next();
                pos = rs.getString(1);
            }
            int waited;
            try (Statement s = replicaAdmin.createStatement(); ResultSet rs = s.executeQuery("SELECT MASTER_GTID_WAIT('" + pos + "', 300)")) {
                rs.next();
                waited = rs.getInt(1);
            }
            double catchUpS = (System.nanoTime() - c0) / 1e9;
            Sample last = replicaSample(replicaAdmin, (System.nanoTime() - t0) / 1e9, Double.NaN, daemonPid);

            List<Injection> all = new ArrayList<>(done);
            all.sort((a, b) -> Long.compare(a.startEpochMs(), b.startEpochMs()));
            StringBuilder lines = new StringBuilder();
            for (Injection i : all) lines.append(i.line()).append('\n');
            Files.writeString(injectionsFile, lines);

            long misses = all.stream().filter(i -> !i.killed()).count();
            boolean replicationBroken = samples.stream().anyMatch(s -> !s.io().equals("Yes") || !s.sql().equals("Yes") || s.lastErrno() != 0)
                    || !last.io().equals("Yes") || !last.sql().equals("Yes") || last.lastErrno() != 0;
            long maxBehind = samples.stream().mapToLong(Sample::behindS).max().orElse(-1);
            double cpuAll = (cpuTicks(daemonPid) - cpu0) / (double) clkTck / ((System.nanoTime() - t0) / 1e9);
            StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                    "{\"bench\":\"soak\",\"seconds\":%d,\"inject_every_ms\":%d,\"busy_limit_ms\":%d,\"trx_limit_ms\":%d,\"injections\":%d,\"misses\":%d,"
                            + "\"replication_broken\":%b,\"replica_max_behind_s\":%d,\"replica_caught_up\":%b,\"replica_catch_up_s\":%.1f,"
                            + "\"daemon_cpu_share_overall\":%.4f,\"loadavg_end\":\"%s\"",
                    seconds, everyMs, BUSY_LIMIT_MS, TRX_LIMIT_MS, all.size(), misses, replicationBroken, maxBehind, waited == 0,
                    catchUpS, cpuAll, loadavg()));
            for (Kind k : Kind.values()) {
                List<Double> o = all.stream().filter(i -> i.kind() == k && i.killed()).map(Injection::overshootMs).sorted().toList();
                json.append(String.format(Locale.ROOT, ",\"%s\":{\"injected\":%d,\"killed\":%d,\"overshoots_ms\":[%s]}",
                        k.name().toLowerCase(Locale.ROOT), all.stream().filter(i -> i.kind() == k).count(), o.size(),
                        String.join(",", o.stream().map(d -> String.format(Locale.ROOT, "%.1f", d)).toList())));
            }
            json.append(",\"samples\":[").append(String.join(",", samples.stream().map(Sample::json).toList())).append("]}");
            System.out.printf(Locale.ROOT, "soak: %d injections, %d misses; replication %s, replica max behind %d s, caught up %s in %.1f s; daemon CPU %.1f%% of one core%n",
                    all.size(), misses, replicationBroken ? "BROKEN at some sample" : "running at every sample", maxBehind, waited == 0 ? "yes" : "NO",
                    catchUpS, cpuAll * 100);
            System.out.println(json);
        }
    }

    /** Starts one injection on its own thread; its fate lands in {@code out}. */
    static Thread inject(Kind kind, int port, int n, ConcurrentLinkedQueue<Injection> out) {
        Thread t = new Thread(() -> {
            long threadId = -1;
            long startEpoch = System.currentTimeMillis();
            Connection c = null;
            try {
                c = connect(port, "soak_victim");
                threadId = threadId(c);
                out.add(kind == Kind.IDLE_TRX_PRIMARY ? idleTransaction(c, port, threadId, n) : longQuery(c, kind, port, threadId));
            } catch (Exception e) {
                out.add(new Injection(kind, threadId, startEpoch, false, Double.NaN, "failed: " + e.getClass().getSimpleName()));
            } finally {
                closeQuietly(c); // a killed connection fails to close: that is the point
            }
        }, "inject-" + n);
        t.start();
        return t;
    }

    static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException e) {
            // killed
        }
    }

    /** SELECT SLEEP(60): killed when SLEEP returns 1 (KILL QUERY) or the statement is interrupted. */
    static Injection longQuery(Connection c, Kind kind, int port, long threadId) throws SQLException {
        long startEpoch = System.currentTimeMillis();
        long start = System.nanoTime();
        AtomicBoolean rescued = new AtomicBoolean();
        Thread rescuer = rescuer(port, threadId, kind.limitMs + GRACE_MS, rescued);
        boolean died;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SLEEP(60)")) {
            rs.next();
            died = rs.getInt(1) == 1;
        } catch (SQLException e) {
            died = true;
        }
        long end = System.nanoTime();
        rescuer.interrupt();
        boolean killed = died && !rescued.get();
        return new Injection(kind, threadId, startEpoch, killed, killed ? (end - start) / 1e6 - kind.limitMs : Double.NaN,
                rescued.get() ? "rescued" : died ? "" : "ended by itself");
    }

    /** BEGIN; UPDATE a row of its own (a table the OLTP traffic does not use); then idle until the connection dies. */
    static Injection idleTransaction(Connection c, int port, long threadId, int n) throws Exception {
        c.setAutoCommit(false);
        long startEpoch = System.currentTimeMillis();
        long start;
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO soak.inj (id, v) VALUES (" + n + ", 0) ON DUPLICATE KEY UPDATE v = v + 1");
            start = System.nanoTime();
        }
        try (Connection admin = connect(port, "bench_admin"); Statement s = admin.createStatement()) {
            long giveUp = start + (TRX_LIMIT_MS + GRACE_MS) * 1_000_000L;
            while (System.nanoTime() < giveUp) {
                Thread.sleep(50);
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + threadId)) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        double overshoot = (System.nanoTime() - start) / 1e6 - TRX_LIMIT_MS;
                        return new Injection(Kind.IDLE_TRX_PRIMARY, threadId, startEpoch, true, overshoot, "");
                    }
                }
            }
            s.execute("KILL CONNECTION " + threadId);
            return new Injection(Kind.IDLE_TRX_PRIMARY, threadId, startEpoch, false, Double.NaN, "rescued");
        }
    }

    /** Kills a query nobody killed in time, so a miss costs seconds, not a minute. */
    static Thread rescuer(int port, long tid, long afterMs, AtomicBoolean rescued) {
        Thread r = new Thread(() -> {
            try {
                Thread.sleep(afterMs);
                rescued.set(true);
                try (Connection c = connect(port, "bench_admin"); Statement s = c.createStatement()) {
                    s.execute("KILL QUERY " + tid);
                }
            } catch (InterruptedException e) {
                // the injection died in time
            } catch (SQLException e) {
                System.err.println("rescue failed: " + e.getMessage());
            }
        }, "rescuer");
        r.setDaemon(true);
        r.start();
        return r;
    }

    static Sample replicaSample(Connection replicaAdmin, double t, double cpu, long pid) throws SQLException {
        String io = "?", sql = "?";
        int errno = -1;
        long behind = -1;
        try (Statement s = replicaAdmin.createStatement(); ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            if (rs.next()) {
                io = rs.getString("Slave_IO_Running");
                sql = rs.getString("Slave_SQL_Running");
                errno = Math.max(rs.getInt("Last_IO_Errno"), rs.getInt("Last_SQL_Errno"));
                long b = rs.getLong("Seconds_Behind_Master");
                behind = rs.wasNull() ? -1 : b;
            }
        }
        return new Sample(t, cpu, status(pid, "VmRSS") / 1024.0, (int) status(pid, "Threads"), io, sql, errno, behind);
    }

    /** utime + stime of the process, in clock ticks; -1 when it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A number field of /proc/PID/status (kB for VmRSS); -1 when the process is gone. */
    static long status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static Connection connect(int port, String user) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true", user, password);
    }

    static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
