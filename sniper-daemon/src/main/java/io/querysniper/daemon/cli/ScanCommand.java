package io.querysniper.daemon.cli;

import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.SniperException;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.offline.ProcesslistDump;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.rules.Verdict;
import io.querysniper.core.sql.Fingerprint;
import io.querysniper.core.watch.SniperEngine;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.daemon.PortFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code query-sniper scan}: one look, prints what would be killed now and why; kills nothing.
 * With {@code --from FILE}, judges a saved {@code SHOW FULL PROCESSLIST} offline instead.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"One pass over each database: print what would be killed now, and why. Kills nothing.",
                "With --from, judge a saved SHOW FULL PROCESSLIST (batch, table or \\G output of the mysql",
                "client) with one database's rules, offline: no credentials, no server."})
public final class ScanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file.")
    Path config;

    @Option(names = "--credentials", paramLabel = "FILE", description = "The credentials file (not with --from).")
    Path credentials;

    @Option(names = "--database", paramLabel = "NAME",
            description = "Only this database (required with --from when several are configured).")
    String database;

    @Option(names = "--from", paramLabel = "FILE", description = "A saved SHOW FULL PROCESSLIST to judge offline.")
    Path from;

    /** Tests swap the adapter; production uses MySQL. */
    static PortFactory ports = DefaultPorts.mysql();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (from != null) {
            return offline(out);
        }
        if (credentials == null) {
            throw new UsageException("scan needs --credentials FILE (or --from FILE to judge a saved process list)");
        }
        LoadedSettings loaded = SettingsFiles.load(config, credentials);
        List<DatabaseSettings> dbs = selected(loaded);
        Table table = verdictTable();
        List<String> failed = new ArrayList<>();
        for (DatabaseSettings db : dbs) {
            try (ServerPort port = ports.open(db.target(), loaded.credentials().get(db.name()),
                    loaded.settings().nodeId() + "-scan", Clock.systemUTC())) {
                addRows(table, db.name(), SniperEngine.scanOnce(db.watch(), port));
            } catch (SniperException e) {
                failed.add(db.name());
                spec.commandLine().getErr().println("query-sniper: scan of " + db.name() + " failed: "
                        + ErrorHandler.describe(e));
            }
        }
        print(out, table, dbs.size() - failed.size());
        return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private int offline(PrintWriter out) {
        if (credentials != null) {
            throw new UsageException("--from judges a saved process list offline: leave out --credentials");
        }
        LoadedSettings loaded = SettingsFiles.load(config, null);
        List<DatabaseSettings> dbs = selected(loaded);
        if (dbs.size() != 1) {
            throw new UsageException("--from needs --database NAME: " + dbs.size() + " databases are configured ("
                    + String.join(", ", loaded.settings().databases().keySet()) + ")");
        }
        DatabaseSettings db = dbs.get(0);
        ServerSnapshot snapshot = ProcesslistDump.read(from, Clock.systemUTC().instant());
        Table table = verdictTable();
        addRows(table, db.name(), SniperEngine.scan(db.watch(), snapshot).verdicts());
        out.println("Judged " + snapshot.sessions().size() + " session(s) from " + from + " with the rules of "
                + db.name() + " (ages in whole seconds unless the dump has Time_ms; no transaction data).");
        print(out, table, 1);
        return ExitCodes.OK;
    }

    private List<DatabaseSettings> selected(LoadedSettings loaded) {
        if (database == null) {
            return List.copyOf(loaded.settings().databases().values());
        }
        DatabaseSettings db = loaded.settings().databases().get(database);
        if (db == null) {
            throw new UsageException("no database named '" + database + "' in " + config + " (configured: "
                    + String.join(", ", loaded.settings().databases().keySet()) + ")");
        }
        return List.of(db);
    }

    private static Table verdictTable() {
        return new Table("DATABASE", "THREAD", "USER", "HOST", "DB", "COMMAND", "AGE", "RULE", "WOULD", "WHY",
                "FINGERPRINT");
    }

    private static void addRows(Table table, String database, List<Verdict> verdicts) {
        for (Verdict v : verdicts) {
            Session s = v.session();
            String would = v.refusal() != null ? "refuse" : v.action().configName();
            String why = v.refusal() != null ? v.reason() + "; " + v.refusal() : v.reason();
            // Never the query text: its fingerprint only, as in every log and record.
            String fp = s.info() == null ? null : Fingerprint.of(s.info()).fingerprint();
            table.row(database, s.threadId(), s.user(), s.host(), s.db(), s.command(), age(s.time()),
                    v.rule().name(), would, why, fp);
        }
    }

    static String age(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static void print(PrintWriter out, Table table, int databases) {
        if (table.size() == 0) {
            out.println("Nothing would be killed now (" + databases + " database(s) looked at).");
        } else {
            out.print(table.render());
            out.println(table.size() + " session(s) would be acted on; nothing was killed (scan never kills).");
        }
        out.flush();
    }
}
