package io.querysniper.daemon;

import io.micrometer.core.instrument.Gauge;
import io.querysniper.alerts.AlertQueues;
import io.querysniper.alerts.AlertService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.querysniper.cluster.ClusterNode;
import io.querysniper.cluster.ClusterOptions;
import io.querysniper.cluster.CoordinationLossPolicy;
import io.querysniper.cluster.NodeInfo;
import io.querysniper.cluster.ZkAuth;
import io.querysniper.cluster.ZkClients;
import io.querysniper.cluster.ZkSecurity;
import io.querysniper.cluster.ZkTls;
import io.querysniper.config.ClusterSettings;
import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.HttpSettings;
import io.querysniper.config.JournalSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SniperSettings;
import io.querysniper.core.SniperException;
import io.querysniper.core.log.CompositeKillListener;
import io.querysniper.core.log.LoggingKillListener;
import io.querysniper.core.log.MdcScope;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.watch.SniperEngine;
import io.querysniper.core.watch.StandbyProbes;
import io.querysniper.core.watch.WatchedDatabase;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.watch.WatcherStatus;
import io.querysniper.daemon.cli.VersionProvider;
import io.querysniper.daemon.ops.ConfigReloader;
import io.querysniper.daemon.ops.DaemonEndpoints;
import io.querysniper.daemon.ops.DaemonGauges;
import io.querysniper.daemon.ops.DatabaseSetChange;
import io.querysniper.daemon.ops.LastKills;
import io.querysniper.daemon.ops.MeteredServerPort;
import io.querysniper.daemon.ops.ReloadMetrics;
import io.querysniper.daemon.ops.ReloadPlan;
import io.querysniper.daemon.ops.TimedJournal;
import io.querysniper.http.HttpServerException;
import io.querysniper.http.PemTls;
import io.querysniper.http.ReloadResult;
import io.querysniper.http.SniperHttpServer;
import io.querysniper.journal.JournalOptions;
import io.querysniper.journal.RetentionPruner;
import io.querysniper.journal.ZkJournal;
import io.querysniper.mysql.export.MysqlKillExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running product: wires settings, cluster node, journal, one server port per database and the
 * engine. {@link #start()} starts them in that order; {@link #close()} first releases the cluster
 * latches (so standbys take over at once), then stops them in reverse: watchers, journal flush,
 * cluster node.
 * Close is idempotent and safe from a shutdown hook.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    static final String CONFIG_MISMATCH_METRIC = "query_sniper_cluster_config_mismatch_nodes";
    /** The SQL export's defaults, but a close bounded to 1 s, since its server may be the one that is down. */
    private static final MysqlKillExporter.Limits EXPORT_LIMITS =
            MysqlKillExporter.Limits.DEFAULTS.withCloseTimeout(Duration.ofSeconds(1));

    // The most each stop stage may take (issue 9: the watchdog must give the stages what they are allowed,
    // or a forced halt drops the journal's queued records). The stop budget is their sum, see stopBudget().
    /** ClusterNode.close: four executors given 1 s each, Curator's close 1 s, the embedded ZooKeeper's 1 s. */
    static final Duration CLUSTER_CLOSE_BOUND = Duration.ofSeconds(6);
    /** releaseLatches, before the stages: closes the latches through the session. */
    static final Duration LATCH_RELEASE_BOUND = Duration.ofSeconds(1);
    /** The engine's watchers (SniperEngine.DEFAULT_STOP_TIMEOUT) and then their ports. */
    static final Duration ENGINE_CLOSE_BOUND = SniperEngine.DEFAULT_STOP_TIMEOUT.plusSeconds(1);
    /** Between the last stage's bound and the forced halt: logging, the JVM's own hooks. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(1);

    /**
     * A test hook (system property, milliseconds): the journal spools every record and each append takes
     * that long more ({@link ZkJournal#slowSpoolForTests}), so a process test stops with records queued.
     */
    static final String TEST_SLOW_SPOOL_MS = "qs.test.journal-slow-spool-ms";

    /** Lifecycle states. */
    public enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private final LoadedSettings loaded;
    private final SniperSettings settings;
    private final boolean dryRunOverride;
    private final boolean dryRun;
    private final Clock clock;
    private final PortFactory ports;
    private final List<KillListener> extraListeners;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final Stages stages = new Stages();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile ClusterNode cluster;
    private volatile SniperEngine engine;
    private volatile StandbyProbes standbyProbes;
    private volatile ZkJournal journal;
    private volatile AlertService alerts;
    // Day two: what a reload swaps (the running config, its TLS digests), the status page's sources,
    // and the HTTP server. The keys a reload cannot change (node-id, data-dir, cluster, journal, http)
    // are read from `settings`, which stays the config of the start.
    private final AtomicReference<LoadedSettings> running = new AtomicReference<>();
    private volatile Map<String, String> runningTls = Map.of();
    private final Map<String, MeteredServerPort> meteredPorts = new ConcurrentHashMap<>();
    private final LastKills lastKills = new LastKills();
    private final ReloadMetrics reloadMetrics;
    private volatile ConfigReloader.Source reloadSource;
    /** Null: the cluster node's own (it joins and leaves latches live). */
    private volatile DatabaseSetChange databaseSet;
    private volatile ConfigReloader reloader;
    private volatile DaemonGauges gauges;
    private volatile SniperHttpServer http;

    /**
     * @param dryRunOverride true forces dry-run on every database (the {@code --dry-run} flag)
     * @param extraListeners more kill listeners (tests record decisions with one)
     */
    public Daemon(LoadedSettings loaded, boolean dryRunOverride, Clock clock, PortFactory ports,
                  List<KillListener> extraListeners) {
        this.loaded = loaded;
        this.settings = loaded.settings();
        this.dryRunOverride = dryRunOverride;
        this.dryRun = dryRunOverride || settings.dryRun();
        this.running.set(loaded);
        this.reloadMetrics = new ReloadMetrics(metrics, clock);
        this.clock = clock;
        this.ports = ports;
        this.extraListeners = List.copyOf(extraListeners);
    }

    /** Starts everything; on failure stops what was started and throws. Only once. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.STARTING)) {
            throw new IllegalStateException("daemon cannot start: it is " + state.get());
        }
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, settings.nodeId())) {
            log.info("query-sniper {} starting as node {}{}", VersionProvider.version(), settings.nodeId(),
                    dryRun ? " in DRY-RUN mode (nothing will be killed)" : "");
            log.info("effective configuration (secrets masked):\n{}", settings.effectiveConfigMasked());
            for (String w : loaded.warnings()) {
                log.warn("CONFIG WARNING: {}", w);
            }
            startAll();
            state.set(State.RUNNING);
            log.info("query-sniper running: {} database(s), config hash {}", settings.databases().size(),
                    settings.configHash());
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        ClusterSettings c = settings.cluster();
        if (c.embedded()) {
            log.warn("cluster.zookeeper is not set: starting an embedded single-node ZooKeeper on port {} under {} "
                    + "(fine for one node; set cluster.zookeeper to run several)", c.embeddedPort(),
                    settings.dataDir().resolve("zookeeper"));
        }
        if (c.authScheme() == null) {
            log.warn(ZkClients.openAclWarning(c.embedded() ? "(embedded) 127.0.0.1:" + c.embeddedPort() : c.zookeeper(),
                    c.namespace()));
        }
        ClusterNode node = new ClusterNode(clusterOptions(c), nodeInfo(), settings.databases().keySet(), clock);
        stages.add("cluster node", CLUSTER_CLOSE_BOUND, node::close);
        node.start();
        cluster = node;
        // Nodes that run another config than this one (their announced hash differs): also logged by the node.
        Gauge.builder(CONFIG_MISMATCH_METRIC, node, n -> n.view().configMismatch().size())
                .description("live cluster nodes whose effective config differs from this node's")
                .register(metrics);

        List<KillListener> listeners = new ArrayList<>();
        listeners.add(new LoggingKillListener());
        JournalSettings j = settings.journal();
        // Started in this order so that the stack closes the journal (the system of record) first, then
        // the pruner, then the SQL copy, whose flush to a possibly dead server is bounded to a second.
        if (j.exportDatabase() != null) {
            // A copy of the journal in a SQL table (pt-kill's --log-dsn); never makes a kill wait.
            DatabaseSettings to = settings.databases().get(j.exportDatabase());
            MysqlKillExporter export = new MysqlKillExporter(to.target(), loaded.credentials().get(to.name()),
                    j.exportTable(), settings.nodeId(), clock, EXPORT_LIMITS);
            stages.add("journal export", EXPORT_LIMITS.closeTimeout().plusSeconds(1), export::close);
            export.start();
            listeners.add(export);
            log.info("kill records are also exported to table {} on database {}", j.exportTable(), to.name());
        }
        if (j.enabled()) {
            JournalOptions options = new JournalOptions(settings.nodeId(), j.retention(), j.maxRecords(),
                    j.writeTimeout(), j.spoolDir(), j.spoolMaxSize());
            RetentionPruner pruner = new RetentionPruner(node.client(), options, clock);
            stages.add("journal pruner", RetentionPruner.CLOSE_BOUND.plusSeconds(1), pruner::close);
            pruner.start();
            ZkJournal zkJournal = new ZkJournal(node.client(), options, clock);
            Long slowSpool = Long.getLong(TEST_SLOW_SPOOL_MS);
            if (slowSpool != null) {
                log.warn("TEST HOOK {}={}: the journal spools every record and each append takes {} ms more;"
                        + " never set this in production", TEST_SLOW_SPOOL_MS, slowSpool, slowSpool);
                zkJournal.slowSpoolForTests(Duration.ofMillis(slowSpool));
            }
            stages.add("journal", ZkJournal.CLOSE_BOUND.plusSeconds(1), zkJournal::close);
            zkJournal.start();
            journal = zkJournal;
            listeners.add(new TimedJournal(zkJournal, metrics, System::nanoTime));
        } else {
            log.warn("journal.enabled = false: kills are logged but not journaled");
        }
        listeners.add(new MetricsKillListener(metrics, this::runningRule));
        listeners.add(lastKills);
        listeners.addAll(extraListeners);
        if (!loaded.alerts().sinks().isEmpty()) {
            // Closed after the engine (the last kills' messages go out) and before the cluster node (its latch).
            AlertService a = AlertWiring.start(loaded, node, () -> journal, this::status, clock, stages);
            alerts = a;
            listeners.add(a);
        }
        DaemonGauges g = new DaemonGauges(metrics, this::status, VersionProvider.version());
        stages.add("gauges", g::close);
        gauges = g;
        g.clusterMembers(node, n -> n.view().members().size());
        g.leaseAge(node, ClusterNode::leaseAgeSeconds);
        if (alerts != null) {
            g.alertSinks(alerts.sinkStats());
        }
        if (journal != null) {
            g.spoolRecords(journal, z -> z.hasSpooled() ? Math.max(0, z.spooledCount() - z.replayedCount()) : 0);
        }

        List<WatchedDatabase> watched = new ArrayList<>();
        List<ServerPort> opened = new ArrayList<>();
        // Ports connect lazily (on the first look), so a database that is down does not stop the start.
        stages.add("server ports", () -> opened.forEach(ServerPort::close));
        for (DatabaseSettings db : settings.databases().values()) {
            ServerPort port = openPort(loaded, db);
            opened.add(port);
            watched.add(watched(loaded, db, port));
            g.watch(db.name());
        }
        runningTls = ConfigReloader.tlsDigests(loaded);
        SniperEngine e = new SniperEngine(settings.nodeId(), watched, node, new CompositeKillListener(listeners), clock);
        stages.add("engine", ENGINE_CLOSE_BOUND, e::close);
        e.start();
        engine = e;
        // A standby's watchers never talk to their servers: these ask them, so readiness and status are true.
        StandbyProbes probes = new StandbyProbes(() -> running.get().settings().databases().keySet(), e::status,
                meteredPorts::get, clock);
        stages.add("standby probes", probes::close);
        probes.start();
        standbyProbes = probes;
        reloader = new ConfigReloader(() -> {
            ConfigReloader.Source source = reloadSource;
            if (source == null) {
                throw new SniperException("this daemon was started without its files: it cannot reload");
            }
            return source.load();
        }, new ReloadTarget(), databaseSet != null ? databaseSet : DatabaseSetChange.live(node::updateDatabases),
                reloadMetrics);
        startHttp();
    }

    /** A database's port: the adapter, counted and timed. */
    private ServerPort openPort(LoadedSettings from, DatabaseSettings db) {
        Credentials login = from.credentials().get(db.name());
        if (login == null) {
            throw new SniperException("no credentials for database " + db.name());
        }
        MeteredServerPort port = new MeteredServerPort(ports.open(db.target(), login, settings.nodeId(), clock),
                db.name(), metrics, System::nanoTime);
        meteredPorts.put(db.name(), port);
        return port;
    }

    private WatchedDatabase watched(LoadedSettings from, DatabaseSettings db, ServerPort port) {
        return new WatchedDatabase(RunSpecs.forRun(db.watch(), from.credentials().get(db.name()),
                dryRunOverride || from.settings().dryRun()), port);
    }

    private void startHttp() {
        HttpSettings h = settings.http();
        if (h == null || !h.enabled()) {
            log.info("http.listen = off: no metrics, health or status server");
            return;
        }
        SniperHttpServer server = new SniperHttpServer(new InetSocketAddress(h.host(), h.port()),
                h.tls() ? PemTls.serverContext(h.tlsCert(), h.tlsKey()) : null,
                () -> running.get().httpToken(),
                new DaemonEndpoints(new EndpointView(), metrics, VersionProvider.version(), clock));
        stages.add("http server", server::close);
        try {
            server.start();
        } catch (HttpServerException e) {
            throw new SniperException(e.getMessage(), e);
        }
        http = server;
    }

    /** The running rule of a database by name, or null (a reload may have removed it). */
    private Rule runningRule(String database, String rule) {
        DatabaseSettings db = running.get().settings().databases().get(database);
        if (db == null) {
            return null;
        }
        for (Rule r : db.watch().rules()) {
            if (r.name().equals(rule)) {
                return r;
            }
        }
        return null;
    }

    /** What a reload changes: the engine's watchers, their ports, the gauges, the running config. */
    private final class ReloadTarget implements ConfigReloader.Target {
        @Override
        public LoadedSettings running() {
            return running.get();
        }

        @Override
        public Map<String, String> runningTls() {
            return runningTls;
        }

        @Override
        public void apply(LoadedSettings next, ReloadPlan plan, Map<String, String> nextTls) {
            SniperEngine e = engine;
            for (String db : plan.removed()) {
                e.remove(db);
                meteredPorts.remove(db);
                gauges.forget(db);
            }
            for (String name : plan.changed()) {
                DatabaseSettings db = next.settings().databases().get(name);
                ServerPort port = plan.reconnect().contains(name) ? openPort(next, db) : meteredPorts.get(name);
                e.replace(watched(next, db, port));
            }
            for (String name : plan.added()) {
                DatabaseSettings db = next.settings().databases().get(name);
                e.add(watched(next, db, openPort(next, db)));
                gauges.watch(name);
            }
            running.set(next);
            runningTls = Map.copyOf(nextTls);
        }
    }

    /** The daemon as the HTTP endpoints read it. */
    private final class EndpointView implements DaemonEndpoints.Daemon {
        @Override
        public boolean running() {
            return state.get() == State.RUNNING;
        }

        @Override
        public LoadedSettings settings() {
            return running.get();
        }

        @Override
        public ClusterNode cluster() {
            return cluster;
        }

        @Override
        public WatcherStatus status(String database) {
            return Daemon.this.status(database);
        }

        @Override
        public java.time.Instant lastKill(String database) {
            return lastKills.of(database);
        }

        @Override
        public Double pollLatencySeconds(String database) {
            MeteredServerPort p = meteredPorts.get(database);
            return p == null ? null : p.lastLatencySeconds();
        }

        @Override
        public java.time.Instant configLoadedAt() {
            return reloadMetrics.loadedAt();
        }

        @Override
        public ReloadResult reload() {
            return Daemon.this.reload();
        }
    }

    /**
     * Where a reload reads both files again (SIGHUP, {@code POST /-/reload}); without it a reload is
     * refused. Call before {@link #start()}.
     */
    public Daemon reloadFrom(ConfigReloader.Source source) {
        this.reloadSource = source;
        return this;
    }

    /**
     * How a reload tells the cluster about added and removed databases; by default the cluster node joins
     * the added databases' latches and leaves the removed ones' at once. Call before {@link #start()}.
     */
    public Daemon databaseSetChange(DatabaseSetChange change) {
        this.databaseSet = change;
        return this;
    }

    /** Reads both files again and swaps the new config in, or keeps the running one and says why. */
    public ReloadResult reload() {
        ConfigReloader r = reloader;
        if (r == null || state.get() != State.RUNNING) {
            return new ReloadResult(false, List.of("the daemon is not running: nothing to reload"));
        }
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, settings.nodeId())) {
            return r.reload();
        }
    }

    /** The config running now (the start's, or the last reload's). */
    public LoadedSettings runningSettings() {
        return running.get();
    }

    /** The HTTP server's port, or -1 when it does not run. */
    public int httpPort() {
        SniperHttpServer h = http;
        return h == null ? -1 : h.port();
    }

    /**
     * One database's watcher status, or null when it is not watched (or before start); for a database this
     * node does not own, its reachability is the standby probe's.
     */
    public WatcherStatus status(String database) {
        StandbyProbes p = standbyProbes;
        if (p != null) {
            return p.status(database);
        }
        SniperEngine e = engine;
        return e == null ? null : e.status(database);
    }

    private ClusterOptions clusterOptions(ClusterSettings c) {
        CoordinationLossPolicy policy = switch (c.onCoordinationLoss()) {
            case STOP -> CoordinationLossPolicy.STOP;
            case KEEP_OWNED -> CoordinationLossPolicy.KEEP_OWNED;
        };
        String scheme = null;
        byte[] auth = null;
        if (ZkAuth.DIGEST.equals(c.authScheme())) {
            Credentials zk = loaded.zookeeperCredentials();
            scheme = ZkAuth.DIGEST;
            auth = (zk.user() + ":" + zk.password()).getBytes(StandardCharsets.UTF_8);
        } else if (ZkAuth.SASL.equals(c.authScheme())) {
            scheme = ZkAuth.SASL; // the login comes from the JVM's JAAS "Client" section
        }
        return new ClusterOptions(c.zookeeper(), c.namespace(), c.sessionTimeout(), c.connectionTimeout(), policy,
                c.keepOwnedFor(), scheme, auth, settings.dataDir(), c.embeddedPort(), zkSecurity(c));
    }

    /** TLS and read-only ids of {@code cluster}: the read-only commands connect the same way. */
    public static ZkSecurity zkSecurity(ClusterSettings c) {
        return new ZkSecurity(c.tls() ? new ZkTls(c.tlsCa(), c.tlsCert(), c.tlsKey()) : null, c.readOnlyIds());
    }

    private NodeInfo nodeInfo() {
        return new NodeInfo(settings.nodeId(), hostName(), VersionProvider.version(), settings.configHash());
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /**
     * Releases the latches, stops watchers, flushes the journal and disconnects, in that order.
     * Idempotent; a second caller waits for the first to finish.
     */
    @Override
    public void close() {
        State previous = state.getAndUpdate(s -> s == State.STOPPED ? s : State.STOPPING);
        if (previous == State.STOPPING || previous == State.STOPPED) {
            awaitStopped(5, TimeUnit.SECONDS);
            return;
        }
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, settings.nodeId())) {
            long t0 = System.nanoTime();
            if (previous != State.NEW) {
                log.info("query-sniper stopping");
            }
            // Hand the databases over first: standbys already queued on the latches take over at once,
            // while this node still stops its watchers and flushes its journal through the session.
            ClusterNode node = cluster;
            if (node != null) {
                try {
                    node.releaseLatches();
                } catch (RuntimeException e) {
                    log.warn("releasing the latches failed; they go with the session", e);
                }
            }
            stages.closeAll();
            state.set(State.STOPPED);
            if (previous != State.NEW) {
                log.info("query-sniper stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
            }
        } finally {
            stopped.countDown();
        }
    }

    /**
     * How long a stop may take before the watchdog halts the process: the bounds of what has started,
     * added up, and a margin. Asked for when the stop begins.
     */
    public Duration stopBudget() {
        return LATCH_RELEASE_BOUND.plus(stages.bound()).plus(STOP_MARGIN);
    }

    /** Blocks until {@link #close()} has finished; false on timeout. */
    public boolean awaitStopped(long time, TimeUnit unit) {
        try {
            return stopped.await(time, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    public State state() {
        return state.get();
    }

    /** Per database: last look, up or down, owner or not. Empty before start. */
    public Map<String, WatcherStatus> status() {
        SniperEngine e = engine;
        return e == null ? Map.of() : e.status();
    }

    /** The fencing gate (the cluster node); null before start. */
    public KillGate gate() {
        return cluster;
    }

    public ClusterNode cluster() {
        return cluster;
    }

    /** The alert sinks' queue depths and drop counts (for metrics); empty when no sink is configured. */
    public AlertQueues alertQueues() {
        AlertService a = alerts;
        return a == null ? AlertQueues.NONE : a;
    }

    public MeterRegistry metrics() {
        return metrics;
    }

    /** The same registry, with its Prometheus rendering. */
    public PrometheusMeterRegistry prometheus() {
        return metrics;
    }
}
