package io.querysniper.daemon.cli;

/** The exit codes every command uses, so scripts and supervisors can tell the cases apart. */
public final class ExitCodes {
    /** Everything went as asked. */
    public static final int OK = 0;
    /** The command ran but found something wrong (a failed check, a database without owner, an error). */
    public static final int FAILED = 1;
    /** Bad usage or bad configuration: nothing was started. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
