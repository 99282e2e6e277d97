package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillCheck;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerSlowException;
import io.querysniper.core.port.ServerUnavailableException;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;

/**
 * {@link ServerPort} for MySQL and MariaDB over Connector/J, with a small Hikari pool: one connection to
 * poll and one per kill thread, since {@link #kill} is called concurrently from the watcher's kill threads
 * (it keeps no state of its own besides the pool; the own-connection ids are tracked for every connection
 * the pool opens, see {@link TrackingDataSource}). The pool never connects at construction ({@code initializationFailTimeout=-1}), so
 * a database that is down delays nothing; every call connects or reconnects on demand, bounded by the
 * target's connect timeout, and throws {@link ServerUnavailableException} when it cannot. SQLException
 * never leaves this class.
 *
 * <p>Caller beware: InnoDB refreshes the INNODB_TRX cache only when its last read is more than 100 ms
 * old (trx_i_s_cache), so snapshots taken less than ~100 ms apart, continuously, keep seeing a stale
 * transaction list. Space polls of one server at least 100 ms apart.
 */
public final class MysqlServerPort implements ServerPort {
    private static final Logger LOG = LoggerFactory.getLogger(MysqlServerPort.class);

    /**
     * Connections kept open while idle: one. It polls for a millisecond or so per look and is free the
     * rest of the time, so a KILL almost always finds it; more are opened while KILLs pile up.
     */
    static final int MIN_IDLE = 1;
    /** Hikari's system property: how long a connection may sit idle before a borrow pings it. */
    static final String ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";
    /**
     * Every pool's housekeeping on one small scheduler: Hikari otherwise starts a housekeeper thread per
     * pool, and a thousand watched databases would mean a thousand threads doing next to nothing.
     */
    private static final ScheduledExecutorService HOUSEKEEPING = housekeeping();

    static {
        // Hikari pings a connection (a round trip) on every borrow after 500 ms idle: for a watcher that
        // borrows its polling connection once a second that doubles the work of every look, across the
        // fleet. A connection that died meanwhile fails the look instead, which reconnects at the next one.
        // An operator's own setting wins.
        if (System.getProperty(ALIVE_BYPASS) == null) {
            System.setProperty(ALIVE_BYPASS, Long.toString(Duration.ofMinutes(1).toMillis()));
        }
    }
    /** Connections are opened and closed by virtual threads, not a platform thread pool per database. */
    private static final ThreadFactory POOL_THREADS = Thread.ofVirtual().name("sniper-pool-", 1).factory();

    private final DatabaseTarget target;
    private final Clock clock;
    private final ConnectionSettings settings;
    private final TrackingDataSource tracking;
    private final HikariDataSource pool;
    private final AgeTracker ages = new AgeTracker();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The polling SQL of the last look, for {@link #pollSql}. */
    private volatile PollSql lastPollSql;
    /** True while {@link #expectKills()} opens a connection. */
    private final AtomicBoolean warming = new AtomicBoolean();
    private final Set<String> warnedStatus = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** InnoDB's INNODB_TRX cache refresh period (trx_i_s_cache), with a margin. */
    private static final long TRX_CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(110);
    /** When this port last read the server's transaction list (System.nanoTime). */
    private volatile long lastTransactionRead = System.nanoTime() - TRX_CACHE_NANOS;

    public MysqlServerPort(DatabaseTarget target, Credentials credentials, String nodeId, Clock clock) {
        this.target = Objects.requireNonNull(target, "target");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = new ConnectionSettings(target, credentials, nodeId);
        this.tracking = new TrackingDataSource(settings);
        HikariConfig config = new HikariConfig();
        config.setDataSource(tracking);
        config.setPoolName("sniper-" + target.name());
        // One connection polls; each KILL in flight may hold one while it blocks in the server. One stays
        // open; the rest are opened on demand (a pile-up) and retire when idle.
        config.setMaximumPoolSize(poolSize(target));
        config.setMinimumIdle(MIN_IDLE);
        config.setScheduledExecutor(HOUSEKEEPING);
        config.setThreadFactory(POOL_THREADS);
        config.setInitializationFailTimeout(-1);
        // Hikari replaces values under 250 ms by its 30 s default: never let that happen silently.
        long connectMs = Math.max(250, target.connectTimeout().toMillis());
        config.setConnectionTimeout(connectMs);
        config.setValidationTimeout(Math.max(250, Math.min(connectMs, 5000)));
        config.setAutoCommit(true);
        config.setRegisterMbeans(false);
        // No keepalive pings (Hikari 6 pings every idle connection every 2 minutes, on the one housekeeping
        // thread: 17 blocking round trips a second at 1,000 databases). The polling connection is used every
        // interval; a kill connection idle for over a minute is pinged when borrowed (ALIVE_BYPASS).
        config.setKeepaliveTime(0);
        this.pool = new HikariDataSource(config);
    }

    /** The polling connection plus one per KILL that may be in flight at once. */
    static int poolSize(DatabaseTarget target) {
        return 1 + target.maxKillConnections();
    }

    private static ScheduledExecutorService housekeeping() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sniper-pool-housekeeper");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true); // a closed pool's tasks go at once
        return e;
    }

    /** Whether the last connection opened is encrypted, or null before the first one. */
    public Boolean encrypted() {
        return tracking.encrypted();
    }

    /** What was learnt about the server at the last connect, or null before the first one. */
    public ServerInfo serverInfo() {
        return tracking.serverInfo();
    }

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs) {
        return snapshot(needs, SessionFilter.ALL);
    }

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs, SessionFilter filter) {
        try (Connection c = pool.getConnection()) {
            ServerInfo info = info(c);
            Flavor flavor = info.flavor();
            Set<Long> ownBefore = tracking.ownIds();
            List<Map<String, Object>> rows = new ArrayList<>();
            Instant takenAt;
            try (Statement s = c.createStatement();
                 ResultSet rs = SessionQueries.query(s, pollSql(flavor, filter, ownBefore))) {
                // Ages are as of the statement's execution: stamping after it returns never overstates them.
                takenAt = clock.instant();
                if (filter.transactions()) {
                    lastTransactionRead = System.nanoTime();
                }
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
            List<Session> sessions = new ArrayList<>(rows.size());
            Set<Long> live = new HashSet<>();
            for (Map<String, Object> row : rows) {
                Session session = session(flavor, row, ages, takenAt);
                sessions.add(session);
                live.add(session.threadId());
            }
            ages.retain(live);
            // Again after the rows: a connection opened meanwhile is known by now.
            Set<Long> own = ownConnections(ownBefore, tracking.ownIds(),
                    c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId());
            ServerStatus status = needs.replicaLag() || needs.historyListLength() ? status(c, flavor, needs)
                    : ServerStatus.UNKNOWN;
            return new ServerSnapshot(takenAt, sessions, own, status, flavor.subSecondAges(), info.serverId());
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * A connection from the pool (opened if needed, bounded by the connect timeout) and a ping round trip
     * (COM_PING, bounded likewise). A pooled connection the server dropped meanwhile (a restart, its
     * wait_timeout) fails the ping without saying anything about the server: it is evicted and one fresh
     * connection tries again.
     */
    @Override
    public void ping() {
        int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, target.connectTimeout().toSeconds()));
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                if (c.isValid(seconds)) {
                    return;
                }
                pool.evictConnection(c);
                if (attempt == 2) {
                    throw new ServerUnavailableException("database '" + target.name() + "' at " + settings.address()
                            + " is unavailable: no answer to a ping within " + seconds + " s", null);
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }
    }

    /** The polling SQL for this filter and these own ids: the last one again while neither changed (most looks). */
    private String pollSql(Flavor flavor, SessionFilter filter, Set<Long> own) {
        PollSql last = lastPollSql;
        if (last != null && last.flavor() == flavor && last.own() == own && last.filter().equals(filter)) {
            return last.sql();
        }
        String sql = SessionQueries.sessions(flavor, target.statementTimeout(), filter, own);
        lastPollSql = new PollSql(flavor, filter, own, sql);
        return sql;
    }

    private record PollSql(Flavor flavor, SessionFilter filter, Set<Long> own, String sql) {
    }

    /** The union of the own ids read before and after the rows and the polling connection's: no copy when it adds nothing. */
    static Set<Long> ownConnections(Set<Long> before, Set<Long> after, long polling) {
        if (before == after && before.contains(polling)) {
            return before;
        }
        Set<Long> all = new HashSet<>(before);
        all.addAll(after);
        all.add(polling);
        return all;
    }

    private static Session session(Flavor flavor, Map<String, Object> row, AgeTracker ages, Instant takenAt) {
        return switch (flavor) {
            case MARIADB -> ProcesslistRows.mariadb(row);
            case MYSQL8 -> ProcesslistRows.mysql8(row);
            case MYSQL57 -> ProcesslistRows.mysql57(row, ages, takenAt);
        };
    }

    /**
     * Opens a second connection when the pool has only the polling one, on a virtual thread: borrowing two
     * at once makes the pool open one (the first KILL of a pile-up then finds it, instead of waiting for a
     * login on a busy server: 70-90 ms measured in the storm bench). It retires after Hikari's idle timeout.
     */
    @Override
    public void expectKills() {
        if (closed.get() || openConnections() >= 2 || !warming.compareAndSet(false, true)) {
            return;
        }
        POOL_THREADS.newThread(() -> {
            try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
                LOG.debug("database '{}': a connection stands ready for KILLs", target.name());
            } catch (SQLException e) {
                LOG.debug("database '{}': no connection ready for KILLs: {}", target.name(), e.getMessage());
            } finally {
                warming.set(false);
            }
        }).start();
    }

    /** Hikari's keepalive period for idle connections; 0: none (see the constructor). */
    long keepaliveMillis() {
        return pool.getKeepaliveTime();
    }

    /** Connections the pool holds now (0 before the pool has started). */
    int openConnections() {
        return pool.getHikariPoolMXBean() == null ? 0 : pool.getHikariPoolMXBean().getTotalConnections();
    }

    @Override
    public KillResult kill(KillRequest request) {
        try (Connection c = pool.getConnection()) {
            ServerInfo info = info(c);
            KillCheck check = request.check();
            if (check != null && check.serverId() != null && !check.serverId().equals(info.serverId())) {
                // A VIP, a proxy, a reader endpoint or a failover: this connection reached another server.
                return new KillResult(KillOutcome.ERROR, "this connection reached " + info.serverId()
                        + " but the rows came from " + check.serverId() + ": KILL not sent");
            }
            KillSql kill = KillSql.of(request, KillSql.effective(target.killMethod(), info), info);
            KillResult stale = check != null ? recheck(c, info.flavor(), request, check, kill)
                    : legacyRecheck(c, info.flavor(), request, kill);
            if (stale != null) {
                return stale;
            }
            if (!request.fence().getAsBoolean()) {
                return new KillResult(KillOutcome.NOT_OWNER, "ownership lost before the KILL was sent");
            }
            try (Statement s = c.createStatement()) {
                s.execute(kill.sql());
                return KillResult.killed();
            } catch (SQLException e) {
                return KillErrors.classify(e);
            }
        } catch (SQLException e) {
            LOG.warn("kill on database '{}' failed: cannot reach {}: {}", target.name(), settings.address(),
                    e.getMessage());
            return new KillResult(KillOutcome.ERROR, KillErrors.detail(e));
        } catch (RuntimeException e) {
            return new KillResult(KillOutcome.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * The thread is read again, one round trip before the KILL, unless the KILL names the statement itself
     * (MariaDB {@code KILL QUERY ID}) and no rollback guard needs a fresh row count: by thread id it would
     * kill whatever the thread runs now, and an idle connection or a transaction may have moved on.
     */
    private KillResult recheck(Connection c, Flavor flavor, KillRequest request, KillCheck check, KillSql kill)
            throws SQLException {
        if (check.blindSafe(request.action(), kill.byQueryId())) {
            return null;
        }
        Instant at = clock.instant();
        long sinceTrxRead = System.nanoTime() - lastTransactionRead; // this read refreshes the cache if over 100 ms
        Session now = readThread(c, flavor, request.threadId(), at, check.needsTransactions());
        if (check.needsFreshTransactions(now, at) && sinceTrxRead < TRX_CACHE_NANOS) {
            // InnoDB serves INNODB_TRX from a cache it refreshes only when the last read is over 100 ms old:
            // the thread ran statements since the look, so wait for a fresh transaction list, then read again.
            sleepNanos(TRX_CACHE_NANOS - sinceTrxRead);
            at = clock.instant();
            now = readThread(c, flavor, request.threadId(), at, true);
        }
        return check.mismatch(now, at);
    }

    private Session readThread(Connection c, Flavor flavor, long threadId, Instant at, boolean transactions)
            throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = SessionQueries.query(s,
                SessionQueries.thread(flavor, target.statementTimeout(), threadId, transactions))) {
            if (transactions) {
                lastTransactionRead = System.nanoTime();
            }
            return rs.next() ? session(flavor, row(rs), new AgeTracker(), at) : null;
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Without a check (callers other than the watcher): KILL QUERY by thread id verifies the text. */
    private KillResult legacyRecheck(Connection c, Flavor flavor, KillRequest request, KillSql kill)
            throws SQLException {
        if (request.action() != KillAction.KILL_QUERY || kill.byQueryId()) {
            return null;
        }
        if (request.expectedInfo() == null) {
            // By thread id with nothing to compare: it could be the connection's next statement.
            return new KillResult(KillOutcome.GONE_ALREADY,
                    "statement text not shown: cannot verify the statement is still running; not killed");
        }
        return recheckText(c, flavor, request);
    }

    /**
     * KILL QUERY by thread id kills whatever that thread runs now: make sure it is still the statement the
     * decision was about, so the window for killing a newer statement is one round trip, not one poll.
     */
    private KillResult recheckText(Connection c, Flavor flavor, KillRequest request) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SessionQueries.infoOf(flavor, target.statementTimeout()))) {
            ps.setLong(1, request.threadId());
            try (ResultSet rs = SessionQueries.query(ps)) {
                if (!rs.next()) {
                    return new KillResult(KillOutcome.GONE_ALREADY, "thread " + request.threadId() + " is gone");
                }
                if (!request.expectedInfo().equals(rs.getString(1))) {
                    return new KillResult(KillOutcome.GONE_ALREADY,
                            "thread " + request.threadId() + " no longer runs the statement seen");
                }
                return null;
            }
        }
    }

    private ServerStatus status(Connection c, Flavor flavor, StatusNeeds needs) throws SQLException {
        Duration lag = null;
        long history = -1;
        if (needs.replicaLag()) {
          try {
            String sql = flavor == Flavor.MARIADB
                    ? SessionQueries.limited(flavor, SessionQueries.replicaStatus(flavor), target.statementTimeout())
                    : SessionQueries.replicaStatus(flavor);
            try (Statement s = c.createStatement(); ResultSet rs = SessionQueries.query(s, sql)) {
                if (rs.next()) {
                    long seconds = rs.getLong(SessionQueries.lagColumn(flavor));
                    lag = rs.wasNull() ? null : Duration.ofSeconds(seconds);
                }
            }
          } catch (SQLException e) {
            refused(e, "replica lag");
          }
        }
        if (needs.historyListLength()) {
          try {
            try (Statement s = c.createStatement(); ResultSet rs = SessionQueries.query(s,
                    SessionQueries.limited(flavor, SessionQueries.HISTORY_LIST, target.statementTimeout()))) {
                if (rs.next()) {
                    history = rs.getLong(1);
                }
            }
          } catch (SQLException e) {
            refused(e, "history list length");
          }
        }
        return new ServerStatus(lag, history);
    }

    /**
     * A missing privilege for an optional reading (e.g. SLAVE MONITOR / REPLICATION CLIENT for the replica
     * status) must not blind the whole watch: the reading stays unknown and this says so once.
     */
    private void refused(SQLException e, String what) throws SQLException {
        if (!KillErrors.isAccessDenied(e)) {
            throw e;
        }
        if (warnedStatus.add(what)) {
            LOG.warn("database '{}': cannot read {} ({}); conditions on it stay unknown", target.name(), what,
                    KillErrors.detail(e));
        }
    }

    /** What this connection reached (learnt when it was opened). */
    private ServerInfo info(Connection c) throws SQLException {
        ServerInfo info = tracking.serverInfo(c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class));
        return info != null ? info : ServerInfo.detect(c);
    }

    private ServerUnavailableException unavailable(SQLException e) {
        return unavailable(target, settings.address(), e);
    }

    /** Sorts a failed poll: a statement timeout (MariaDB 1969, MySQL 3024) is a slow server, anything else a down one. */
    static ServerUnavailableException unavailable(DatabaseTarget target, String address, SQLException e) {
        Throwable cause = e.getCause();
        String why = e.getMessage() + (cause != null && cause.getMessage() != null
                && !Objects.equals(cause.getMessage(), e.getMessage()) ? " (" + cause.getMessage() + ")" : "");
        if (e.getErrorCode() == 1969 || e.getErrorCode() == 3024) {
            // The server answers, slowly: not a reason to back off for half a minute.
            return new ServerSlowException("database '" + target.name() + "' at " + address
                    + " is slow: the polling query exceeded statement-timeout "
                    + io.querysniper.core.rules.Durations.human(target.statementTimeout()) + " (" + e.getMessage() + ")", e);
        }
        return new ServerUnavailableException("database '" + target.name() + "' at " + address
                + " is unavailable: " + why, e);
    }

    static Map<String, Object> row(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i).toUpperCase(Locale.ROOT), rs.getObject(i));
        }
        return row;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.close();
            settings.close();
        }
    }

    @Override
    public String toString() {
        return "MysqlServerPort[" + target.name() + " at " + settings.address() + "]";
    }
}
