package io.querysniper.daemon.cli;

import ch.qos.logback.classic.Level;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import io.querysniper.core.port.KillListener;
import io.querysniper.daemon.Daemon;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.daemon.ReloadSignal;
import io.querysniper.daemon.ShutdownSignals;
import io.querysniper.daemon.logging.LogFormat;
import io.querysniper.daemon.logging.LogSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code query-sniper run}: the daemon. Returns when it has been stopped by a signal. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Watch every configured database and kill what breaks its rules.",
                "Stops cleanly on SIGTERM/SIGINT, normally within a second or two; every stop stage is bounded",
                "and the watchdog allows their sum (about 20 s). A second signal forces the exit.",
                "SIGHUP (or POST /-/reload) reads both files again and applies them, or keeps the running config and says why."})
public final class RunCommand implements Callable<Integer> {

    /** How long a stop may take before the process halts anyway, if it comes before the daemon has started. */
    static final Duration STOP_BUDGET = Duration.ofMillis(4800);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file (HOCON).")
    Path config;

    @Option(names = "--credentials", required = true, paramLabel = "FILE",
            description = "The credentials file (HOCON): default { user, password } and one entry per name.")
    Path credentials;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            converter = LogFormatConverter.class,
            description = "text (readable, default) or json (one object per line with MDC and key-value pairs).")
    LogFormat logFormat;

    @Option(names = "--dry-run", description = "Log \"would kill\" and kill nothing, on every database.")
    boolean dryRun;

    @Option(names = "--strict-permissions",
            description = "Refuse to start (exit 2) when a file holding a secret (credentials, password-file, "
                    + "tls.key) can be read or changed by anyone but its owner, instead of warning.")
    boolean strictPermissions;

    @Override
    public Integer call() throws InterruptedException {
        // Validate before anything starts: a bad config prints every problem and exits 2.
        LoadedSettings loaded = SettingsFiles.load(config, credentials);
        if (strictPermissions) {
            StrictPermissions.check(loaded);
        }
        // stdout through its file descriptor: System.out may be a test's or picocli's wrapper.
        LogSetup.configure(logFormat, Level.INFO, new FileOutputStream(FileDescriptor.out));
        Daemon daemon = new Daemon(loaded, dryRun, Clock.systemUTC(), DefaultPorts.mysql(), List.<KillListener>of());
        daemon.reloadFrom(() -> SettingsLoader.load(config, credentials));
        // The stages' bounds added up (Daemon.stopBudget), known once they have started.
        ShutdownSignals.install(daemon::close, () -> daemon.stopBudget().compareTo(STOP_BUDGET) > 0
                ? daemon.stopBudget() : STOP_BUDGET);
        // Before start: the JVM's default for SIGHUP ends the process (a reload before the daemon runs is refused).
        ReloadSignal.install(daemon::reload);
        daemon.start();
        daemon.awaitStopped();
        return ExitCodes.OK;
    }
}
