package io.querysniper.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.querysniper.core.target.KillMethod;

/**
 * What the daemon's login needs on one server, as statements ready to run, and which of its privileges it
 * does not need. It reads every session (PROCESS, and on MySQL 8 the performance_schema tables it joins) and
 * kills other users' threads (CONNECTION ADMIN where the server has it, SUPER only where it does not, or a
 * managed server's kill procedures). Anything more is what a stolen login could abuse.
 */
final class LeastPrivileges {
    private LeastPrivileges() {
    }

    /**
     * @param account the login as {@code CURRENT_USER()} gives it ({@code user@host})
     * @return GRANT statements, and {@code --} comment lines for what only some rules need
     */
    static List<String> grants(Flavor flavor, String version, KillMethod method, String account) {
        String to = " TO " + quoted(account) + ";";
        List<String> out = new ArrayList<>();
        switch (method) {
            case RDS -> {
                out.add("GRANT PROCESS ON *.*" + to);
                out.add("GRANT EXECUTE ON PROCEDURE mysql.rds_kill_query" + to);
                out.add("GRANT EXECUTE ON PROCEDURE mysql.rds_kill" + to);
            }
            case AZURE -> {
                out.add("GRANT PROCESS ON *.*" + to);
                out.add("GRANT EXECUTE ON PROCEDURE mysql.az_kill_query" + to);
                out.add("GRANT EXECUTE ON PROCEDURE mysql.az_kill" + to);
            }
            case AUTO, KILL -> out.add("GRANT PROCESS, " + killPrivilege(flavor, version) + " ON *.*" + to);
        }
        if (flavor == Flavor.MYSQL8) {
            for (String table : List.of("processlist", "threads", "events_statements_current")) {
                out.add("GRANT SELECT ON performance_schema." + table + to);
            }
        }
        out.add("-- only for rules with when { replica-lag-over }: GRANT " + replicaStatusPrivilege(flavor, version)
                + " ON *.*" + to);
        return out;
    }

    /** Granted privileges the daemon does not need, one sentence each. */
    static List<String> excess(Set<String> granted, Flavor flavor, String version, KillMethod method) {
        List<String> out = new ArrayList<>();
        if (granted.contains("ALL PRIVILEGES")) {
            out.add("the login has ALL PRIVILEGES: it needs only the grants check prints; a stolen password"
                    + " could read, change or drop every table");
        } else if (granted.contains("SUPER") && !killPrivilege(flavor, version).equals("SUPER")) {
            out.add("the login has SUPER: " + killPrivilege(flavor, version) + " is all it needs to kill;"
                    + " SUPER also lets it change global settings, replication and read_only");
        }
        return out;
    }

    /** The narrowest privilege that lets a login kill other users' threads. */
    static String killPrivilege(Flavor flavor, String version) {
        return switch (flavor) {
            case MARIADB -> atLeast(version, 10, 5, 2) ? "CONNECTION ADMIN" : "SUPER";
            case MYSQL8 -> "CONNECTION_ADMIN";
            case MYSQL57 -> atLeast(version, 8, 0, 0) ? "CONNECTION_ADMIN" : "SUPER";
        };
    }

    private static String replicaStatusPrivilege(Flavor flavor, String version) {
        return flavor == Flavor.MARIADB && atLeast(version, 10, 5, 9) ? "SLAVE MONITOR" : "REPLICATION CLIENT";
    }

    /** {@code user@host} to {@code 'user'@'host'}; the host part is what follows the last {@code @}. */
    static String quoted(String account) {
        int at = account.lastIndexOf('@');
        String user = at < 0 ? account : account.substring(0, at);
        String host = at < 0 ? "%" : account.substring(at + 1);
        return "'" + user.replace("'", "''") + "'@'" + host.replace("'", "''") + "'";
    }

    static boolean atLeast(String version, int major, int minor, int patch) {
        int[] v = new int[3];
        String[] parts = (version == null ? "" : version).split("[^0-9]+");
        int i = 0;
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            if (i == 3) {
                break;
            }
            try {
                v[i++] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                break;
            }
        }
        return v[0] != major ? v[0] > major : v[1] != minor ? v[1] > minor : v[2] >= patch;
    }
}
