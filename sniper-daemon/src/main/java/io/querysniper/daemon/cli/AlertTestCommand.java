package io.querysniper.daemon.cli;

import io.querysniper.alerts.AlertTest;
import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.LoadedSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code query-sniper alert-test}: one test message to each alert sink, printing what the endpoint answered. */
@Command(name = "alert-test", mixinStandardHelpOptions = true,
        description = {"Send a test message to every alert sink (or one), once, no retries, and print what "
                + "each endpoint answered.",
                "Exit 1 if a sink did not take it, 2 if the files are invalid. No URL path, key or secret is printed."})
public final class AlertTestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BothFilesOptions files;

    @Option(names = "--sink", paramLabel = "NAME", description = "Only this sink (a name under query-sniper.alerts).")
    String sink;

    @Override
    public Integer call() {
        LoadedSettings loaded = files.load();
        PrintWriter out = spec.commandLine().getOut();
        List<AlertSinkSettings> sinks = new ArrayList<>(loaded.alerts().sinks().values());
        if (sink != null) {
            AlertSinkSettings one = loaded.alerts().sinks().get(sink);
            if (one == null) {
                throw new UsageException(List.of("no alert sink named " + sink + " in " + files.config() + " (configured: "
                        + String.join(", ", loaded.alerts().sinks().keySet()) + ")"));
            }
            sinks = List.of(one);
        }
        if (sinks.isEmpty()) {
            out.println("No alert sinks configured (query-sniper.alerts is empty).");
            out.flush();
            return ExitCodes.FAILED;
        }
        Table table = new Table("SINK", "ENDPOINT", "STATUS", "ANSWER", "RESULT");
        int bad = 0;
        for (AlertSinkSettings s : sinks) {
            AlertTest.Result r = AlertTest.send(s, loaded.settings().nodeId(), Clock.systemUTC());
            if (!r.delivered()) {
                bad++;
            }
            table.row(r.sink(), r.endpoint(), r.attempt().status() < 0 ? "-" : Integer.toString(r.attempt().status()),
                    r.attempt().answer() == null || r.attempt().answer().isBlank() ? null
                            : r.attempt().answer().replaceAll("\\s+", " "),
                    r.delivered() ? "delivered" : r.attempt().verdict() == io.querysniper.alerts.Attempt.Verdict.RETRY
                            ? "FAILED (would be retried)" : "FAILED (refused)");
        }
        out.print(table.render());
        out.println(bad == 0 ? "All " + sinks.size() + " sink(s) took the test message."
                : bad + " of " + sinks.size() + " sink(s) did not take the test message.");
        out.flush();
        return bad == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
