package io.querysniper.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * One row of a server's process list, joined with its open InnoDB transaction if it has one.
 *
 * @param threadId        the connection id (PROCESSLIST ID), what KILL takes
 * @param queryId         MariaDB QUERY_ID of the running statement (for {@code KILL QUERY ID}), or -1 when unknown
 * @param user            account user name; never null (empty when the server shows none)
 * @param host            client host[:port]; never null
 * @param db              default schema, or null
 * @param command         process list Command (Query, Sleep, Execute, Binlog Dump, ...); never null
 * @param state           process list State, or null
 * @param info            raw statement text, or null. Contains personal data: it must never be logged,
 *                        journaled or sent anywhere; only its fingerprint and digest leave the process
 * @param time            how long the session has been in its current command (statement age when busy,
 *                        idle time when Sleep); millisecond precision where the server gives it
 * @param transactionAge  age of the open InnoDB transaction, or null when there is none
 * @param rowsModified    rows the open transaction has modified (INNODB_TRX.trx_rows_modified), 0 when none
 * @param serverDigest    the server's own statement digest (MySQL performance_schema DIGEST), or null
 * @param kind            what kind of thread this is
 * @param transactionId   INNODB_TRX.trx_id of the open transaction, or -1 when none or unknown
 * @param statementId     an id of the running statement that the server never reuses on this thread
 *                        (MySQL performance_schema EVENT_ID), or -1 when unknown
 */
public record Session(
        long threadId,
        long queryId,
        String user,
        String host,
        String db,
        String command,
        String state,
        String info,
        Duration time,
        Duration transactionAge,
        long rowsModified,
        String serverDigest,
        ThreadKind kind,
        long transactionId,
        long statementId) {

    public Session {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
    }

    /** A session without transaction or statement ids. */
    public Session(long threadId, long queryId, String user, String host, String db, String command, String state,
                   String info, Duration time, Duration transactionAge, long rowsModified, String serverDigest,
                   ThreadKind kind) {
        this(threadId, queryId, user, host, db, command, state, info, time, transactionAge, rowsModified,
                serverDigest, kind, -1, -1);
    }

    /** This session with another transaction age (a sharper bound learnt by the watcher). */
    public Session withTransactionAge(Duration age) {
        return new Session(threadId, queryId, user, host, db, command, state, info, time, age, rowsModified,
                serverDigest, kind, transactionId, statementId);
    }

    public boolean hasTransaction() {
        return transactionAge != null;
    }

    public boolean isSleeping() {
        return "Sleep".equalsIgnoreCase(command);
    }

    /** A copy safe for toString/debugging: the query text is replaced by its length. */
    @Override
    public String toString() {
        return "Session[threadId=" + threadId + ", queryId=" + queryId + ", user=" + user + ", host=" + host
                + ", db=" + db + ", command=" + command + ", state=" + state
                + ", info=" + (info == null ? "null" : "<" + info.length() + " chars>")
                + ", time=" + time + ", transactionAge=" + transactionAge + ", rowsModified=" + rowsModified
                + ", kind=" + kind + ", transactionId=" + transactionId + ", statementId=" + statementId + "]";
    }
}
