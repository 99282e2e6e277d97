package io.querysniper.testkit;

import java.time.Duration;
import java.util.Locale;

/**
 * One timing factor for every test bound, like curator-test's {@code Timing}: tests write their waits
 * and their slack (the jitter a bound allows on top of what the product promises) through this class,
 * and a slow or loaded machine raises the factor instead of editing tests.
 *
 * <p>The factor comes from, in this order: the system property {@value #PROPERTY}
 * ({@code mvn verify -Dqs.timing.factor=4}; Surefire hands Maven's {@code -D} properties to the test
 * JVM), the environment variable {@value #ENV}, or {@link #DEFAULT_FACTOR}. The default is sized so
 * the suite passes on a busy two-core machine (several test JVMs, mariadbd and ZooKeeper on the same
 * two cores); set 1 on a quiet workstation for the tightest bounds. Values below 1 are refused: the
 * bases are already what a quiet machine needs.
 *
 * <p>Scale waits and slack, never what a test checks the product against: a lease of T/4 stays T/4,
 * only the margin around it grows ({@code lease.plus(Timing.millis(400))}). A bound that must stay
 * below a product value to mean anything (e.g. "stopped before the session could expire") should be an
 * ordering of two observed events instead of a scaled constant.
 */
public final class Timing {
    /** System property naming the factor. */
    public static final String PROPERTY = "qs.timing.factor";
    /** Environment variable naming the factor, when the system property is not set. */
    public static final String ENV = "QS_TIMING_FACTOR";
    /** Factor used when neither is set. */
    public static final double DEFAULT_FACTOR = 2.0;

    private static final double FACTOR = parse(System.getProperty(PROPERTY), System.getenv(ENV));

    private Timing() {
    }

    /** The factor in use. */
    public static double factor() {
        return FACTOR;
    }

    /** {@code base} multiplied by the factor. */
    public static Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * FACTOR));
    }

    /** {@code seconds} seconds, scaled. */
    public static Duration seconds(long seconds) {
        return scaled(Duration.ofSeconds(seconds));
    }

    /** {@code millis} milliseconds, scaled. */
    public static Duration millis(long millis) {
        return scaled(Duration.ofMillis(millis));
    }

    /** Says which factor is in use, for a test's failure message. */
    public static String describe() {
        return String.format(Locale.ROOT, "timing factor %.2f (-D%s or %s; default %.1f)", FACTOR, PROPERTY, ENV,
                DEFAULT_FACTOR);
    }

    /** The factor from a system property value and an environment value, either possibly null or blank. */
    static double parse(String property, String env) {
        String source = PROPERTY;
        String raw = property;
        if (raw == null || raw.isBlank()) {
            source = ENV;
            raw = env;
        }
        if (raw == null || raw.isBlank()) {
            return DEFAULT_FACTOR;
        }
        double f;
        try {
            f = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " is not a number: " + raw, e);
        }
        if (!(f >= 1.0) || Double.isInfinite(f)) {
            throw new IllegalArgumentException(source + " must be a number >= 1, was " + raw);
        }
        return f;
    }
}
