package io.querysniper.http;

import java.util.List;

/**
 * The answer of {@code /readyz}.
 *
 * @param reasons why not, one line each (empty when ready)
 */
public record Readiness(boolean ready, List<String> reasons) {
    public Readiness {
        reasons = List.copyOf(reasons);
    }

    public static Readiness ok() {
        return new Readiness(true, List.of());
    }
}
