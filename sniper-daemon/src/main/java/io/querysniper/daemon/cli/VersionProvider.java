package io.querysniper.daemon.cli;

import picocli.CommandLine;

/** Reads the version from the jar manifest (Implementation-Version); "dev" when run from classes. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    public static String version() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"query-sniper " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"};
    }
}
