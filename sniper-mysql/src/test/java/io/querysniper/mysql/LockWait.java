package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.querysniper.testkit.MariaDbServer;

/**
 * A victim that runs until it is killed or let go: a statement waiting on a row lock that a root
 * connection holds. Unlike {@code SLEEP()}, whose wake-up on MariaDB waits on a server-wide mutex, a
 * lock wait ends at once when killed, with an error the victim sees: {@code 1317} after KILL QUERY, a
 * connection exception (SQLState 08...) after KILL CONNECTION.
 *
 * <pre>{@code
 * try (LockWait victim = LockWait.start(db, "app", "app-pw")) {
 *     ... kill victim.threadId() ...
 *     assertThat(victim.error(WAIT).getErrorCode()).isEqualTo(LockWait.QUERY_INTERRUPTED);
 * }
 * }</pre>
 */
final class LockWait implements AutoCloseable {
    /** ER_QUERY_INTERRUPTED: what a statement ended by KILL QUERY reports to its client. */
    static final int QUERY_INTERRUPTED = 1317;

    private static final AtomicInteger ROWS = new AtomicInteger();

    private final Connection holder;
    private final Connection victim;
    private final long threadId;
    private final String sql;
    private final CompletableFuture<SQLException> outcome;

    private LockWait(Connection holder, Connection victim, long threadId, String sql,
            CompletableFuture<SQLException> outcome) {
        this.holder = holder;
        this.victim = victim;
        this.threadId = threadId;
        this.sql = sql;
        this.outcome = outcome;
    }

    /** Starts a victim logged in as {@code user} (who needs SELECT and UPDATE on {@code qs_victims}). */
    static LockWait start(MariaDbServer db, String user, String password) {
        int row = ROWS.incrementAndGet();
        db.execute("CREATE DATABASE IF NOT EXISTS qs_victims",
                "CREATE TABLE IF NOT EXISTS qs_victims.locks (id INT PRIMARY KEY) ENGINE=InnoDB",
                "INSERT IGNORE INTO qs_victims.locks VALUES (" + row + ")");
        Connection holder = db.connection();
        Connection victim = null;
        try {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeQuery("SELECT id FROM qs_victims.locks WHERE id = " + row + " FOR UPDATE").close();
            }
            victim = db.connection(user, password);
            long id;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
                s.execute("SET SESSION innodb_lock_wait_timeout = 600");
            }
            String sql = "SELECT id FROM qs_victims.locks WHERE id = " + row + " FOR UPDATE";
            Connection v = victim;
            CompletableFuture<SQLException> outcome = new CompletableFuture<>();
            // A thread of its own: the common pool has one thread on two cores, and victims block.
            Thread.ofPlatform().name("victim-" + id).daemon().start(() -> {
                try (Statement s = v.createStatement()) {
                    s.executeQuery(sql).close();
                    outcome.complete(null);
                } catch (SQLException e) {
                    outcome.complete(e);
                } catch (RuntimeException e) {
                    outcome.completeExceptionally(e);
                }
            });
            return new LockWait(holder, victim, id, sql, outcome);
        } catch (SQLException e) {
            closeQuietly(victim);
            closeQuietly(holder);
            throw new IllegalStateException("cannot start a lock-wait victim: " + e.getMessage(), e);
        }
    }

    long threadId() {
        return threadId;
    }

    /** The statement the victim runs, as the process list shows it. */
    String sql() {
        return sql;
    }

    /** The error the victim's statement ended with; fails when it ended without one or did not end in time. */
    SQLException error(Duration wait) {
        SQLException e = result(wait);
        if (e == null) {
            throw new AssertionError("the victim's statement ended without an error: it was not killed");
        }
        return e;
    }

    /** True once the victim's statement has ended, either way. */
    boolean ended() {
        return outcome.isDone();
    }

    /** Lets the victim's statement go (the holder rolls back) and says whether it then ended without an error. */
    boolean releaseAndEndsNormally(Duration wait) {
        try {
            holder.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot release the row lock: " + e.getMessage(), e);
        }
        return result(wait) == null;
    }

    /** Whether the victim's own connection still answers a query. */
    boolean connectionAlive() {
        try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    private SQLException result(Duration wait) {
        try {
            return outcome.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the victim's statement did not end within " + wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        closeQuietly(holder);
        closeQuietly(victim);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // teardown
            }
        }
    }
}
