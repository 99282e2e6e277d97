package io.querysniper.daemon;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and captures what it printed. */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
