package io.querysniper.daemon;

import io.querysniper.daemon.cli.AlertTestCommand;
import io.querysniper.daemon.cli.CheckCommand;
import io.querysniper.daemon.cli.ClusterCommand;
import io.querysniper.daemon.cli.ErrorHandler;
import io.querysniper.daemon.cli.FingerprintCommand;
import io.querysniper.daemon.cli.JournalCommand;
import io.querysniper.daemon.cli.RunCommand;
import io.querysniper.daemon.cli.ScanCommand;
import io.querysniper.daemon.cli.ExitCodes;
import io.querysniper.daemon.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** Entry point of the {@code query-sniper} command line. */
@Command(name = "query-sniper", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Watches MySQL and MariaDB servers and kills what breaks their rules.",
        subcommands = {RunCommand.class, CheckCommand.class, ScanCommand.class, FingerprintCommand.class,
                ClusterCommand.class, JournalCommand.class, AlertTestCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a check failed, or an error", "2:bad usage or bad configuration"})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    public static void main(String[] args) {
        CarrierThreads.configure(); // before any virtual thread starts
        int code;
        try {
            code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        } catch (Throwable t) {
            // picocli handles Exceptions; an Error (a missing class, out of memory) must still end the
            // process rather than leave it running on its non-daemon threads with nothing in charge.
            System.err.println("query-sniper: fatal: " + t);
            t.printStackTrace();
            Runtime.getRuntime().halt(ExitCodes.FAILED);
            return;
        }
        // `run` returns only once the daemon has stopped; other commands return at once.
        System.exit(code);
    }

    /** Runs one command line with the given streams; returns its exit code. Used by main and by tests. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(ErrorHandler::exitCodeOf);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(ErrorHandler::onBadUsage);
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        setUsageExitCode(cl);
        return cl;
    }

    private static void setUsageExitCode(CommandLine cl) {
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        for (CommandLine sub : cl.getSubcommands().values()) {
            setUsageExitCode(sub);
        }
    }
}
