package io.querysniper.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGHUP reloads the config, as in most Unix daemons. The reload runs on a thread of its own (a signal
 * handler must return at once); a SIGHUP that comes while one runs is ignored, with a log line.
 */
public final class ReloadSignal {
    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /** sun.misc.Signal is the only JDK way to handle SIGHUP. */
    @SuppressWarnings("removal")
    public static void install(Runnable reload) {
        AtomicBoolean busy = new AtomicBoolean();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                if (!busy.compareAndSet(false, true)) {
                    log.info("SIGHUP received while a reload runs: ignored");
                    return;
                }
                log.info("SIGHUP received: reloading the config");
                Thread.ofPlatform().name("sniper-reload").daemon(true).start(() -> {
                    try {
                        reload.run();
                    } catch (RuntimeException e) {
                        log.error("reload failed", e);
                    } finally {
                        busy.set(false);
                    }
                });
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("cannot handle SIGHUP ({}): reload with POST /-/reload instead", e.toString());
        }
    }
}
