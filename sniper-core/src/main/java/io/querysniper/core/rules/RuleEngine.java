package io.querysniper.core.rules;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.watch.WatchSpec;

/**
 * Judges a snapshot against a database's rules. Pure: no I/O, no clock of its own (ages come from
 * the snapshot). STUB: the engine issue implements it.
 */
public final class RuleEngine {
    private final WatchSpec spec;

    public RuleEngine(WatchSpec spec) {
        this.spec = spec;
    }

    public WatchSpec spec() {
        return spec;
    }

    public Evaluation evaluate(ServerSnapshot snapshot) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
