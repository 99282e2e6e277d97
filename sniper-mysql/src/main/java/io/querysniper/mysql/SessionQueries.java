package io.querysniper.mysql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.querysniper.core.model.SessionFilter;

/**
 * The polling SQL per flavour. Every statement carries a server-side time limit so that a sick server
 * cannot pile up the daemon's own queries. Transaction ages are computed on the server (NOW(6) minus
 * INNODB_TRX.trx_started) so that clock skew and time zones between daemon and server do not matter.
 */
final class SessionQueries {
    private SessionQueries() {
    }

    private static final String TRX_AGE_US = "TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6))";
    private static final String TRX_COLUMNS = ", " + TRX_AGE_US + " AS TRX_AGE_US,"
            + " t.trx_rows_modified AS TRX_ROWS_MODIFIED, t.trx_id AS TRX_ID";

    /** MariaDB's and MySQL 5.7's process list. */
    private static final String I_S_PROCESSLIST = " FROM information_schema.PROCESSLIST p";
    private static final String TRX_JOIN =
            " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID";

    private static final String MARIADB_SESSIONS = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO,"
            + " p.TIME_MS, p.QUERY_ID";
    static final String MARIADB = MARIADB_SESSIONS + TRX_COLUMNS + I_S_PROCESSLIST + TRX_JOIN;

    /** events_statements_current gives the running statement's TIMER_WAIT (picoseconds so far). */
    private static final String MYSQL8_SESSIONS = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO,"
            + " p.TIME, th.TYPE AS THREAD_TYPE, th.NAME AS THREAD_NAME, e.TIMER_WAIT AS STMT_TIMER_WAIT,"
            + " e.DIGEST AS STMT_DIGEST, e.EVENT_ID AS STMT_EVENT_ID";
    private static final String MYSQL8_FROM = " FROM performance_schema.processlist p"
            + " LEFT JOIN performance_schema.threads th ON th.PROCESSLIST_ID = p.ID"
            + " LEFT JOIN performance_schema.events_statements_current e ON e.THREAD_ID = th.THREAD_ID"
            + " AND e.NESTING_EVENT_LEVEL = 0 AND e.END_EVENT_ID IS NULL";
    static final String MYSQL8 = MYSQL8_SESSIONS + TRX_COLUMNS + MYSQL8_FROM + TRX_JOIN;

    private static final String MYSQL57_SESSIONS = "SELECT p.ID, p.USER, p.HOST, p.DB, p.COMMAND, p.STATE, p.INFO, p.TIME";
    static final String MYSQL57 = MYSQL57_SESSIONS + TRX_COLUMNS + I_S_PROCESSLIST + TRX_JOIN;

    static final String HISTORY_LIST =
            "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'";

    static String sessions(Flavor flavor, Duration limit) {
        return limited(flavor, base(flavor), limit);
    }

    private static String base(Flavor flavor) {
        return base(flavor, true);
    }

    /**
     * The sessions, with their open transaction or without: the transaction list is read only when asked for
     * (see {@code SessionFilter#transactions}); without it the transaction columns are absent (no
     * transaction known).
     */
    private static String base(Flavor flavor, boolean transactions) {
        if (transactions) {
            return switch (flavor) {
                case MARIADB -> MARIADB;
                case MYSQL8 -> MYSQL8;
                case MYSQL57 -> MYSQL57;
            };
        }
        return switch (flavor) {
            case MARIADB -> MARIADB_SESSIONS + I_S_PROCESSLIST;
            case MYSQL8 -> MYSQL8_SESSIONS + MYSQL8_FROM;
            case MYSQL57 -> MYSQL57_SESSIONS + I_S_PROCESSLIST;
        };
    }

    /**
     * The lean poll: only the rows {@code filter} asks for (those that can break a rule before the next
     * look), never the daemon's own connections. The server still walks its whole process list, but a fleet
     * of idle sessions no longer crosses the network or gets parsed at every look. Bounds are rounded so
     * that no row that could qualify is left out: whole-second TIME (MySQL) down to the second, and the
     * transaction age by its upper bound (trx_started is whole seconds).
     */
    static String sessions(Flavor flavor, Duration limit, SessionFilter filter, Set<Long> ownIds) {
        if (filter.isAll()) {
            return sessions(flavor, limit);
        }
        StringBuilder where = new StringBuilder(" WHERE p.ID <> CONNECTION_ID()");
        if (!ownIds.isEmpty()) {
            where.append(" AND p.ID NOT IN (");
            String sep = "";
            for (long id : new TreeSet<>(ownIds)) {
                where.append(sep).append(id);
                sep = ",";
            }
            where.append(')');
        }
        List<String> any = new ArrayList<>();
        String age = flavor == Flavor.MARIADB ? "p.TIME_MS >= " : "p.TIME >= ";
        if (filter.busyAtLeast() != null) {
            any.add("(p.COMMAND <> 'Sleep' AND " + age + bound(flavor, filter.busyAtLeast()) + ")");
        }
        if (filter.hintedQueries()) {
            any.add("(p.COMMAND <> 'Sleep' AND (p.INFO LIKE '%query-sniper%' OR p.INFO LIKE '%max_execution_time%'))");
        }
        if (filter.idleAtLeast() != null) {
            any.add("(p.COMMAND = 'Sleep' AND " + age + bound(flavor, filter.idleAtLeast()) + ")");
        }
        if (filter.transactionAtLeast() != null) {
            any.add("(t.trx_started IS NOT NULL AND " + TRX_AGE_US + " >= "
                    + filter.transactionAtLeast().toNanos() / 1000 + ")");
        }
        where.append(any.isEmpty() ? " AND FALSE" : " AND (" + String.join(" OR ", any) + ")");
        return limited(flavor, base(flavor, filter.transactions()) + where, limit);
    }

    /** TIME_MS in milliseconds (MariaDB), TIME in whole seconds rounded down (MySQL). */
    private static long bound(Flavor flavor, Duration d) {
        return flavor == Flavor.MARIADB ? d.toMillis() : d.toSeconds();
    }

    /**
     * One thread's row, as {@link #sessions} gives it, with its open transaction only when asked for: the
     * re-check right before a KILL.
     */
    static String thread(Flavor flavor, Duration limit, long threadId, boolean transactions) {
        return limited(flavor, base(flavor, transactions) + " WHERE p.ID = " + threadId, limit);
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
