package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * What was learnt about a server when a connection was made.
 *
 * @param flavor          server family
 * @param version         {@code VERSION()}
 * @param killProcedures  managed-server kill procedures present in the {@code mysql} schema, lower case
 *                        (e.g. {@code rds_kill_query}, {@code az_kill})
 */
public record ServerInfo(Flavor flavor, String version, Set<String> killProcedures) {
    static final Set<String> KNOWN_PROCEDURES = Set.of(
            "rds_kill", "rds_kill_query", "rds_kill_query_id", "az_kill", "az_kill_query");

    public ServerInfo {
        killProcedures = Set.copyOf(killProcedures);
    }

    public boolean hasRdsProcedures() {
        return killProcedures.contains("rds_kill") && killProcedures.contains("rds_kill_query");
    }

    public boolean hasAzureProcedures() {
        return killProcedures.contains("az_kill") && killProcedures.contains("az_kill_query");
    }

    static ServerInfo detect(Connection c) throws SQLException {
        String version;
        String comment;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION(), @@version_comment")) {
            rs.next();
            version = rs.getString(1);
            comment = rs.getString(2);
        }
        Set<String> procedures = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT LOWER(ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mysql'"
                        + " AND ROUTINE_TYPE = 'PROCEDURE' AND LOWER(ROUTINE_NAME) IN"
                        + " ('rds_kill', 'rds_kill_query', 'rds_kill_query_id', 'az_kill', 'az_kill_query')")) {
            while (rs.next()) {
                procedures.add(rs.getString(1));
            }
        }
        return new ServerInfo(Flavor.detect(version, comment), version, procedures);
    }
}
