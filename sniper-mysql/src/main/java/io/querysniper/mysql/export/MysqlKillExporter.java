package io.querysniper.mysql.export;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.mysql.MysqlConnector;

/**
 * Copies kill records into a MySQL/MariaDB table (like pt-kill's {@code --log-dsn}), for teams that keep
 * audits in SQL. A copy only: the ZooKeeper journal stays the system of record, so this exporter never
 * makes a kill wait and never throws at its caller. {@link #beforeKill} and {@link #onRecord} put the
 * record into a bounded in-memory queue and return; one thread, {@code sniper-export-writer}, creates the
 * table if missing and writes batches with {@code INSERT ... ON DUPLICATE KEY UPDATE} keyed by the record
 * id, so an intent and its final record, or a batch written twice, stay one row. A server that is down
 * is retried with exponential back-off while records wait in the queue; when the queue is full, new
 * records are not exported, counted, and reported in a rate-limited warning.
 *
 * <p>The connection uses the target's settings (TLS, hardening) through {@link MysqlConnector}, carries
 * the connection attributes {@code program_name=query-sniper, qs_node}, and is closed after
 * {@link Limits#idleClose()} without work, so it is not left idle on a watched server where an idle
 * rule could kill it.
 *
 * <pre>{@code
 * MysqlKillExporter export = new MysqlKillExporter(target, credentials, "query_sniper_kills", node, clock);
 * export.start();   // then register it as a KillListener; close() on shutdown flushes (bounded)
 * }</pre>
 */
public final class MysqlKillExporter implements KillListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MysqlKillExporter.class);
    /** The default table name; an unqualified name lives in the schema {@value ExportTable#DEFAULT_SCHEMA}. */
    public static final String DEFAULT_TABLE = "query_sniper_kills";
    /** Schema of a table named without one; created if missing. */
    public static final String DEFAULT_SCHEMA = ExportTable.DEFAULT_SCHEMA;
    private static final Duration WARN_EVERY = Duration.ofSeconds(30);

    /**
     * How much the exporter holds and how it waits. Bad values are rejected, never clamped.
     *
     * @param queueCapacity records held in memory while the server is slow or down
     * @param batchSize     rows per INSERT statement
     * @param minBackoff    first wait after a failed write; doubles per failure
     * @param maxBackoff    longest wait between two attempts at a server that is down
     * @param idleClose     the connection is closed after this long without records
     * @param closeTimeout  how long {@link #close()} keeps trying to write what is queued
     */
    public record Limits(int queueCapacity, int batchSize, Duration minBackoff, Duration maxBackoff,
                         Duration idleClose, Duration closeTimeout) {
        public static final Limits DEFAULTS = new Limits(10_000, 200, Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(5));

        public Limits {
            if (queueCapacity < 1) {
                throw new SniperException("export queue capacity must be at least 1, got " + queueCapacity);
            }
            if (batchSize < 1 || batchSize > 1000) {
                throw new SniperException("export batch size must be 1..1000, got " + batchSize);
            }
            positive("min back-off", minBackoff);
            positive("max back-off", maxBackoff);
            positive("idle close", idleClose);
            positive("close timeout", closeTimeout);
            if (maxBackoff.compareTo(minBackoff) < 0) {
                throw new SniperException("export max back-off " + maxBackoff + " is below the min back-off " + minBackoff);
            }
        }

        /** These limits with another bound on how long {@link #close()} keeps flushing. */
        public Limits withCloseTimeout(Duration timeout) {
            return new Limits(queueCapacity, batchSize, minBackoff, maxBackoff, idleClose, timeout);
        }

        private static void positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new SniperException("export " + what + " must be a positive duration, got " + d);
            }
        }
    }

    private enum State { NEW, RUNNING, CLOSED }

    private final DatabaseTarget target;
    private final ExportTable table;
    private final String nodeId;
    private final Clock clock;
    private final Limits limits;
    private final MysqlConnector connector;
    private final ExportQueue queue;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong notExported = new AtomicLong();
    private final AtomicLong droppedSinceWarning = new AtomicLong();
    private final AtomicLong lastDropWarning = new AtomicLong(Long.MIN_VALUE);
    private volatile long flushDeadline;
    private Thread writer;
    /** Writer thread only: the table has been ensured once, so an empty queue is nothing to do. */
    private boolean connectedOnce;
    private boolean warnedCreateRefused;

    /**
     * @param target      the server receiving the table (the configured export database's target)
     * @param credentials its login; needs INSERT, UPDATE and SELECT on the table, and CREATE unless the
     *                    table (and, for an unqualified name, the schema) already exists
     * @param table       {@code name} or {@code schema.name}: {@code [A-Za-z0-9_$]+}; see {@link #DEFAULT_TABLE}
     * @param nodeId      this daemon's node id (connection attribute, log context)
     * @param clock       for rate-limiting warnings
     * @throws SniperException for a bad table name
     */
    public MysqlKillExporter(DatabaseTarget target, Credentials credentials, String table, String nodeId, Clock clock) {
        this(target, credentials, table, nodeId, clock, Limits.DEFAULTS);
    }

    public MysqlKillExporter(DatabaseTarget target, Credentials credentials, String table, String nodeId, Clock clock,
                             Limits limits) {
        this.target = Objects.requireNonNull(target, "target");
        this.table = ExportTable.parse(table);
        this.nodeId = nodeId;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.queue = new ExportQueue(limits.queueCapacity());
        this.connector = new MysqlConnector(target, Objects.requireNonNull(credentials, "credentials"), nodeId);
    }

    /** Starts the writer, which creates the table at once (in the background: a server that is down delays nothing). */
    public synchronized void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new SniperException("export to " + table + " cannot start: it is " + state.get());
        }
        LOG.info("exporting kill records to table {} on database '{}' at {} (queue {}, batch {}); "
                        + "the ZooKeeper journal remains the system of record", table, target.name(),
                connector.address(), limits.queueCapacity(), limits.batchSize());
        writer = Thread.ofPlatform().name("sniper-export-writer").daemon(true)
                .uncaughtExceptionHandler((t, e) -> LOG.error("export writer for {} died", table, e))
                .start(this::run);
    }

    @Override
    public void beforeKill(KillRecord intent) {
        enqueue(intent);
    }

    @Override
    public void onRecord(KillRecord record) {
        enqueue(record);
    }

    /** Never blocks on I/O, never throws. */
    private void enqueue(KillRecord r) {
        try {
            if (state.get() == State.CLOSED) {
                notExported.incrementAndGet();
                return;
            }
            if (!ExportRow.fits(r)) {
                notExported.incrementAndGet();
                LOG.warn("kill record {} not exported to {}: no id, an id over {} characters, no time or no outcome",
                        r == null ? null : r.id(), table, ExportRow.ID_MAX);
                return;
            }
            if (!queue.offer(r)) {
                notExported.incrementAndGet();
                droppedSinceWarning.incrementAndGet();
                warnDropsAtMostEvery(WARN_EVERY);
            }
        } catch (RuntimeException e) {
            notExported.incrementAndGet();
            LOG.warn("kill record not exported to {}: {}", table, e.toString());
        }
    }

    private void warnDropsAtMostEvery(Duration every) {
        long now = clock.millis();
        long last = lastDropWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= every.toMillis()) && lastDropWarning.compareAndSet(last, now)) {
            long n = droppedSinceWarning.getAndSet(0);
            LOG.warn("export queue full ({} records): {} records not exported to table {} on database '{}'; "
                            + "the ZooKeeper journal remains the system of record and has them",
                    limits.queueCapacity(), n, table, target.name());
        }
    }

    private void run() {
        MDC.put("qs.node", nodeId);
        MDC.put("qs.db", target.name());
        List<KillRecord> batch = List.of();
        Connection c = null;
        int failures = 0;
        long lastFailureWarning = Long.MIN_VALUE;
        try {
            while (true) {
                boolean closing = state.get() == State.CLOSED;
                if (closing && System.nanoTime() - flushDeadline > 0) {
                    break;
                }
                if (batch.isEmpty()) {
                    // Connect at once after start (the table is created at start); then wait for records,
                    // and let an idle connection go.
                    long wait = closing || !connectedOnce ? 0 : c != null ? limits.idleClose().toNanos() : Long.MAX_VALUE;
                    batch = queue.take(limits.batchSize(), wait);
                    if (batch.isEmpty()) {
                        if (closing) {
                            break;
                        }
                        if (c != null) {
                            closeQuietly(c);
                            c = null;
                            continue;
                        }
                        if (connectedOnce) {
                            continue;
                        }
                    }
                }
                try {
                    if (c == null) {
                        c = connector.connect();
                        ensureTable(c);
                        connectedOnce = true;
                    }
                    if (!batch.isEmpty()) {
                        write(c, batch);
                        batch = List.of();
                    }
                    if (failures > 0) {
                        LOG.info("export to table {} at {} works again after {} failed attempts", table,
                                connector.address(), failures);
                        failures = 0;
                    }
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c);
                    c = null;
                    failures++;
                    Duration backoff = backoff(failures);
                    long now = clock.millis();
                    if (failures == 1 || lastFailureWarning == Long.MIN_VALUE
                            || now - lastFailureWarning >= WARN_EVERY.toMillis()) {
                        lastFailureWarning = now;
                        LOG.warn("export to table {} at {} failed (attempt {}, {} records waiting), retrying in {} ms; "
                                        + "the ZooKeeper journal remains the system of record: {}", table,
                                connector.address(), failures, batch.size() + queue.size(), backoff.toMillis(),
                                describe(e));
                    } else {
                        LOG.debug("export to table {} failed again (attempt {}): {}", table, failures, describe(e));
                    }
                    if (closing || state.get() == State.CLOSED) {
                        sleepNanos(Math.min(limits.minBackoff().toNanos(), flushDeadline - System.nanoTime()));
                    } else {
                        queue.pause(backoff.toNanos());
                    }
                }
                if (droppedSinceWarning.get() > 0) {
                    warnDropsAtMostEvery(WARN_EVERY);  // a burst after the last warning is reported, too
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(c);
            int left = batch.size() + queue.clear();
            if (left > 0) {
                notExported.addAndGet(left);
                LOG.warn("export to table {} stopped with {} records not exported; the ZooKeeper journal has them",
                        table, left);
            }
            MDC.clear();
        }
    }

    /**
     * Creates the schema (the default one only) and the table if missing. A login without CREATE still
     * works when a DBA made the table: the server checks the privilege before IF NOT EXISTS, so a refused
     * CREATE is followed by a probe of the table, and only a table that is not usable either is an error.
     */
    private void ensureTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try {
                if (table.createsSchema()) {
                    s.execute(table.createSchema());
                }
                s.execute(table.createTable());
            } catch (SQLException refused) {
                try {
                    s.execute(table.probe());
                } catch (SQLException missing) {
                    refused.addSuppressed(missing);
                    throw refused;
                }
                if (!warnedCreateRefused) {
                    warnedCreateRefused = true;
                    LOG.info("cannot create table {} ({}); it exists, so the export uses it", table, describe(refused));
                }
            }
        }
    }

    /**
     * One upsert for the batch. A data error (SQLSTATE class 22 or 23) names no row, so the batch is then
     * written row by row and only the rows the server refuses are given up (a row retried forever would
     * stop the export); any other error is left to the caller's retry.
     */
    private void write(Connection c, List<KillRecord> batch) throws SQLException {
        try {
            upsert(c, batch);
            exported.addAndGet(batch.size());
        } catch (SQLException e) {
            if (!isDataError(e)) {
                throw e;
            }
            for (KillRecord r : batch) {
                try {
                    upsert(c, List.of(r));
                    exported.incrementAndGet();
                } catch (SQLException rowError) {
                    if (!isDataError(rowError)) {
                        throw rowError;
                    }
                    notExported.incrementAndGet();
                    LOG.warn("kill record {} refused by table {}, not exported: {}", r.id(), table, describe(rowError));
                }
            }
        }
    }

    private void upsert(Connection c, List<KillRecord> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(table.upsert(rows.size()))) {
            int i = 1;
            for (KillRecord r : rows) {
                i = ExportRow.bind(ps, i, r);
            }
            ps.executeUpdate();
        }
    }

    static boolean isDataError(SQLException e) {
        String sqlState = e.getSQLState();
        return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
    }

    private Duration backoff(int failures) {
        long min = limits.minBackoff().toMillis();
        long max = limits.maxBackoff().toMillis();
        long ms = failures >= 31 ? max : Math.min(max, min << Math.min(failures - 1, 30));
        return Duration.ofMillis(Math.max(min, ms));
    }

    private static String describe(Exception e) {
        if (e instanceof SQLException s) {
            return s.getMessage() + " (SQLSTATE " + s.getSQLState() + ", error " + s.getErrorCode() + ")";
        }
        return e.toString();
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the export connection failed: {}", e.getMessage());
            }
        }
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            Thread.sleep(Duration.ofNanos(nanos));
        }
    }

    /** Records written (each upsert of a record counts, so an intent and its final count twice). */
    public long exported() {
        return exported.get();
    }

    /** Records given up: queue full, refused by the server, unusable, or still queued at close. */
    public long notExported() {
        return notExported.get();
    }

    /** Records waiting in memory (a batch being written is not counted). */
    public int queued() {
        return queue.size();
    }

    /** The table as {@code schema.table}. */
    public String table() {
        return table.toString();
    }

    /**
     * Stops taking records, writes what is queued for at most {@link Limits#closeTimeout()}, then stops the
     * writer; what could not be written is counted and logged. Idempotent.
     */
    @Override
    public synchronized void close() {
        State before = state.get();
        if (before == State.CLOSED) {
            return;
        }
        // The deadline before the state: the writer reads it as soon as it sees CLOSED.
        flushDeadline = System.nanoTime() + limits.closeTimeout().toNanos();
        state.set(State.CLOSED);
        queue.wake();
        if (before == State.RUNNING) {
            // One write in flight may take up to the connect plus socket timeout after the deadline.
            Duration bound = limits.closeTimeout().plus(target.connectTimeout()).plus(target.statementTimeout())
                    .plusSeconds(1);
            try {
                writer.join(bound);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (writer.isAlive()) {
                LOG.warn("export writer for table {} did not stop within {}; interrupting it", table, bound);
                writer.interrupt();
            }
        } else {
            int left = queue.clear();
            if (left > 0) {
                notExported.addAndGet(left);
                LOG.warn("export to table {} closed before it started: {} records not exported", table, left);
            }
        }
        if (droppedSinceWarning.get() > 0) {
            warnDropsAtMostEvery(Duration.ZERO);
        }
        connector.close();
        LOG.info("export to table {} closed: {} records written, {} not exported", table, exported.get(),
                notExported.get());
    }

    @Override
    public String toString() {
        return "MysqlKillExporter[" + table + " on " + target.name() + " at " + connector.address() + "]";
    }
}
