package io.querysniper.daemon.ops;

import io.querysniper.config.ConfigException;
import io.querysniper.config.ConfigProblem;
import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.http.ReloadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * SIGHUP and {@code POST /-/reload}: reads both files again, validates them completely, and either swaps
 * the new config in or keeps the running one and says why. Refused, with nothing applied: a config with
 * problems (the same messages as at start), a change to a key that cannot change live ("restart needed"),
 * databases added or removed where the cluster cannot follow. One reload at a time.
 */
public final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** Reads and validates both files. */
    @FunctionalInterface
    public interface Source {
        /** @throws ConfigException listing every problem */
        LoadedSettings load();
    }

    /** The running daemon, as the reload changes it. */
    public interface Target {
        LoadedSettings running();

        /** The digests of the running databases' TLS files (see {@link #tlsDigests}). */
        Map<String, String> runningTls();

        /**
         * Makes {@code next} the running config: stops watching the removed databases, replaces the
         * watchers of the changed ones (new connections for {@code plan.reconnect()}), watches the added ones.
         */
        void apply(LoadedSettings next, ReloadPlan plan, Map<String, String> nextTls);
    }

    private final Source source;
    private final Target target;
    private final DatabaseSetChange databaseSet;
    private final ReloadMetrics metrics;

    public ConfigReloader(Source source, Target target, DatabaseSetChange databaseSet, ReloadMetrics metrics) {
        this.source = source;
        this.target = target;
        this.databaseSet = databaseSet;
        this.metrics = metrics;
    }

    /** TLS file digests of every database of {@code s}. */
    public static Map<String, String> tlsDigests(LoadedSettings s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (DatabaseSettings db : s.settings().databases().values()) {
            out.put(db.name(), TlsFiles.digest(db.target().tls()));
        }
        return out;
    }

    public synchronized ReloadResult reload() {
        log.info("config reload: reading the files again");
        LoadedSettings next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            for (ConfigProblem p : e.problems()) {
                lines.add(p.toString());
            }
            lines.add(e.problems().size() + " problem(s) in the configuration: the running config stays");
            return refuse(lines);
        }
        LoadedSettings running = target.running();
        Map<String, String> nextTls = tlsDigests(next);
        ReloadPlan plan = ReloadPlan.of(running, target.runningTls(), next, db -> nextTls.get(db.name()));
        List<String> refusals = new ArrayList<>(plan.restartNeeded());
        String cluster = databaseSet.refusal(plan.added(), plan.removed());
        if (cluster != null) {
            refusals.add(cluster);
        }
        if (!refusals.isEmpty()) {
            refusals.add("the running config stays");
            return refuse(refusals);
        }
        for (String w : next.warnings()) {
            log.warn("CONFIG WARNING: {}", w);
        }
        try {
            target.apply(next, plan, nextTls);
            databaseSet.apply(new LinkedHashSet<>(next.settings().databases().keySet()));
        } catch (RuntimeException e) {
            log.error("config reload failed while being applied; the databases not yet changed keep their old config", e);
            return refuse(List.of("applying the new config failed: " + e.getMessage()));
        }
        metrics.applied();
        List<String> done = describe(plan);
        log.info("config reload applied ({}), config hash {}; effective configuration (secrets masked):\n{}",
                String.join("; ", done), next.settings().configHash(), next.settings().effectiveConfigMasked());
        return new ReloadResult(true, done);
    }

    private ReloadResult refuse(List<String> why) {
        metrics.refused();
        log.error("config reload refused:\n  {}", String.join("\n  ", why));
        return new ReloadResult(false, why);
    }

    private static List<String> describe(ReloadPlan plan) {
        if (plan.changesNothing()) {
            return List.of("no database changed");
        }
        List<String> out = new ArrayList<>();
        if (!plan.added().isEmpty()) {
            out.add("added " + String.join(", ", plan.added()));
        }
        if (!plan.removed().isEmpty()) {
            out.add("removed " + String.join(", ", plan.removed()));
        }
        for (String db : plan.changed()) {
            out.add(db + (plan.reconnect().contains(db) ? ": reconnected with the new server, login or TLS" : ": new rules"));
        }
        return out;
    }
}
