package io.querysniper.daemon.e2e;

import io.querysniper.daemon.RunSpecs;

import io.querysniper.config.SettingsLoader;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.log.CompositeKillListener;
import io.querysniper.core.log.LoggingKillListener;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.core.watch.SniperEngine;
import io.querysniper.core.watch.WatchSpec;
import io.querysniper.core.watch.WatchedDatabase;
import io.querysniper.mysql.MysqlServerPort;
import io.querysniper.testkit.MariaDbServer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The engine as the daemon wires it (real MysqlServerPort per server, LoggingKillListener, a
 * recording listener), watching one or more throwaway servers with rules written in the config syntax.
 */
final class Sniper implements AutoCloseable {
    final List<KillRecord> records = new CopyOnWriteArrayList<>();
    private final List<WatchedDatabase> dbs = new ArrayList<>();
    private SniperEngine engine;

    /** One watched server. */
    Sniper watch(String name, MariaDbServer server, String rulesHocon) {
        return watch(name, server, rulesHocon, false, Set.of(), TlsSettings.PREFERRED,
                new Credentials(Servers.SNIPER, Servers.SNIPER_PW));
    }

    Sniper watch(String name, MariaDbServer server, String rulesHocon, boolean dryRun, Set<String> protectedUsers,
                 TlsSettings tls, Credentials login) {
        WatchSpec spec = new WatchSpec(name, Duration.ofSeconds(1), Duration.ofMillis(100),
                SettingsLoader.parseRules(rulesHocon), protectedUsers, 60, dryRun, Set.of("application"));
        DatabaseTarget target = new DatabaseTarget(name, server.host(), server.port(), tls, KillMethod.AUTO,
                Duration.ofSeconds(2), Duration.ofSeconds(2));
        dbs.add(new WatchedDatabase(RunSpecs.forRun(spec, login, false),
                new MysqlServerPort(target, login, "e2e", Clock.systemUTC())));
        return this;
    }

    Sniper start() {
        return start(KillGate.ALWAYS, KillListener.NONE);
    }

    /** With the cluster's place taken by {@code gate}, and {@code extra} told of every decision after the log. */
    Sniper start(KillGate gate, KillListener extra) {
        KillListener recorder = records::add;
        engine = new SniperEngine("e2e", dbs, gate,
                new CompositeKillListener(List.of(new LoggingKillListener(), recorder, extra)), Clock.systemUTC());
        engine.start();
        return this;
    }

    List<KillRecord> finals(KillOutcome outcome) {
        return records.stream().filter(r -> r.outcome() == outcome).toList();
    }

    List<KillRecord> forThread(long threadId) {
        return records.stream().filter(r -> r.threadId() == threadId && r.outcome() != KillOutcome.PENDING).toList();
    }

    SniperEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        } else {
            dbs.forEach(d -> d.port().close());
        }
    }
}
