package io.querysniper.mysql;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.target.KillMethod;

/**
 * The statement that carries out a {@link KillRequest}: plain KILL, MariaDB {@code KILL QUERY ID}, or a
 * managed server's procedure. Ids are longs formatted by the JDK, never strings from outside.
 *
 * @param sql      the statement
 * @param byQueryId true when it names the statement itself (MariaDB query id), so a statement that has
 *                 finished cannot take the next one down; otherwise KILL QUERY is re-checked first
 */
record KillSql(String sql, boolean byQueryId) {

    /** The method actually used once AUTO has looked at the server's procedures. */
    static KillMethod effective(KillMethod configured, ServerInfo info) {
        if (configured != null && configured != KillMethod.AUTO) {
            return configured;
        }
        if (info.hasRdsProcedures()) {
            return KillMethod.RDS;
        }
        if (info.hasAzureProcedures()) {
            return KillMethod.AZURE;
        }
        return KillMethod.KILL;
    }

    static KillSql of(KillRequest request, KillMethod method, ServerInfo info) {
        long thread = request.threadId();
        long query = request.queryId();
        boolean mariaQueryId = info.flavor() == Flavor.MARIADB && query >= 0;
        boolean killQuery = request.action() == KillAction.KILL_QUERY;
        return switch (method) {
            case RDS -> killQuery
                    ? mariaQueryId && info.killProcedures().contains("rds_kill_query_id")
                            ? new KillSql("CALL mysql.rds_kill_query_id(" + query + ")", true)
                            : new KillSql("CALL mysql.rds_kill_query(" + thread + ")", false)
                    : new KillSql("CALL mysql.rds_kill(" + thread + ")", false);
            case AZURE -> killQuery
                    ? new KillSql("CALL mysql.az_kill_query(" + thread + ")", false)
                    : new KillSql("CALL mysql.az_kill(" + thread + ")", false);
            case AUTO, KILL -> killQuery
                    ? mariaQueryId
                            ? new KillSql("KILL QUERY ID " + query, true)
                            : new KillSql("KILL QUERY " + thread, false)
                    : new KillSql("KILL CONNECTION " + thread, false);
        };
    }

    /** For the {@code check} command: how queries will be killed. */
    static String describe(KillMethod method, ServerInfo info) {
        return switch (method) {
            case RDS -> info.flavor() == Flavor.MARIADB && info.killProcedures().contains("rds_kill_query_id")
                    ? "CALL mysql.rds_kill_query_id / mysql.rds_kill" : "CALL mysql.rds_kill_query / mysql.rds_kill";
            case AZURE -> "CALL mysql.az_kill_query / mysql.az_kill";
            case AUTO, KILL -> info.flavor() == Flavor.MARIADB ? "KILL QUERY ID / KILL CONNECTION"
                    : "KILL QUERY (re-checked) / KILL CONNECTION";
        };
    }
}
