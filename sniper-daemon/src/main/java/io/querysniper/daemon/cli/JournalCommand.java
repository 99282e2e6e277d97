package io.querysniper.daemon.cli;

import io.querysniper.config.LoadedSettings;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.journal.JournalFormat;
import io.querysniper.journal.JournalQuery;
import io.querysniper.journal.JournalReader;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** {@code query-sniper journal}: what the sniper killed, where, why and when, for the whole fleet. */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = {"Read the kill journal shared in ZooKeeper, newest last.",
                "A PENDING record whose outcome never came reads as UNKNOWN(pending): the node died mid-kill."})
public final class JournalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ZooKeeperFilesOptions files;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "1h",
            description = "An age (90s, 15m, 1h, 2d) or a time (2024-05-01T12:00:00Z). Default: ${DEFAULT-VALUE}.")
    String since;

    @Option(names = "--until", paramLabel = "WHEN", description = "Same forms as --since; default: now.")
    String until;

    @Option(names = "--database", paramLabel = "NAME", description = "Only this database.")
    String database;

    @Option(names = "--rule", paramLabel = "NAME", description = "Only this rule.")
    String rule;

    @Option(names = "--follow", description = "Keep printing new records (and outcomes of pending ones) until interrupted.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Clock clock = Clock.systemUTC();
        Instant from = TimeArg.parse(since, clock, "--since");
        Instant to = until == null ? null : TimeArg.parse(until, clock, "--until");
        if (to != null && follow) {
            throw new UsageException("--follow and --until do not go together");
        }
        LoadedSettings loaded = files.load();
        JournalQuery query = new JournalQuery(from, to, database, rule);
        PrintWriter out = spec.commandLine().getOut();
        if (!json) {
            out.println(JournalFormat.tableHeader());
        }
        Consumer<KillRecord> print = r -> {
            out.println(json ? JournalFormat.jsonLine(r) : JournalFormat.tableRow(r, JournalFormat.DEFAULT_FINGERPRINT_WIDTH));
            out.flush();
        };
        try (CuratorFramework client = ZooKeeperReadClient.open(loaded)) {
            JournalReader reader = new JournalReader(client);
            if (follow) {
                AtomicBoolean stop = new AtomicBoolean();
                Thread hook = new Thread(() -> stop.set(true), "sniper-journal-follow-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                reader.follow(query, print, stop::get);
            } else {
                reader.read(query).forEach(print);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
