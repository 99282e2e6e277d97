package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.querysniper.core.SniperException;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;

/**
 * The {@code check} command's look at one database: connects once (no pool) with the same settings as
 * the daemon, and reports flavour, version, TLS cipher, the privileges that matter (PROCESS to see every
 * session; SUPER or CONNECTION_ADMIN, or a managed server's kill procedure, to kill them), where
 * sessions are read from, and whether that read works. Never throws for a server-side problem.
 */
public final class ServerCheck {
    private static final Pattern GLOBAL_GRANT = Pattern.compile("^GRANT (.+?) ON \\*\\.\\* TO ", Pattern.CASE_INSENSITIVE);

    private ServerCheck() {
    }

    public static CheckReport run(DatabaseTarget target, Credentials credentials, String nodeId) {
        List<String> problems = new ArrayList<>();
        Set<String> present = new LinkedHashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        ConnectionSettings settings;
        try {
            settings = new ConnectionSettings(target, credentials, nodeId);
        } catch (SniperException e) {
            problems.add(e.getMessage());
            return new CheckReport(target.name(), null, null, null, present, missing, null, null, problems);
        }
        try (settings; Connection c = settings.connect()) {
            ServerInfo info = ServerInfo.detect(c);
            String cipher = cipher(c);
            Set<String> granted = globalPrivileges(c);
            KillMethod method = KillSql.effective(target.killMethod(), info);

            if (has(granted, "PROCESS")) {
                present.add("PROCESS");
            } else {
                missing.add("PROCESS");
                problems.add("missing PROCESS: only the sniper's own sessions are visible");
            }
            boolean canKill = switch (method) {
                case RDS -> procedure(info, present, "rds_kill_query", "rds_kill");
                case AZURE -> procedure(info, present, "az_kill_query", "az_kill");
                case AUTO, KILL -> killPrivilege(granted, present);
            };
            if (!canKill) {
                String need = switch (method) {
                    case RDS -> "mysql.rds_kill_query and mysql.rds_kill";
                    case AZURE -> "mysql.az_kill_query and mysql.az_kill";
                    case AUTO, KILL -> "SUPER or CONNECTION_ADMIN";
                };
                missing.add(need);
                problems.add("missing " + need + ": other users' queries cannot be killed");
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = SessionQueries.query(s, SessionQueries.sessions(info.flavor(), target.statementTimeout()))) {
                while (rs.next()) {
                    // read through: proves the session source is readable end to end
                }
            } catch (SQLException e) {
                problems.add("cannot read sessions from " + info.flavor().sessionSource() + ": " + KillErrors.detail(e));
            }
            List<String> warnings = new ArrayList<>();
            if (cipher == null) {
                warnings.add("query text crosses the network in clear: " + plaintextReason(target)
                        + "; set tls { mode = verify-identity, ca = ... }");
            } else if (!verifies(target)) {
                warnings.add("TLS without verification (tls.mode = " + mode(target).configName() + "): the server's"
                        + " certificate is not checked, so a man in the middle reads every query; set tls.mode ="
                        + " verify-identity and tls.ca");
            }
            warnings.addAll(LeastPrivileges.excess(granted, info.flavor(), info.version(), method));
            List<String> grants = LeastPrivileges.grants(info.flavor(), info.version(), method, currentUser(c));
            return new CheckReport(target.name(), info.flavor(), info.version(), cipher, present, missing,
                    info.flavor().sessionSource(), KillSql.describe(method, info), problems, warnings, grants);
        } catch (SQLException e) {
            problems.add("cannot connect to " + settings.address() + ": " + KillErrors.detail(e));
            return new CheckReport(target.name(), null, null, null, present, missing, null, null, problems);
        }
    }

    private static TlsMode mode(DatabaseTarget target) {
        return target.tls() == null ? TlsMode.PREFERRED : target.tls().mode();
    }

    private static boolean verifies(DatabaseTarget target) {
        return mode(target) == TlsMode.VERIFY_CA || mode(target) == TlsMode.VERIFY_IDENTITY;
    }

    private static String plaintextReason(DatabaseTarget target) {
        return mode(target) == TlsMode.DISABLED ? "TLS is off (tls.mode = disabled)"
                : "the server offers no TLS (tls.mode = " + mode(target).configName() + ")";
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            return rs.next() ? rs.getString(1) : "query_sniper@%";
        }
    }

    private static boolean killPrivilege(Set<String> granted, Set<String> present) {
        boolean ok = false;
        for (String p : List.of("SUPER", "CONNECTION_ADMIN", "CONNECTION ADMIN")) {
            if (has(granted, p)) {
                present.add(p.replace(' ', '_'));
                ok = true;
            }
        }
        return ok;
    }

    private static boolean procedure(ServerInfo info, Set<String> present, String... names) {
        boolean all = true;
        for (String n : names) {
            if (info.killProcedures().contains(n)) {
                present.add("mysql." + n);
            } else {
                all = false;
            }
        }
        return all;
    }

    private static boolean has(Set<String> granted, String privilege) {
        return granted.contains("ALL PRIVILEGES") || granted.contains(privilege);
    }

    private static String cipher(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
            if (rs.next()) {
                String value = rs.getString(2);
                return value == null || value.isBlank() ? null : value;
            }
            return null;
        }
    }

    /** Global privileges from SHOW GRANTS (privileges that come through roles are not expanded). */
    static Set<String> globalPrivileges(Connection c) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GRANTS")) {
            while (rs.next()) {
                out.addAll(parseGlobalGrant(rs.getString(1)));
            }
        }
        return out;
    }

    static Set<String> parseGlobalGrant(String grantLine) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = GLOBAL_GRANT.matcher(grantLine.trim());
        if (m.find()) {
            for (String p : m.group(1).split(",")) {
                out.add(p.trim().toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }
}
