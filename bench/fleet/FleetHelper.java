// Helper of bench/fleet, run by run.sh as a coprocess (`java -cp query-sniper.jar FleetHelper.java ...`, the
// shaded jar carries mysql-connector-j). Holds the idle application sessions and reads the servers'
// counters, one command per line on stdin, one answer line on stdout:
//   open <server> <count> <user>   opens <count> idle sessions on server <server> (0-based) -> "ok <total open>"
//   mark                           samples every server's counters -> "ok"
//   delta <user> <servers|all>     samples again; sums over the servers (comma-separated indexes) since mark:
//                                  "ok <seconds> <questions> <user statements> <show processlist> <processlist avg> <min> <max>"
//   count <server>                 -> "ok <sessions in the process list, this helper's probe excluded>"
//   quit
// Questions are corrected for the helper's own probes (one statement per sample and server).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class FleetHelper {
    static String host;
    static String password;
    static int[] ports;
    static Connection[] probes;
    static final List<Connection> held = new ArrayList<>();

    record Sample(long nanos, long questions, Map<String, Long> userStatements, long showProcesslist, long processlist) {}

    public static void main(String[] args) throws Exception {
        host = args[0];
        password = args[1];
        ports = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        probes = new Connection[ports.length];
        for (int i = 0; i < ports.length; i++) probes[i] = connect(i, "bench_admin");
        Sample[] marked = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "open" -> {
                        int server = Integer.parseInt(w[1]);
                        int count = Integer.parseInt(w[2]);
                        for (int i = 0; i < count; i++) held.add(connect(server, w[3]));
                        System.out.println("ok " + held.size());
                    }
                    case "mark" -> {
                        marked = sampleAll();
                        System.out.println("ok");
                    }
                    case "delta" -> {
                        Sample[] now = sampleAll();
                        List<Integer> servers = new ArrayList<>();
                        if (w[2].equals("all")) {
                            for (int i = 0; i < ports.length; i++) servers.add(i);
                        } else {
                            for (String s : w[2].split(",")) servers.add(Integer.parseInt(s));
                        }
                        long q = 0, u = 0, show = 0, plSum = 0, plMin = Long.MAX_VALUE, plMax = 0;
                        double seconds = 0;
                        for (int i : servers) {
                            Sample a = marked[i], b = now[i];
                            q += b.questions() - a.questions() - 1; // the probe that read b
                            u += b.userStatements().getOrDefault(w[1], 0L) - a.userStatements().getOrDefault(w[1], 0L);
                            show += b.showProcesslist() - a.showProcesslist();
                            plSum += b.processlist();
                            plMin = Math.min(plMin, b.processlist());
                            plMax = Math.max(plMax, b.processlist());
                            seconds += (b.nanos() - a.nanos()) / 1e9;
                        }
                        System.out.printf(Locale.ROOT, "ok %.3f %d %d %d %.1f %d %d%n", seconds / servers.size(), q, u, show,
                                (double) plSum / servers.size(), plMin, plMax);
                    }
                    case "count" -> System.out.println("ok " + sample(Integer.parseInt(w[1])).processlist());
                    case "quit" -> {
                        System.out.println("ok");
                        return;
                    }
                    default -> System.out.println("error unknown command " + w[0]);
                }
            } catch (SQLException | RuntimeException e) {
                System.out.println("error " + e.getMessage().replace('\n', ' '));
            }
            System.out.flush();
        }
    }

    static Sample[] sampleAll() throws SQLException {
        Sample[] s = new Sample[ports.length];
        for (int i = 0; i < ports.length; i++) s[i] = sample(i);
        return s;
    }

    /** One statement per server: the counters and the size of its process list (this probe excluded). */
    static Sample sample(int server) throws SQLException {
        try (Statement st = probes[server].createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'),"
                     + " (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_SHOW_PROCESSLIST'),"
                     + " (SELECT COUNT(*) - 1 FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Daemon'),"
                     + " (SELECT GROUP_CONCAT(CONCAT(USER, '=', SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS)) FROM information_schema.USER_STATISTICS)")) {
            rs.next();
            long nanos = System.nanoTime();
            Map<String, Long> users = new HashMap<>();
            String all = rs.getString(4);
            if (all != null) {
                for (String kv : all.split(",")) {
                    int eq = kv.lastIndexOf('=');
                    users.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
            }
            return new Sample(nanos, rs.getLong(1), users, rs.getLong(2), rs.getLong(3));
        }
    }

    static Connection connect(int server, String user) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + host + ":" + ports[server] + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                user, password);
    }
}
