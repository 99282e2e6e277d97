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
 * @param serverId        which server answered this connection: {@code @@server_uuid} on MySQL,
 *                        {@code @@server_id}, {@code @@hostname} and {@code @@port} on MariaDB (which has no
 *                        uuid); null when unknown. A KILL goes only over a connection to the server
 *                        whose rows decided it (a VIP, proxy or reader endpoint may reach another one)
 */
public record ServerInfo(Flavor flavor, String version, Set<String> killProcedures, String serverId) {
    static final Set<String> KNOWN_PROCEDURES = Set.of(
            "rds_kill", "rds_kill_query", "rds_kill_query_id", "az_kill", "az_kill_query");

    public ServerInfo {
        killProcedures = Set.copyOf(killProcedures);
    }

    public ServerInfo(Flavor flavor, String version, Set<String> killProcedures) {
        this(flavor, version, killProcedures, null);
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
        Flavor flavor = Flavor.detect(version, comment);
        return new ServerInfo(flavor, version, procedures, serverId(c, flavor));
    }

    private static String serverId(Connection c, Flavor flavor) throws SQLException {
        String sql = flavor == Flavor.MARIADB
                ? "SELECT CONCAT('mariadb:', @@server_id, '@', @@hostname, ':', @@port)"
                : "SELECT CONCAT('mysql:', @@server_uuid)";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
