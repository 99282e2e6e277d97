package io.querysniper.daemon.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Instant;

/**
 * {@code query_sniper_config_reload_success} (1 when the last reload, or the start, succeeded),
 * {@code query_sniper_config_last_reload_timestamp_seconds} (when the running config was loaded) and
 * {@code query_sniper_config_reloads_total{result}}, the names Prometheus and Alertmanager use for theirs.
 */
public final class ReloadMetrics {
    static final String SUCCESS = "query.sniper.config.reload.success";
    static final String LAST = "query.sniper.config.last.reload.timestamp";
    static final String RELOADS = "query.sniper.config.reloads";

    private final Clock clock;
    private final Counter applied;
    private final Counter refused;
    private volatile boolean success = true;
    private volatile Instant loadedAt;

    public ReloadMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.loadedAt = clock.instant();
        Gauge.builder(SUCCESS, this, m -> m.success ? 1 : 0)
                .description("1 when the last config reload (or the start) succeeded, 0 when it was refused")
                .register(registry);
        Gauge.builder(LAST, this, m -> m.loadedAt.toEpochMilli() / 1000.0).baseUnit("seconds")
                .description("when the running config was loaded (start or last successful reload)")
                .register(registry);
        applied = Counter.builder(RELOADS).tag("result", "applied").description("config reloads").register(registry);
        refused = Counter.builder(RELOADS).tag("result", "refused").description("config reloads").register(registry);
    }

    void applied() {
        success = true;
        loadedAt = clock.instant();
        applied.increment();
    }

    void refused() {
        success = false;
        refused.increment();
    }

    public Instant loadedAt() {
        return loadedAt;
    }
}
