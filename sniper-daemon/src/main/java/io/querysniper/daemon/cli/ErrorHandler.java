package io.querysniper.daemon.cli;

import io.querysniper.core.SniperException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;

/**
 * Turns exceptions into one line on stderr and a uniform exit code. Stack traces only with --verbose:
 * operators need the reason, not our call stack.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code = exitCodeOf(ex);
        if (ex instanceof UsageException u) {
            for (String line : u.lines()) {
                err.println("query-sniper: " + line);
            }
        } else {
            err.println("query-sniper: " + describe(ex));
        }
        if (verbose(parsed)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    public static int exitCodeOf(Throwable ex) {
        if (ex instanceof UsageException || ex instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }

    /** Bad command line: the problem and a hint, no usage wall unless asked. */
    public static int onBadUsage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("query-sniper: " + ex.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    static String describe(Throwable ex) {
        String msg = ex.getMessage();
        if (ex instanceof SniperException && msg != null) {
            Throwable cause = ex.getCause();
            return cause != null && cause.getMessage() != null && !msg.contains(cause.getMessage())
                    ? msg + ": " + cause.getMessage() : msg;
        }
        return msg == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + msg;
    }

    static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
