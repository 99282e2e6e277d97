package io.querysniper.daemon;

import io.querysniper.testkit.Timing;

import java.time.Duration;

/**
 * The one place this module's tests read the timing factor: the testkit's {@link Timing}
 * ({@code -Dqs.timing.factor=3}, passed on by Maven to the test JVM, else {@code QS_TIMING_FACTOR}). Bounds
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

    /** The testkit's factor: {@code -Dqs.timing.factor}, else {@code QS_TIMING_FACTOR}, else its default. */
    private static double read() {
        return Timing.factor();
    }
}
