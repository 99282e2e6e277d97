package io.querysniper.testkit;

import java.time.Duration;

/**
 * Test timeouts scaled for slow machines, like Curator's {@code Timing}: set the environment
 * variable {@code QS_TIMING_FACTOR} (e.g. 3) on a loaded CI runner instead of editing tests.
 */
public final class Timing {
    private static final double FACTOR = readFactor();

    private Timing() {
    }

    /** The factor in use (1 unless {@code QS_TIMING_FACTOR} says otherwise). */
    public static double factor() {
        return FACTOR;
    }

    /** {@code base} multiplied by the factor. */
    public static Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * FACTOR));
    }

    public static Duration seconds(long seconds) {
        return scaled(Duration.ofSeconds(seconds));
    }

    public static Duration millis(long millis) {
        return scaled(Duration.ofMillis(millis));
    }

    private static double readFactor() {
        String raw = System.getenv("QS_TIMING_FACTOR");
        if (raw == null || raw.isBlank()) {
            return 1.0;
        }
        try {
            double f = Double.parseDouble(raw.trim());
            if (f < 1.0) {
                throw new IllegalArgumentException("QS_TIMING_FACTOR must be >= 1, was " + raw);
            }
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("QS_TIMING_FACTOR is not a number: " + raw, e);
        }
    }
}
