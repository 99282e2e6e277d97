package io.querysniper.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.rules.Rule;
import io.querysniper.daemon.ops.KillOvershoot;

import java.util.function.BiFunction;

/**
 * Counts kill decisions by database, rule, action and outcome ({@code query_sniper_kills_total}) and
 * records how late past its limit each KILLED victim was ({@code query_sniper_kill_overshoot_seconds}).
 * No fingerprint, user or host label: the series stay bounded by databases x rules.
 */
final class MetricsKillListener implements KillListener {
    static final String NAME = "query.sniper.kills";
    static final String OVERSHOOT = "query.sniper.kill.overshoot";
    /** Buckets of the overshoot histogram, in seconds: a kill is due within one interval (1 s by default). */
    private static final double[] OVERSHOOT_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final MeterRegistry registry;
    private final BiFunction<String, String, Rule> rules;
    private final DistributionSummary overshoot;

    /** @param rules the running rule of a database by name (a reload may change it), or null */
    MetricsKillListener(MeterRegistry registry, BiFunction<String, String, Rule> rules) {
        this.registry = registry;
        this.rules = rules;
        this.overshoot = DistributionSummary.builder(OVERSHOOT).baseUnit("seconds")
                .description("how late past its limit each victim was killed")
                .serviceLevelObjectives(OVERSHOOT_BUCKETS).register(registry);
    }

    @Override
    public void onRecord(KillRecord r) {
        // Micrometer caches meters by id: looking one up per decision is a map lookup, not an allocation storm.
        Counter.builder(NAME)
                .description("kill decisions by database, rule, action and outcome")
                .tag("database", r.database())
                .tag("rule", r.rule() == null ? "" : r.rule())
                .tag("action", r.action() == null ? "" : r.action().name())
                .tag("outcome", r.outcome().name())
                .register(registry)
                .increment();
        if (r.outcome() == KillOutcome.KILLED && r.rule() != null) {
            Double late = KillOvershoot.seconds(r, rules.apply(r.database(), r.rule()));
            if (late != null) {
                overshoot.record(late);
            }
        }
    }
}
