package io.querysniper.daemon.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.querysniper.alerts.SinkStats;
import io.querysniper.core.watch.WatcherStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The gauges read at scrape time: per database (up, owned, guard tripped; added and dropped as a reload
 * adds and removes databases), the cluster's members and this node's lease, the journal's spool, the alert
 * sinks' queues, the build, and the JVM's own.
 */
public final class DaemonGauges implements AutoCloseable {
    static final String DATABASE_UP = "query.sniper.database.up";
    static final String DATABASE_OWNED = "query.sniper.database.owned";
    static final String GUARD_TRIPPED = "query.sniper.guard.tripped";
    static final String CLUSTER_MEMBERS = "query.sniper.cluster.members";
    static final String SPOOL_RECORDS = "query.sniper.journal.spool.records";
    static final String BUILD_INFO = "query.sniper.build.info";
    static final String LEASE_AGE = "query.sniper.lease.age.seconds";
    static final String ALERT_QUEUE_DEPTH = "query.sniper.alert.queue.depth";
    static final String ALERTS_DROPPED = "query.sniper.alerts.dropped";

    private final MeterRegistry registry;
    private final Function<String, WatcherStatus> status;
    private final Map<String, List<Meter>> perDatabase = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** @param status a database's watcher status, or null when it is not watched */
    public DaemonGauges(MeterRegistry registry, Function<String, WatcherStatus> status, String version) {
        this.registry = registry;
        this.status = status;
        Gauge.builder(BUILD_INFO, () -> 1).tag("version", version)
                .description("always 1; the version label says which build runs").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** {@code query_sniper_cluster_members}: live members as this node last read them. */
    public <T> void clusterMembers(T source, ToDoubleFunction<T> members) {
        Gauge.builder(CLUSTER_MEMBERS, source, members).description("live cluster members, this node included")
                .register(registry);
    }

    /** {@code query_sniper_journal_spool_records}: records waiting in the local spool for ZooKeeper. */
    public <T> void spoolRecords(T source, ToDoubleFunction<T> records) {
        Gauge.builder(SPOOL_RECORDS, source, records)
                .description("journal records waiting in the local spool for ZooKeeper").register(registry);
    }

    /**
     * {@code query_sniper_lease_age_seconds}: how old this node's ZooKeeper lease is (killing stops past
     * T/4); NaN before the first answered heartbeat or after the session was lost.
     */
    public <T> void leaseAge(T source, ToDoubleFunction<T> seconds) {
        Gauge.builder(LEASE_AGE, source, s -> {
                    double age = seconds.applyAsDouble(s);
                    return age < 0 ? Double.NaN : age;
                }).description("seconds since the newest heartbeat ZooKeeper answered was sent; kills stop past T/4")
                .register(registry);
    }

    /** {@code query_sniper_alert_queue_depth{sink}} and {@code query_sniper_alerts_dropped_total{sink}}. */
    public void alertSinks(List<SinkStats> sinks) {
        for (SinkStats s : sinks) {
            Gauge.builder(ALERT_QUEUE_DEPTH, s, SinkStats::depth).tag("sink", s.sink())
                    .description("alert notifications waiting to be sent").register(registry);
            FunctionCounter.builder(ALERTS_DROPPED, s, SinkStats::dropped).tag("sink", s.sink())
                    .description("alert notifications dropped: the sink's queue was full, or the stop's drain ran out")
                    .register(registry);
        }
    }

    /** The gauges of one database (at start, or when a reload adds it). */
    public void watch(String database) {
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge(DATABASE_UP, database, "1 when this node's last attempt reached the server (a slow answer counts)",
                s -> s.up() ? 1 : 0));
        meters.add(gauge(DATABASE_OWNED, database, "1 when this node holds the database's latch (it kills there)",
                s -> s.owner() ? 1 : 0));
        meters.add(gauge(GUARD_TRIPPED, database, "1 while the kill-rate guard has paused killing",
                s -> s.guardTripped() ? 1 : 0));
        perDatabase.put(database, meters);
    }

    /** Drops the series of a database a reload removed (its poll meters too). */
    public void forget(String database) {
        List<Meter> meters = perDatabase.remove(database);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
        for (Meter m : new ArrayList<>(registry.getMeters())) {
            if (m.getId().getName().startsWith("query.sniper.poll") && database.equals(m.getId().getTag("database"))) {
                registry.remove(m);
            }
        }
    }

    private Meter gauge(String name, String database, String description, ToDoubleFunction<WatcherStatus> f) {
        return Gauge.builder(name, () -> {
                    WatcherStatus s = status.apply(database);
                    return s == null ? Double.NaN : f.applyAsDouble(s);
                }).tags(Tags.of("database", database)).description(description).strongReference(true)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
