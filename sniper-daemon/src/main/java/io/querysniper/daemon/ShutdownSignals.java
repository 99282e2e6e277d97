package io.querysniper.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * SIGTERM / SIGINT handling: the first signal stops the daemon cleanly (through the JVM shutdown hook,
 * bounded by a watchdog), a second one forces the exit at once, like litestream and most Go daemons.
 */
public final class ShutdownSignals {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {
    }

    /**
     * Installs a shutdown hook that runs {@code stop}, halting the JVM if it has not finished within
     * {@code budget}; and signal handlers so that a second TERM/INT halts at once.
     */
    public static void install(Runnable stop, Duration budget) {
        install(stop, () -> budget);
    }

    /**
     * As {@link #install(Runnable, Duration)}, with the budget asked for when the stop begins: the daemon's
     * stages, each with its bound, are known only once it has started.
     */
    public static void install(Runnable stop, Supplier<Duration> budgetAtStop) {
        Thread hook = new Thread(() -> {
            Duration budget = budgetAtStop.get();
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(budget.toMillis());
                    log.warn("shutdown took longer than {} ms: forcing exit", budget.toMillis());
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sniper-shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            stop.run();
            watchdog.interrupt();
        }, "sniper-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        installSecondSignalHalt();
    }

    /** sun.misc.Signal is the only JDK way to see a second signal while shutdown hooks run. */
    @SuppressWarnings("removal")
    private static void installSecondSignalHalt() {
        AtomicInteger seen = new AtomicInteger();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    if (seen.incrementAndGet() == 1) {
                        log.info("SIG{} received: stopping (send it again to force)", name);
                        // Exit from a fresh thread: System.exit blocks until the hooks have run. A
                        // requested, clean stop exits 0; the watchdog's forced halt exits 1.
                        Thread t = new Thread(() -> System.exit(0), "sniper-exit");
                        t.start();
                    } else {
                        log.warn("second signal: forcing exit");
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("cannot handle SIG{} ({}); the JVM default applies", name, e.toString());
            }
        }
    }
}
