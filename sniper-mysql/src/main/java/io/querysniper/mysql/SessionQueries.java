package io.querysniper.mysql;

import java.time.Duration;

/**
 * The polling SQL per flavour. Every statement carries a server-side time limit so that a sick server
 * cannot pile up the daemon's own queries. Transaction ages are computed on the server (NOW(6) minus
 * INNODB_TRX.trx_started) so that clock skew and time zones between daemon and server do not matter.
 */
final class SessionQueries {
    private SessionQueries() {
    }

    private static final String TRX_COLUMNS = ", TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6)) AS TRX_AGE_US,"
            + " t.trx_rows_modified AS TRX_ROWS_MODIFIED";

    static final String MARIADB = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO, p.TIME_MS, p.QUERY_ID"
            + TRX_COLUMNS
            + " FROM information_schema.PROCESSLIST p"
            + " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID";

    /** events_statements_current gives the running statement's TIMER_WAIT (picoseconds so far). */
    static final String MYSQL8 = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO, p.TIME,"
            + " th.TYPE AS THREAD_TYPE, th.NAME AS THREAD_NAME, e.TIMER_WAIT AS STMT_TIMER_WAIT, e.DIGEST AS STMT_DIGEST"
            + TRX_COLUMNS
            + " FROM performance_schema.processlist p"
            + " LEFT JOIN performance_schema.threads th ON th.PROCESSLIST_ID = p.ID"
            + " LEFT JOIN performance_schema.events_statements_current e ON e.THREAD_ID = th.THREAD_ID"
            + " AND e.NESTING_EVENT_LEVEL = 0 AND e.END_EVENT_ID IS NULL"
            + " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID";

    static final String MYSQL57 = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO, p.TIME"
            + TRX_COLUMNS
            + " FROM information_schema.PROCESSLIST p"
            + " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID";

    static final String HISTORY_LIST =
            "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'";

    static String sessions(Flavor flavor, Duration limit) {
        return limited(flavor, switch (flavor) {
            case MARIADB -> MARIADB;
            case MYSQL8 -> MYSQL8;
            case MYSQL57 -> MYSQL57;
        }, limit);
    }

    /** The statement used to re-check a thread's statement right before KILL QUERY. */
    static String infoOf(Flavor flavor, Duration limit) {
        String table = flavor == Flavor.MYSQL8 ? "performance_schema.processlist" : "information_schema.PROCESSLIST";
        return limited(flavor, "SELECT INFO FROM " + table + " WHERE ID = ?", limit);
    }

    /**
     * Runs a (possibly time-limited) query. Connector/J's executeQuery() refuses statements that do not
     * start like a query ({@code SET STATEMENT ... FOR SELECT}), so execute() is used.
     */
    static java.sql.ResultSet query(java.sql.Statement statement, String sql) throws java.sql.SQLException {
        if (!statement.execute(sql)) {
            throw new java.sql.SQLException("statement returned no result set");
        }
        return statement.getResultSet();
    }

    static java.sql.ResultSet query(java.sql.PreparedStatement statement) throws java.sql.SQLException {
        if (!statement.execute()) {
            throw new java.sql.SQLException("statement returned no result set");
        }
        return statement.getResultSet();
    }

    static String replicaStatus(Flavor flavor) {
        return flavor == Flavor.MYSQL8 ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    }

    static String lagColumn(Flavor flavor) {
        return flavor == Flavor.MYSQL8 ? "Seconds_Behind_Source" : "Seconds_Behind_Master";
    }

    /**
     * Adds the server-side time limit: {@code SET STATEMENT max_statement_time=<s> FOR ...} on MariaDB
     * (any statement), the {@code MAX_EXECUTION_TIME(ms)} optimizer hint on MySQL (SELECT only; MySQL
     * before 5.7.8 reads it as a comment).
     */
    static String limited(Flavor flavor, String sql, Duration limit) {
        long ms = Math.max(1, limit.toMillis());
        if (flavor == Flavor.MARIADB) {
            return "SET STATEMENT max_statement_time=" + (ms / 1000) + "." + String.format("%03d", ms % 1000)
                    + " FOR " + sql;
        }
        if (sql.regionMatches(true, 0, "SELECT ", 0, 7)) {
            return "SELECT /*+ MAX_EXECUTION_TIME(" + ms + ") */ " + sql.substring(7);
        }
        return sql;
    }
}
