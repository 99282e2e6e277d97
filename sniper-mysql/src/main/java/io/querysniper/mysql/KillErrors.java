package io.querysniper.mysql;

import java.sql.SQLException;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillResult;

/**
 * Sorts a failed KILL into an outcome, like HikariCP's {@code SQLExceptionOverride}: the server error
 * code decides. The detail carries the code and the server's message (which names thread ids, never
 * query text), cut to a bounded length.
 */
final class KillErrors {
    /** ER_NO_SUCH_THREAD: Unknown thread id. */
    static final int NO_SUCH_THREAD = 1094;
    /** MariaDB ER_NO_SUCH_QUERY: Unknown query id (KILL QUERY ID of a statement that has finished). */
    static final int NO_SUCH_QUERY = 1957;
    /** ER_KILL_DENIED_ERROR: You are not owner of thread. */
    static final int KILL_DENIED = 1095;
    /** MariaDB ER_KILL_QUERY_DENIED_ERROR: You are not owner of query (KILL QUERY ID of another user's statement). */
    static final int KILL_QUERY_DENIED = 1979;
    /** ER_SPECIFIC_ACCESS_DENIED_ERROR: you need (at least one of) the SUPER privilege(s). */
    static final int SPECIFIC_ACCESS_DENIED = 1227;
    /** ER_PROCACCESS_DENIED_ERROR: execute command denied for routine (managed-server procedures). */
    static final int PROC_ACCESS_DENIED = 1370;
    /** ER_SP_DOES_NOT_EXIST: the managed-server procedure is not there. */
    static final int NO_SUCH_PROCEDURE = 1305;

    private KillErrors() {
    }

    static KillOutcome outcome(int errorCode) {
        return switch (errorCode) {
            case NO_SUCH_THREAD, NO_SUCH_QUERY -> KillOutcome.GONE_ALREADY;
            case KILL_DENIED, KILL_QUERY_DENIED, SPECIFIC_ACCESS_DENIED, PROC_ACCESS_DENIED -> KillOutcome.NOT_PERMITTED;
            default -> KillOutcome.ERROR;
        };
    }

    /** Access denied of any kind (global privilege, table, database, routine). */
    static boolean isAccessDenied(SQLException e) {
        return switch (e.getErrorCode()) {
            case SPECIFIC_ACCESS_DENIED, PROC_ACCESS_DENIED, 1044, 1142, 1143 -> true;
            default -> false;
        };
    }

    static KillResult classify(SQLException e) {
        return new KillResult(outcome(e.getErrorCode()), detail(e));
    }

    static String detail(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        return "error " + e.getErrorCode() + " (" + e.getSQLState() + "): " + message;
    }
}
