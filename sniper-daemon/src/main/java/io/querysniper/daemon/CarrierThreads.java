package io.querysniper.daemon;

/**
 * How many carrier threads run the virtual threads (every database's watcher, the kill batches): half the
 * cores, at least one, unless the operator set {@code -Djdk.virtualThreadScheduler.parallelism}.
 *
 * <p>Why: the watchers mostly wait on their servers, and waking a second idle carrier for each look cost
 * more than the look itself (bench/fleet, 1,000 databases on 2 cores: 11-13.6% of a core with two carriers,
 * 9.3% with one). The KILLs themselves go out on platform threads ({@code KillLanes}), so a busy carrier
 * never delays one. Only on Java 24 and later, where a virtual thread blocking inside {@code synchronized}
 * no longer pins its carrier (JEP 491): on 21 to 23 one pinned carrier could stall every watcher.
 */
final class CarrierThreads {
    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";
    /** The first Java release whose virtual threads do not pin their carrier in a monitor. */
    static final int UNPINNED_MONITORS = 24;

    private CarrierThreads() {
    }

    /** Sets the property unless set; call before the first virtual thread starts. Returns the value in force, or null. */
    static String configure() {
        String set = System.getProperty(PARALLELISM);
        if (set != null || Runtime.version().feature() < UNPINNED_MONITORS) {
            return set;
        }
        String value = Integer.toString(carriers(Runtime.getRuntime().availableProcessors()));
        System.setProperty(PARALLELISM, value);
        return value;
    }

    static int carriers(int cores) {
        return Math.max(1, cores / 2);
    }
}
