// Driver of bench/storm: run by run.sh with `java -cp query-sniper.jar StormBench.java ...` (the shaded
// jar carries mysql-connector-j). For each variant and each tool (its own victim user): connects the victims
// in advance, starts all of them within 100 ms, and measures from the client when each one died after its
// 3 s limit. No query text leaves this process.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

public class StormBench {
    static final long LIMIT_MS = 3000;
    static final long SPREAD_NANOS = 100_000_000L;
    /** A victim still alive this long after its start is a miss: the bench kills it and moves on. */
    static final long GIVE_UP_MS = LIMIT_MS + 27_000;
    /**
     * Before the first measured storm, one storm of each variant whose victims (a user no tool watches) the
     * bench kills itself 300 ms after they start, not measured. A victim's time of death is taken after
     * Connector/J has read the error and built its SQLException: in the first storm of a fresh JVM that
     * path runs interpreted in 500 threads at once, on the cores the tools need, and it made the first
     * measured storm (always query-sniper's: the tools take turns in a fixed order) 0.1-0.15 s slower.
     */
    static final Tool REHEARSAL = new Tool("rehearsal", "victim_warm", 300);

    static String host;
    static int port;
    static String password;

    /** @param selfKillMs 0 for a tool; else the bench kills the victims itself this long after the last start */
    record Tool(String name, String user, long selfKillMs) {
        Tool(String name, String user) {
            this(name, user, 0);
        }
    }

    record Variant(String name, String sql, int victims) {
        boolean rowLock() { return sql.startsWith("UPDATE"); }
    }

    /** One victim's fate: start and end (nanoTime), killed by the tool, or not (rescued by the bench, other error). */
    static final class Victim {
        final Connection c;
        final long threadId;
        volatile long start;
        volatile long end;
        volatile boolean killed;
        volatile boolean done;
        volatile boolean rescued;

        Victim(Connection c, long threadId) {
            this.c = c;
            this.threadId = threadId;
        }
    }

    /** deathsMs: every killed victim's time of death after the limit, sorted (the report's death curves). */
    record Figures(int victims, int killed, int misses, double p50, double p95, double last, double startSpreadMs,
                   List<Double> deathsMs) {
        String json() {
            return String.format(Locale.ROOT,
                    "{\"victims\":%d,\"killed\":%d,\"misses\":%d,\"p50_ms\":%s,\"p95_ms\":%s,\"last_ms\":%s,\"start_spread_ms\":%.1f,\"deaths_ms\":[%s]}",
                    victims, killed, misses, num(p50), num(p95), num(last), startSpreadMs,
                    String.join(",", deathsMs.stream().map(StormBench::num).toList()));
        }
    }

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        password = args[2];
        int lockVictims = Integer.parseInt(args[3]);
        int sleepVictims = Integer.parseInt(args[4]);
        int reps = Integer.parseInt(args[5]);
        String jar = args[6];
        List<Tool> tools = new ArrayList<>(List.of(new Tool("query-sniper", "victim_qs")));
        if (System.getenv("QS_BENCH_NO_PTKILL") == null) tools.add(new Tool("pt-kill", "victim_pt"));
        List<Variant> variants = new ArrayList<>();
        if (lockVictims > 0) variants.add(new Variant("row-lock", "UPDATE bench.hot SET v = v + 1 WHERE id = 1", lockVictims));
        if (sleepVictims > 0) variants.add(new Variant("sleep", "SELECT SLEEP(60)", sleepVictims));
        String loadStart = loadavg();

        waitPolling("sniper");
        if (tools.size() > 1) waitConnected("ptkill"); // SHOW PROCESSLIST is not counted in USER_STATISTICS
        for (Variant v : variants) {
            Figures f = storm(v, REHEARSAL);
            System.out.printf(Locale.ROOT, "storm rehearsal %-8s victims %d, killed by the bench itself (warms the bench's client; not measured)%n",
                    v.name(), f.victims());
        }
        // results.get(variant).get(tool): one Figures per repetition
        Map<String, Map<String, List<Figures>>> results = new LinkedHashMap<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (Variant v : variants) {
                for (Tool t : tools) {
                    Figures f = storm(v, t);
                    results.computeIfAbsent(v.name(), k -> new LinkedHashMap<>()).computeIfAbsent(t.name(), k -> new ArrayList<>()).add(f);
                    System.out.printf(Locale.ROOT, "storm rep %d %-8s %-12s victims %d killed %d misses %d, after the limit: p50 %s p95 %s last %s (starts spread over %.0f ms)%n",
                            rep, v.name(), t.name(), f.victims(), f.killed(), f.misses(), sec(f.p50()), sec(f.p95()), sec(f.last()), f.startSpreadMs());
                }
            }
        }

        System.out.println();
        System.out.println("time of death after the 3 s limit, measured by the client (per repetition)");
        System.out.printf("| %-28s | %-12s | %-8s | %-8s | %-8s | %-6s |%n", "storm", "tool", "p50", "p95", "last", "misses");
        System.out.println("|------------------------------|--------------|----------|----------|----------|--------|");
        StringBuilder json = new StringBuilder();
        json.append("{\"bench\":\"storm\",\"jar\":\"").append(jar.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\",\"reps\":").append(reps).append(",\"loadavg_start\":\"").append(loadStart).append('"');
        for (Variant v : variants) {
            Map<String, List<Figures>> byTool = results.get(v.name());
            json.append(",\"").append(v.name()).append("\":{\"victims\":").append(v.victims());
            for (Map.Entry<String, List<Figures>> e : byTool.entrySet()) {
                for (Figures f : e.getValue()) {
                    System.out.printf("| %-28s | %-12s | %-8s | %-8s | %-8s | %6d |%n", v.victims() + " " + v.name() + " victims",
                            e.getKey(), sec(f.p50()), sec(f.p95()), sec(f.last()), f.misses());
                }
                json.append(",\"").append(e.getKey().equals("pt-kill") ? "pt" : "qs").append("\":[");
                json.append(String.join(",", e.getValue().stream().map(Figures::json).toList())).append(']');
            }
            List<Figures> qs = byTool.get("query-sniper");
            List<Figures> pt = byTool.get("pt-kill");
            if (pt != null) {
                List<String> r = new ArrayList<>();
                List<String> r50 = new ArrayList<>();
                for (int i = 0; i < qs.size(); i++) {
                    r.add(ratio(pt.get(i).last(), qs.get(i).last()));
                    r50.add(ratio(pt.get(i).p50(), qs.get(i).p50()));
                }
                System.out.printf("  %s: pt-kill's last / query-sniper's last = %s; p50 ratio = %s (above 1: query-sniper faster)%n",
                        v.name(), String.join(", ", r), String.join(", ", r50));
                json.append(",\"ratio_last_pt_over_qs\":[").append(String.join(",", r)).append(']');
            }
            json.append('}');
        }
        String loadEnd = loadavg();
        System.out.println("load average: start " + loadStart + ", end " + loadEnd);
        json.append(",\"loadavg_end\":\"").append(loadEnd).append("\"}");
        System.out.println(json);
    }

    /** One storm: victims of one tool's user connected in advance, started within 100 ms. */
    static Figures storm(Variant v, Tool tool) throws Exception {
        Connection holder = null;
        if (v.rowLock()) {
            holder = connect("bench_admin");
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeQuery("SELECT v FROM bench.hot WHERE id = 1 FOR UPDATE").close();
            }
        }
        List<Victim> victims = new ArrayList<>();
        List<Thread> openers = new ArrayList<>();
        List<Victim> sync = Collections.synchronizedList(victims);
        // Connect in parallel (a few threads): 500 logins one by one take seconds.
        for (int t = 0; t < 8; t++) {
            int share = v.victims() / 8 + (t < v.victims() % 8 ? 1 : 0);
            Thread o = new Thread(() -> {
                try {
                    for (int i = 0; i < share; i++) {
                        Connection c = connect(tool.user());
                        sync.add(new Victim(c, threadId(c)));
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot connect victim: " + e.getMessage(), e);
                }
            });
            o.start();
            openers.add(o);
        }
        for (Thread o : openers) o.join();
        if (victims.size() != v.victims()) throw new IllegalStateException("only " + victims.size() + " victims connected");
        Thread.sleep(1500); // let both tools see the idle connections once

        CountDownLatch done = new CountDownLatch(victims.size());
        long base = System.nanoTime() + 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < victims.size(); i++) {
            Victim victim = victims.get(i);
            long at = base + i * SPREAD_NANOS / victims.size();
            Thread th = new Thread(() -> run(victim, v, at, done), "victim");
            th.start();
            threads.add(th);
        }
        // The bench's own deadline: whatever is still running is killed (and counted as a miss).
        long deadline = base + SPREAD_NANOS
                + (tool.selfKillMs() > 0 ? tool.selfKillMs() : GIVE_UP_MS) * 1_000_000L;
        while (!done.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                try (Connection admin = connect("bench_admin"); Statement s = admin.createStatement()) {
                    for (Victim victim : victims) {
                        if (!victim.done) {
                            victim.rescued = true;
                            s.execute("KILL QUERY " + victim.threadId);
                        }
                    }
                }
                deadline = Long.MAX_VALUE;
            }
        }
        for (Thread th : threads) th.join();
        if (holder != null) {
            holder.rollback();
            holder.close();
        }
        for (Victim victim : victims) victim.c.close();

        List<Double> o = new ArrayList<>();
        int misses = 0;
        long firstStart = Long.MAX_VALUE, lastStart = Long.MIN_VALUE;
        for (Victim victim : victims) {
            firstStart = Math.min(firstStart, victim.start);
            lastStart = Math.max(lastStart, victim.start);
            if (victim.killed && !victim.rescued) o.add((victim.end - victim.start) / 1e6 - LIMIT_MS);
            else misses++;
        }
        Collections.sort(o);
        Thread.sleep(2000); // let the tools settle (final records, pt-kill's next loop) before the next storm
        return new Figures(victims.size(), o.size(), misses, pct(o, 50), pct(o, 95),
                o.isEmpty() ? Double.NaN : o.get(o.size() - 1), (lastStart - firstStart) / 1e6, o);
    }

    static void run(Victim victim, Variant v, long at, CountDownLatch done) {
        try (Statement s = victim.c.createStatement()) {
            long wait = at - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            victim.start = System.nanoTime();
            if (v.rowLock()) {
                try {
                    s.execute(v.sql());
                } catch (SQLException e) {
                    victim.killed = e.getErrorCode() == 1317; // ER_QUERY_INTERRUPTED: KILL QUERY
                    if (!victim.killed) System.err.println("row-lock victim ended with error " + e.getErrorCode());
                }
            } else {
                try (ResultSet rs = s.executeQuery(v.sql())) {
                    rs.next();
                    victim.killed = rs.getInt(1) == 1; // SLEEP returns 1 when KILL QUERY interrupts it
                } catch (SQLException e) {
                    victim.killed = e.getErrorCode() == 1317;
                }
            }
            victim.end = System.nanoTime();
        } catch (Exception e) {
            System.err.println("victim failed: " + e);
            victim.end = System.nanoTime();
        } finally {
            victim.done = true;
            done.countDown();
        }
    }

    /** Waits until the tool's user has sent two more statements (the tool is polling), at most 60 s. */
    static void waitPolling(String user) throws Exception {
        long s0 = statements(user);
        long until = System.nanoTime() + 60_000_000_000L;
        while (statements(user) < s0 + 2) {
            if (System.nanoTime() > until) throw new IllegalStateException(user + " is not polling the server");
            Thread.sleep(200);
        }
    }

    /** Waits until the user has a connection, then one more poll interval, at most 60 s. */
    static void waitConnected(String user) throws Exception {
        long until = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Connection c = connect("bench_admin"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'")) {
                rs.next();
                if (rs.getInt(1) > 0) break;
            }
            if (System.nanoTime() > until) throw new IllegalStateException(user + " is not connected to the server");
            Thread.sleep(200);
        }
        Thread.sleep(1500);
    }

    static long statements(String user) throws SQLException {
        try (Connection c = connect("bench_admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SELECT_COMMANDS + OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = '" + user + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) return Double.NaN;
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static String sec(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    static String num(double d) {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "null" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    static String loadavg() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static Connection connect(String user) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true", user, password);
    }

    static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
