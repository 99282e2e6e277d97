package io.querysniper.daemon.e2e;

import io.querysniper.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;

/** A client connection that runs statements in the background and reports how each one ended. */
final class Victim implements AutoCloseable {
    /** How a statement ended: normally, interrupted by KILL QUERY (SLEEP returns 1), or with an error. */
    enum End { COMPLETED, INTERRUPTED, ERROR }

    record Result(End end, long elapsedMs, int errorCode) {
    }

    final Connection connection;
    final long threadId;

    Victim(MariaDbServer server, String user) {
        this.connection = server.connection(user, Servers.PW);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            this.threadId = rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a query returning one int column (e.g. SELECT SLEEP(n)) in the background. */
    CompletableFuture<Result> start(String sql) {
        return CompletableFuture.supplyAsync(() -> run(sql), r -> {
            Thread t = new Thread(r, "victim-" + threadId);
            t.setDaemon(true);
            t.start();
        });
    }

    Result run(String sql) {
        long t0 = System.nanoTime();
        try (Statement s = connection.createStatement()) {
            boolean rows = s.execute(sql);
            End end = End.COMPLETED;
            if (rows) {
                try (ResultSet rs = s.getResultSet()) {
                    if (rs.next() && sql.toUpperCase().contains("SLEEP") && rs.getInt(1) == 1) {
                        end = End.INTERRUPTED;
                    }
                }
            }
            return new Result(end, (System.nanoTime() - t0) / 1_000_000, 0);
        } catch (SQLException e) {
            return new Result(End.ERROR, (System.nanoTime() - t0) / 1_000_000, e.getErrorCode());
        }
    }

    boolean alive() {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // a killed connection
        }
    }
}
