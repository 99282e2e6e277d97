package io.querysniper.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.SniperException;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;
import io.querysniper.core.offline.ProcesslistDump;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.rules.Verdict;
import io.querysniper.core.sql.Fingerprint;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.watch.SniperEngine;
import io.querysniper.daemon.DefaultPorts;
import io.querysniper.daemon.PortFactory;
import io.querysniper.daemon.RunSpecs;
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
 * With {@code --from FILE}, judges a saved {@code SHOW FULL PROCESSLIST} offline instead. Either way
 * each database is judged with the spec {@code run} would use ({@link RunSpecs#forRun}): the same
 * rules, defaults and protections, the daemon's own login included when it is known.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"One pass over each database: print what would be killed now, and why. Kills nothing.",
                "With --from, judge a saved SHOW FULL PROCESSLIST (batch, table or \\G output of the mysql",
                "client, or a pasted terminal session) with one database's rules, offline: no server."})
public final class ScanCommand implements Callable<Integer> {
    static final String LOGIN_UNKNOWN = "No --credentials: the daemon's own login, which run never kills, is not"
            + " known, so its sessions are judged like any other's.";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file.")
    Path config;

    @Option(names = "--credentials", paramLabel = "FILE",
            description = "The credentials file (optional with --from: it names the daemon's login, never killed).")
    Path credentials;

    @Option(names = "--database", paramLabel = "NAME",
            description = "Only this database (required with --from when several are configured).")
    String database;

    @Option(names = "--from", paramLabel = "FILE", description = "A saved SHOW FULL PROCESSLIST to judge offline.")
    Path from;

    @Option(names = "--json", description = "One JSON object per verdict and line (thread, user, host, db, command,"
            + " age_ms, rule, action, reason, fingerprint, digest); notes go to stderr.")
    boolean json;

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
        Output output = new Output(out);
        List<String> failed = new ArrayList<>();
        for (DatabaseSettings db : dbs) {
            Credentials login = loaded.credentials().get(db.name());
            try (ServerPort port = ports.open(db.target(), login, loaded.settings().nodeId() + "-scan",
                    Clock.systemUTC())) {
                output.add(db.name(), SniperEngine.scanOnce(RunSpecs.forRun(db.watch(), login, false), port));
            } catch (SniperException e) {
                failed.add(db.name());
                spec.commandLine().getErr().println("query-sniper: scan of " + db.name() + " failed: "
                        + ErrorHandler.describe(e));
            }
        }
        output.finish(dbs.size() - failed.size());
        return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private int offline(PrintWriter out) {
        LoadedSettings loaded = SettingsFiles.load(config, credentials);
        List<DatabaseSettings> dbs = selected(loaded);
        if (dbs.size() != 1) {
            throw new UsageException("--from needs --database NAME: " + dbs.size() + " databases are configured ("
                    + String.join(", ", loaded.settings().databases().keySet()) + ")");
        }
        DatabaseSettings db = dbs.get(0);
        Credentials login = credentials == null ? null : loaded.credentials().get(db.name());
        ServerSnapshot snapshot = ProcesslistDump.read(from, Clock.systemUTC().instant());
        Output output = new Output(out);
        output.add(db.name(), SniperEngine.scan(RunSpecs.forRun(db.watch(), login, false), snapshot).verdicts());
        output.note("Judged " + snapshot.sessions().size() + " session(s) from " + from + " with the rules of "
                + db.name() + " (ages in whole seconds unless the dump has Time_ms; no transaction data).");
        if (login == null) {
            output.note(LOGIN_UNKNOWN);
        }
        output.finish(1);
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

    static String age(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    /** The verdicts as a table with notes on stdout, or with --json as JSON lines on stdout and notes on stderr. */
    private final class Output {
        private final PrintWriter out;
        private final Table table = new Table("DATABASE", "THREAD", "USER", "HOST", "DB", "COMMAND", "AGE", "RULE",
                "WOULD", "WHY", "FINGERPRINT");
        private final List<String> notes = new ArrayList<>();
        private int verdicts;

        Output(PrintWriter out) {
            this.out = out;
        }

        void add(String database, List<Verdict> list) {
            for (Verdict v : list) {
                verdicts++;
                Session s = v.session();
                String would = v.refusal() != null ? "refuse" : v.action().configName();
                String why = v.refusal() != null ? v.reason() + "; " + v.refusal() : v.reason();
                // Never the query text: its fingerprint and digest only, as in every log and record.
                Fingerprint fp = s.info() == null ? null : Fingerprint.of(s.info());
                if (json) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("database", database);
                    o.put("thread", s.threadId());
                    o.put("user", s.user());
                    o.put("host", s.host());
                    putIfSet(o, "db", s.db());
                    o.put("command", s.command());
                    o.put("age_ms", s.time().toMillis());
                    o.put("rule", v.rule().name());
                    o.put("action", would);
                    o.put("reason", why);
                    putIfSet(o, "fingerprint", fp == null ? null : fp.fingerprint());
                    putIfSet(o, "digest", fp == null ? null : fp.digest());
                    out.println(o.toString());
                } else {
                    table.row(database, s.threadId(), s.user(), s.host(), s.db(), s.command(), age(s.time()),
                            v.rule().name(), would, why, fp == null ? null : fp.fingerprint());
                }
            }
        }

        /** A line for people: before the table on stdout, or on stderr with --json. */
        void note(String line) {
            notes.add(line);
        }

        void finish(int databases) {
            PrintWriter notesTo = json ? spec.commandLine().getErr() : out;
            notes.forEach(notesTo::println);
            if (!json && verdicts > 0) {
                out.print(table.render());
            }
            notesTo.println(verdicts == 0 ? "Nothing would be killed now (" + databases + " database(s) looked at)."
                    : verdicts + " session(s) would be acted on; nothing was killed (scan never kills).");
            notesTo.flush();
            out.flush();
        }

        private static void putIfSet(ObjectNode o, String field, String value) {
            if (value != null) {
                o.put(field, value);
            }
        }
    }
}
