package io.querysniper.daemon;

import io.querysniper.testkit.Timing;

import java.time.Duration;

/**
 * The one place this module's tests read the timing factor: {@code -Dqs.timing.factor=3} (passed on by
 * Maven to the test JVM), else the testkit's {@link Timing} ({@code QS_TIMING_FACTOR}), else 1. Bounds
 * that measure the machine (a victim's overshoot, a stop's duration, a wait for something to happen)
 * are scaled with it; bounds that are the product's own settings (a rule's limit) are not.
 */
public final class TestTiming {
    private static final double FACTOR = read();

    private TestTiming() {
    }

    public static double factor() {
        return FACTOR;
    }

    public static Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * FACTOR));
    }

    public static Duration seconds(long seconds) {
        return scaled(Duration.ofSeconds(seconds));
    }

    /** {@code millis} scaled, in milliseconds. */
    public static long ms(long millis) {
        return (long) (millis * FACTOR);
    }

    private static double read() {
        String raw = System.getProperty("qs.timing.factor");
        if (raw == null || raw.isBlank()) {
            return Timing.factor();
        }
        try {
            double f = Double.parseDouble(raw.trim());
            if (f < 1.0) {
                throw new IllegalArgumentException("qs.timing.factor must be >= 1, was " + raw);
            }
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("qs.timing.factor is not a number: " + raw, e);
        }
    }
}
