package io.querysniper.daemon.cli;

import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.core.SniperException;
import io.querysniper.mysql.CheckReport;
import io.querysniper.mysql.ServerCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code query-sniper check}: validates both files and connects to every database. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate both files, connect to every database, print one row per database.",
                "A row shows flavour and version, TLS in use, privileges present and missing, where sessions "
                        + "are read from and how kills are sent.",
                "Exit 1 if anything is wrong, 2 if the files are invalid. No secret is ever printed."})
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BothFilesOptions files;

    @Override
    public Integer call() {
        LoadedSettings loaded = files.load();
        PrintWriter out = spec.commandLine().getOut();
        for (String w : loaded.warnings()) {
            out.println("warning: " + w);
        }
        Table table = new Table("DATABASE", "SERVER", "TLS", "PRIVILEGES", "MISSING", "SESSIONS FROM", "KILL WITH", "STATUS");
        int bad = 0;
        StringBuilder problems = new StringBuilder();
        StringBuilder warnings = new StringBuilder();
        StringBuilder grants = new StringBuilder();
        for (DatabaseSettings db : loaded.settings().databases().values()) {
            CheckReport r = run(db, loaded);
            if (!r.ok()) {
                bad++;
                for (String p : r.problems()) {
                    problems.append("  ").append(db.name()).append(": ").append(p).append('\n');
                }
            }
            for (String w : r.warnings()) {
                warnings.append("  ").append(db.name()).append(": ").append(w).append('\n');
            }
            if (!r.leastGrants().isEmpty()) {
                grants.append("-- ").append(db.name()).append(" (").append(r.flavor().name().toLowerCase())
                        .append(", kill with ").append(r.killMethod()).append(")\n");
                r.leastGrants().forEach(g -> grants.append(g).append('\n'));
            }
            table.row(db.name(),
                    r.flavor() == null ? null : r.flavor().name().toLowerCase() + " " + r.version(),
                    r.flavor() == null ? null : r.tlsCipher() == null ? "OFF: clear text" : r.tlsCipher(),
                    join(r.privilegesPresent()), join(r.privilegesMissing()),
                    r.sessionSource(), r.killMethod(), status(r));
        }
        out.print(table.render());
        if (!warnings.isEmpty()) {
            out.println();
            out.println("Warnings:");
            out.print(warnings);
        }
        if (!grants.isEmpty()) {
            out.println();
            out.println("Least privileges the daemon needs (run as an administrator; nothing more is needed):");
            out.print(grants);
        }
        if (bad > 0) {
            out.println();
            out.println("Problems:");
            out.print(problems);
            out.println(bad + " of " + loaded.settings().databases().size() + " database(s) failed the check.");
        } else {
            out.println("All " + loaded.settings().databases().size() + " database(s) passed the check.");
        }
        out.flush();
        return bad == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static CheckReport run(DatabaseSettings db, LoadedSettings loaded) {
        try {
            return ServerCheck.run(db.target(), loaded.credentials().get(db.name()), loaded.settings().nodeId() + "-check");
        } catch (SniperException e) {
            return new CheckReport(db.name(), null, null, null, Set.of(), Set.of(), null, null,
                    List.of(ErrorHandler.describe(e)));
        }
    }

    private static String status(CheckReport r) {
        if (!r.ok()) {
            return "FAILED";
        }
        return r.warnings().isEmpty() ? "ok" : "ok (" + r.warnings().size() + " warning(s))";
    }

    private static String join(Set<String> s) {
        return s.isEmpty() ? null : String.join(",", new TreeSet<>(s));
    }
}
