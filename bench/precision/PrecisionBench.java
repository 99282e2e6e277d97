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

    /** One kind of victim: its statement, how a killed one is told from a finished one, the spacing. */
    record Phase(String name, String sql, long spacingNanos, long toolOffsetNanos) {
        boolean rowLock() { return sql.startsWith("UPDATE"); }
    }

    static final String ROW_LOCK_SQL = "UPDATE bench.hot SET v = v + 1 WHERE id = 1";
    static final String GET_LOCK_SQL = "SELECT GET_LOCK('bench-victims', 60)";
    static final String SLEEP_SQL = "SELECT SLEEP(60)";

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        password = args[2];
        int victims = Integer.parseInt(args[3]);
        String sniperUser = args[4];
        long idleSeconds = Long.parseLong(args[5]);
        String kind = args.length > 6 ? args[6] : "sleep";
        // sleep: SELECT SLEEP(60), as specified. lock: SELECT GET_LOCK(..., 60) on a lock the driver holds:
        // MariaDB's SLEEP shares one server-wide mutex between all sleepers, which makes a KILL wait
        // (THD::awake retries a trylock) when many sleepers are killed at once; a lock wait does not.
        // Staggered (lock, sleep): one victim per tool every 370 ms, so their limits fall at every phase of
        // the tools' poll intervals. dense: one per tool every 3 s / victims, so limits cross close together,
        // once behind a row lock (UPDATE of a row held FOR UPDATE) and once behind GET_LOCK.
        long dense = 3_000_000_000L / Math.max(1, victims);
        List<Phase> phases = switch (kind) {
            case "lock" -> List.of(new Phase("lock", GET_LOCK_SQL, 370_000_000L, 185_000_000L));
            case "dense" -> List.of(new Phase("dense-row-lock", ROW_LOCK_SQL, dense, dense / 2),
                    new Phase("dense-get-lock", GET_LOCK_SQL, dense, dense / 2));
            // all: every victim kind, sparse then dense (bench/run-all, the report's overshoot plots).
            case "all" -> List.of(new Phase("sparse-row-lock", ROW_LOCK_SQL, 370_000_000L, 185_000_000L),
                    new Phase("sparse-get-lock", GET_LOCK_SQL, 370_000_000L, 185_000_000L),
                    new Phase("sparse-sleep", SLEEP_SQL, 370_000_000L, 185_000_000L),
                    new Phase("dense-row-lock", ROW_LOCK_SQL, dense, dense / 2),
                    new Phase("dense-get-lock", GET_LOCK_SQL, dense, dense / 2),
                    new Phase("dense-sleep", SLEEP_SQL, dense, dense / 2));
            default -> List.of(new Phase("sleep", SLEEP_SQL, 370_000_000L, 185_000_000L));
        };
        Connection lockHolder = connect("bench_admin");
        try (Statement s = lockHolder.createStatement()) {
            s.execute("SELECT GET_LOCK('bench-victims', 0)");
        }
        Connection rowHolder = connect("bench_admin");
        if (phases.stream().anyMatch(Phase::rowLock)) {
            rowHolder.setAutoCommit(false);
            try (Statement s = rowHolder.createStatement()) {
                s.executeQuery("SELECT v FROM bench.hot WHERE id = 1 FOR UPDATE").close();
            }
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
        StringBuilder json = new StringBuilder("{\"bench\":\"precision\",\"kind\":\"" + kind + "\",\"victims_per_tool\":"
                + victims + ",\"loadavg_start\":\"" + loadavg() + "\"");
        for (Phase phase : phases) {
            victimSql = phase.sql();
            ConcurrentLinkedQueue<Victim> results = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(victims * 2);
            long base = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; i < victims; i++) {
                long at = base + i * phase.spacingNanos();
                threads.add(victim("qs", "victim_qs", at, ready, results));
                threads.add(victim("pt", "victim_pt", at + phase.toolOffsetNanos(), ready, results));
            }
            for (Thread t : threads) {
                t.join();
            }
            System.out.println("victims: " + victimSql + (phases.size() > 1 || !kind.equals(phase.name())
                    ? " (" + phase.name() + ", starts " + phase.spacingNanos() / 1_000_000 + " ms apart per tool)" : ""));
            json.append(",\"").append(phase.name()).append("\":{\"qs\":").append(report("query-sniper", results, "qs"))
                    .append(",\"pt\":").append(report("pt-kill", results, "pt")).append('}');
        }
        stop.set(true);
        for (Thread t : bystanders) {
            t.join();
        }
        rowHolder.close();
        // A victim user's own short query is that tool's false kill; the other user's belong to neither rule.
        long qsFalse = falseKills.stream().filter(f -> f.startsWith("victim_qs ")).count();
        long ptFalse = falseKills.stream().filter(f -> f.startsWith("victim_pt ")).count();
        System.out.printf(Locale.ROOT, "bystander queries: %d run, false kills: %d (query-sniper's victim user %d, pt-kill's %d, other user %d)%n",
                bystanderRuns.get(), falseKills.size(), qsFalse, ptFalse, falseKills.size() - qsFalse - ptFalse);
        falseKills.forEach(f -> System.out.println("  false kill: " + f));
        System.out.printf(Locale.ROOT, "query-sniper statements per second while idle: %.2f (over %d s)%n",
                idleRate, idleSeconds);
        json.append(String.format(Locale.ROOT, ",\"false_kills\":%d,\"false_kills_qs\":%d,\"false_kills_pt\":%d,\"bystander_runs\":%d,\"idle_statements_per_s\":%.3f,\"loadavg_end\":\"%s\"}",
                falseKills.size(), qsFalse, ptFalse, bystanderRuns.get(), idleRate, loadavg()));
        System.out.println(json);
    }

    static String loadavg() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Prints one tool's line and returns its figures as a JSON object. */
    static String report(String name, ConcurrentLinkedQueue<Victim> all, String tool) {
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
        // Every killed victim's overshoot too: the report plots the distributions of both tools.
        return String.format(Locale.ROOT, "{\"killed\":%d,\"misses\":%d,\"p50_ms\":%s,\"p95_ms\":%s,\"max_ms\":%s,\"overshoots_ms\":[%s]}",
                o.size(), misses, num(pct(o, 50)), num(pct(o, 95)), num(o.isEmpty() ? Double.NaN : o.get(o.size() - 1)),
                String.join(",", o.stream().map(PrecisionBench::num).toList()));
    }

    static String num(double d) {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
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
            String sql = victimSql;
            try (Connection c = connect(user); Statement s = c.createStatement()) {
                long tid = threadId(c);
                ready.countDown();
                long wait = atNanos - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                AtomicBoolean rescued = new AtomicBoolean();
                Thread rescuer = rescuer(tid, rescued);
                long start = System.nanoTime();
                boolean died;
                if (sql.startsWith("UPDATE")) {
                    try {
                        s.execute(sql);
                        died = false; // the row lock was released: nobody killed it
                    } catch (SQLException e) {
                        died = e.getErrorCode() == 1317; // ER_QUERY_INTERRUPTED: KILL QUERY
                        if (!died) System.err.println(tool + " row-lock victim ended with error " + e.getErrorCode());
                    }
                } else {
                    try (ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        // SLEEP returns 1 when interrupted by KILL QUERY; GET_LOCK returns NULL.
                        died = sql.contains("SLEEP") ? rs.getInt(1) == 1 : rs.getObject(1) == null;
                    } catch (SQLException e) {
                        died = true; // KILL CONNECTION or an interrupted statement
                    }
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
