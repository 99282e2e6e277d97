// Driver of bench/precision: run by run.sh with `java -cp query-sniper.jar PrecisionBench.java ...`
// (the shaded jar carries mysql-connector-j). Starts victims and bystanders on one server and measures,
// from the client side, when each victim died. No query text leaves this process either.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

public class PrecisionBench {
    static String host;
    static int port;
    static String password;
    static final long LIMIT_MS = 3000;
    static String victimSql;
    static final long GIVE_UP_MS = LIMIT_MS + 8000;

    static final long EPOCH_OFFSET_NANOS = System.currentTimeMillis() * 1_000_000 - System.nanoTime();

    record Victim(String tool, long startNanos, long endNanos, boolean died, boolean rescued) {
        String wall() {
            return java.time.Instant.ofEpochMilli((startNanos + EPOCH_OFFSET_NANOS) / 1_000_000) + " -> "
                    + java.time.Instant.ofEpochMilli((endNanos + EPOCH_OFFSET_NANOS) / 1_000_000);
        }
        double overshootMs() { return (endNanos - startNanos) / 1e6 - LIMIT_MS; }
    }

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        password = args[2];
        int victims = Integer.parseInt(args[3]);
        String sniperUser = args[4];
        long idleSeconds = Long.parseLong(args[5]);
        // sleep: SELECT SLEEP(60), as specified. lock: SELECT GET_LOCK(..., 60) on a lock the driver holds:
        // MariaDB's SLEEP shares one server-wide mutex between all sleepers, which makes a KILL wait
        // (THD::awake retries a trylock) when many sleepers are killed at once; a lock wait does not.
        victimSql = args.length > 6 && args[6].equals("lock") ? "SELECT GET_LOCK('bench-victims', 60)" : "SELECT SLEEP(60)";
        Connection lockHolder = connect("bench_admin");
        try (Statement s = lockHolder.createStatement()) {
            s.execute("SELECT GET_LOCK('bench-victims', 0)");
        }

        // 1. Idle polling: nothing near a limit, count the daemon's statements.
        long s0 = selects(sniperUser);
        long t0 = System.nanoTime();
        Thread.sleep(idleSeconds * 1000);
        double idleRate = (selects(sniperUser) - s0) / ((System.nanoTime() - t0) / 1e9);

        // 2. Victims (both tools interleaved) and bystanders.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger bystanderRuns = new AtomicInteger();
        ConcurrentLinkedQueue<String> falseKills = new ConcurrentLinkedQueue<>();
        List<Thread> bystanders = new ArrayList<>();
        // Another user, long queries: neither tool may touch them.
        for (int i = 0; i < 4; i++) {
            bystanders.add(loop("bystander", "SELECT SLEEP(4.5)", stop, bystanderRuns, falseKills));
        }
        // The victim users themselves, short queries (under the limit): must survive too.
        for (String u : new String[] {"victim_qs", "victim_pt"}) {
            for (int i = 0; i < 2; i++) {
                bystanders.add(loop(u, "SELECT SLEEP(1.5)", stop, bystanderRuns, falseKills));
            }
        }
        ConcurrentLinkedQueue<Victim> results = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(victims * 2);
        long base = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < victims; i++) {
            // Staggered starts: one victim per tool every 370 ms, so their limits fall at every
            // phase of the tools' poll intervals.
            long at = base + i * 370_000_000L;
            threads.add(victim("qs", "victim_qs", at, ready, results));
            threads.add(victim("pt", "victim_pt", at + 185_000_000L, ready, results));
        }
        for (Thread t : threads) {
            t.join();
        }
        long v0 = selects(sniperUser);
        stop.set(true);
        for (Thread t : bystanders) {
            t.join();
        }

        System.out.println("victims: " + victimSql);
        report("query-sniper", results, "qs");
        report("pt-kill", results, "pt");
        System.out.printf(Locale.ROOT, "bystander queries: %d run, false kills: %d%n", bystanderRuns.get(),
                falseKills.size());
        falseKills.forEach(f -> System.out.println("  false kill: " + f));
        System.out.printf(Locale.ROOT, "query-sniper statements per second while idle: %.2f (over %d s)%n",
                idleRate, idleSeconds);
    }

    static void report(String name, ConcurrentLinkedQueue<Victim> all, String tool) {
        List<Double> o = new ArrayList<>();
        int misses = 0;
        for (Victim v : all) {
            if (!v.tool.equals(tool)) continue;
            if (System.getenv("QS_BENCH_VERBOSE") != null && v.died && v.overshootMs() > 150) {
                System.out.printf(Locale.ROOT, "  late %s victim: %s overshoot %.0f ms%n", tool, v.wall(), v.overshootMs());
            }
            if (!v.died || v.rescued) misses++;
            else o.add(v.overshootMs());
        }
        Collections.sort(o);
        if (System.getenv("QS_BENCH_VERBOSE") != null) {
            System.out.println(name + " overshoots (ms): " + o.stream().map(d -> String.valueOf(Math.round(d))).toList());
        }
        System.out.printf(Locale.ROOT, "%-13s victims killed %d, misses %d, overshoot ms p50 %.0f p95 %.0f max %.0f min %.0f%n",
                name, o.size(), misses, pct(o, 50), pct(o, 95), o.isEmpty() ? Double.NaN : o.get(o.size() - 1),
                o.isEmpty() ? Double.NaN : o.get(0));
    }

    static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) return Double.NaN;
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static Connection connect(String user) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true", user, password);
    }

    static long selects(String user) throws SQLException {
        try (Connection c = connect("bench_admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SELECT_COMMANDS + OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = '" + user + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    static Thread victim(String tool, String user, long atNanos, CountDownLatch ready, ConcurrentLinkedQueue<Victim> out) {
        Thread t = new Thread(() -> {
            try (Connection c = connect(user); Statement s = c.createStatement()) {
                ready.countDown();
                long wait = atNanos - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                AtomicBoolean rescued = new AtomicBoolean();
                long tid = threadId(c);
                Thread rescuer = rescuer(tid, rescued);
                long start = System.nanoTime();
                boolean died;
                try (ResultSet rs = s.executeQuery(victimSql)) {
                    rs.next();
                    // SLEEP returns 1 when interrupted by KILL QUERY; GET_LOCK returns NULL.
                    died = victimSql.contains("SLEEP") ? rs.getInt(1) == 1 : rs.getObject(1) == null;
                } catch (SQLException e) {
                    died = true; // KILL CONNECTION or an interrupted statement
                }
                long end = System.nanoTime();
                rescuer.interrupt();
                out.add(new Victim(tool, start, end, died, rescued.get()));
            } catch (Exception e) {
                System.err.println(tool + " victim failed: " + e);
                out.add(new Victim(tool, 0, 0, false, false));
            }
        }, "victim-" + tool);
        t.start();
        return t;
    }

    /** Kills a victim nobody killed in time, so a miss costs seconds, not a minute. */
    static Thread rescuer(long tid, AtomicBoolean rescued) {
        Thread r = new Thread(() -> {
            try {
                Thread.sleep(GIVE_UP_MS);
                rescued.set(true);
                try (Connection c = connect("bench_admin"); Statement s = c.createStatement()) {
                    s.execute("KILL QUERY " + tid);
                }
            } catch (InterruptedException e) {
                // the victim died in time
            } catch (SQLException e) {
                System.err.println("rescue failed: " + e.getMessage());
            }
        }, "rescuer");
        r.setDaemon(true);
        r.start();
        return r;
    }

    static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Thread loop(String user, String sql, AtomicBoolean stop, AtomicInteger runs, ConcurrentLinkedQueue<String> falseKills) {
        Thread t = new Thread(() -> {
            try (Connection c = connect(user); Statement s = c.createStatement()) {
                while (!stop.get()) {
                    try (ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        runs.incrementAndGet();
                        if (rs.getInt(1) == 1) falseKills.add(user + " " + sql.replaceAll("[0-9.]+", "?"));
                    }
                }
            } catch (SQLException e) {
                falseKills.add(user + " connection lost: " + e.getErrorCode());
            }
        }, "bystander-" + user);
        t.start();
        return t;
    }
}
