package io.querysniper.daemon;

import io.querysniper.alerts.AlertService;
import io.querysniper.alerts.Condition;
import io.querysniper.alerts.ConditionProbe;
import io.querysniper.alerts.FleetLatch;
import io.querysniper.alerts.WatcherConditions;
import io.querysniper.cluster.ClusterNode;
import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.watch.WatcherStatus;
import io.querysniper.journal.ZkJournal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Starts the alerts on a running node: its own fleet latch on the node's Curator client, and probes that
 * read the status the node already keeps (watchers, cluster connection and owners, journal), so neither
 * ClusterNode nor ZkJournal needs a hook.
 */
final class AlertWiring {
    /** A database is reported down once its watcher has found it unreachable this long. */
    static final Duration DATABASE_DOWN_AFTER = Duration.ofSeconds(60);
    /** A journal that lost records is reported as dropping for this long after the last loss. */
    static final Duration DROPPING_FOR = Duration.ofMinutes(5);
    /** How long a stop lets the alert queues drain (the whole stop must fit in 5 s). */
    static final Duration DRAIN = Duration.ofSeconds(1);

    private AlertWiring() {
    }

    /** Adds the fleet latch and the alerts to {@code stages} (closed in reverse) and returns the started service. */
    static AlertService start(LoadedSettings loaded, ClusterNode node, Supplier<ZkJournal> journal,
                              Supplier<Map<String, WatcherStatus>> watchers, Clock clock, Stages stages) {
        String nodeId = loaded.settings().nodeId();
        FleetLatch fleet = new FleetLatch(node.client(), nodeId);
        stages.add("alerts fleet latch", fleet::close);
        fleet.start();
        List<ConditionProbe> probes = List.of(
                new WatcherConditions(watchers, clock, DATABASE_DOWN_AFTER),
                clusterProbe(node, fleet, loaded.settings().databases().keySet()),
                journalProbe(journal, clock));
        AlertService alerts = AlertService.create(nodeId, loaded.alerts(), clock, probes, fleet, DRAIN);
        stages.add("alerts", alerts::close);
        alerts.start();
        return alerts;
    }

    private static ConditionProbe clusterProbe(ClusterNode node, FleetLatch fleet, Set<String> databases) {
        return () -> {
            Set<Condition> out = new HashSet<>();
            String connection = node.view().connection();
            if ("SUSPENDED".equals(connection) || "LOST".equals(connection)) {
                out.add(new Condition(Event.COORDINATION_LOST, null, "ZooKeeper connection " + connection
                        + ": this node stops killing (on-coordination-loss)"));
            }
            if (fleet.getAsBoolean()) {
                for (String db : new ClusterStatusReader(node.client()).read(databases).unowned()) {
                    out.add(new Condition(Event.NO_OWNER, db, "no node holds the database's latch: nobody watches it"));
                }
            }
            return out;
        };
    }

    private static ConditionProbe journalProbe(Supplier<ZkJournal> journal, Clock clock) {
        long[] lost = {0};
        Instant[] lastLoss = {null};
        return () -> {
            ZkJournal j = journal.get();
            if (j == null) {
                return Set.of();
            }
            Set<Condition> out = new HashSet<>();
            if (j.hasSpooled()) {
                out.add(new Condition(Event.JOURNAL_SPOOLING, null,
                        "ZooKeeper does not take the kill records: they wait in the local spool"));
            }
            long l = j.lostCount();
            if (l > lost[0]) {
                lost[0] = l;
                lastLoss[0] = clock.instant();
            }
            if (lastLoss[0] != null && clock.instant().isBefore(lastLoss[0].plus(DROPPING_FOR))) {
                out.add(new Condition(Event.JOURNAL_DROPPING, null, l + " kill record(s) neither journaled nor spooled"));
            }
            return out;
        };
    }
}
