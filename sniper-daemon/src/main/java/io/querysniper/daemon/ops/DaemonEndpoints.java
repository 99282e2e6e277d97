package io.querysniper.daemon.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.querysniper.cluster.ClusterNode;
import io.querysniper.cluster.ClusterStatus;
import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.cluster.ClusterView;
import io.querysniper.cluster.NodeInfo;
import io.querysniper.cluster.OwnerInfo;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.watch.WatcherStatus;
import io.querysniper.http.Endpoints;
import io.querysniper.http.Readiness;
import io.querysniper.http.RecentKill;
import io.querysniper.http.ReloadResult;
import io.querysniper.http.StatusReport;
import io.querysniper.journal.JournalQuery;
import io.querysniper.journal.JournalReader;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the HTTP server shows of the running daemon. */
public final class DaemonEndpoints implements Endpoints {
    /** How far back the page looks for kills in the journal. */
    static final Duration RECENT_WINDOW = Duration.ofMinutes(15);
    /** ZooKeeper reads for the page and status (owners, kills) happen at most this often. */
    private static final Duration READ_EVERY = Duration.ofSeconds(2);
    /** A request waits at most this long for such a read (ZooKeeper may be away); then it shows the last one. */
    private static final Duration READ_WAIT = Duration.ofSeconds(1);

    /** The exposition formats' content types (as the Prometheus client's writers name them). */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** The parts of the daemon this reads. */
    public interface Daemon {
        boolean running();

        LoadedSettings settings();

        ClusterNode cluster();

        WatcherStatus status(String database);

        Instant lastKill(String database);

        Double pollLatencySeconds(String database);

        Instant configLoadedAt();

        ReloadResult reload();
    }

    private final Daemon daemon;
    private final PrometheusMeterRegistry registry;
    private final String version;
    private final Clock clock;
    private final CachedRead<Map<String, OwnerInfo>> owners;
    private final CachedRead<List<KillRecord>> kills;

    public DaemonEndpoints(Daemon daemon, PrometheusMeterRegistry registry, String version, Clock clock) {
        this.daemon = daemon;
        this.registry = registry;
        this.version = version;
        this.clock = clock;
        this.owners = new CachedRead<>("owners", this::readOwners, Map.of(), READ_EVERY, READ_WAIT, System::nanoTime);
        this.kills = new CachedRead<>("recent kills", this::readKills, List.of(), READ_EVERY, READ_WAIT, System::nanoTime);
    }

    @Override
    public Metrics metrics(String accept) {
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String type = openMetrics ? OPEN_METRICS : PROMETHEUS_TEXT;
        return new Metrics(type, registry.scrape(type));
    }

    @Override
    public Readiness readiness() {
        return ReadinessCheck.check(daemon.running(), daemon.cluster() == null ? null : daemon.cluster().view().connection(),
                daemon.settings().settings().databases().keySet(), daemon::status);
    }

    @Override
    public StatusReport status() {
        LoadedSettings s = daemon.settings();
        ClusterNode node = daemon.cluster();
        ClusterView view = node == null ? null : node.view();
        Map<String, OwnerInfo> known = owners.get();
        List<StatusReport.DatabaseStatus> dbs = new ArrayList<>();
        for (String db : s.settings().databases().keySet()) {
            WatcherStatus w = daemon.status(db);
            boolean here = view != null && view.owned().containsKey(db);
            OwnerInfo o = known.get(db);
            String owner = here ? s.settings().nodeId() : o == null ? null : o.nodeId();
            dbs.add(new StatusReport.DatabaseStatus(db, owner, here, w == null ? "UNKNOWN" : w.health().name(),
                    iso(w == null ? null : w.lastLook()), iso(daemon.lastKill(db)), w != null && w.guardTripped(),
                    daemon.pollLatencySeconds(db)));
        }
        List<String> members = view == null ? List.of() : view.members().stream().map(NodeInfo::id).toList();
        return new StatusReport(s.settings().nodeId(), version, s.settings().configHash(),
                view == null ? "NONE" : view.connection(), members, iso(daemon.configLoadedAt()), dbs);
    }

    @Override
    public List<RecentKill> recentKills(int max) {
        List<KillRecord> all = kills.get();
        List<RecentKill> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < max; i--) {
            KillRecord r = all.get(i);
            out.add(new RecentKill(iso(r.time()), r.node(), r.database(), r.rule(),
                    r.action() == null ? null : r.action().name(), r.outcome().name(), r.ageMs(), r.fingerprint(),
                    r.digest()));
        }
        return out;
    }

    @Override
    public ReloadResult reload() {
        return daemon.reload();
    }

    private Map<String, OwnerInfo> readOwners() {
        ClusterNode node = daemon.cluster();
        if (node == null) {
            return Map.of();
        }
        ClusterStatus st = new ClusterStatusReader(node.client()).read(daemon.settings().settings().databases().keySet());
        return st.owners();
    }

    private List<KillRecord> readKills() {
        ClusterNode node = daemon.cluster();
        if (node == null || !daemon.settings().settings().journal().enabled()) {
            return List.of();
        }
        return new JournalReader(node.client()).read(
                new JournalQuery(clock.instant().minus(RECENT_WINDOW), null, null, null));
    }

    private static String iso(Instant t) {
        // Milliseconds are enough for a person and for a script; the clock's nanoseconds are noise.
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }
}
