package io.querysniper.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;

/** Counts kill decisions by database, rule and outcome ({@code query_sniper_kill_decisions_total}). */
final class MetricsKillListener implements KillListener {
    static final String NAME = "query.sniper.kill.decisions";

    private final MeterRegistry registry;

    MetricsKillListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onRecord(KillRecord r) {
        // Micrometer caches meters by id: looking one up per decision is a map lookup, not an allocation storm.
        Counter.builder(NAME)
                .tag("database", r.database())
                .tag("rule", r.rule() == null ? "" : r.rule())
                .tag("outcome", r.outcome().name())
                .register(registry)
                .increment();
    }
}
